// The X-Ray daemon beside the backend: its image, its compose service and
// where the backend reaches it. Compose, devcontainer.json, .gitpod.yml and
// the environment table all take these from here.

/** The pinned X-Ray daemon image; bump deliberately (its entrypoint is `/xray -t 0.0.0.0:2000 -b 0.0.0.0:2000`). */
export const XRAY_DAEMON_IMAGE = 'amazon/aws-xray-daemon:3.3.14';

export const DAEMON_SERVICE = 'xray-daemon';

/** Where services on the compose network reach the daemon (UDP segments, TCP sampling). */
export const DAEMON_ADDRESS = `${DAEMON_SERVICE}:2000`;
