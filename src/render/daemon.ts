// The X-Ray daemon beside the backend: its image, its compose service and
// where the backend reaches it. Compose, devcontainer.json, .gitpod.yml and
// the environment table all take these from here.

/** The pinned X-Ray daemon image; bump deliberately (its entrypoint is `/xray -t 0.0.0.0:2000 -b 0.0.0.0:2000`). */
export const XRAY_DAEMON_IMAGE = 'amazon/aws-xray-daemon:3.3.14';

export const DAEMON_SERVICE = 'xray-daemon';

/** AWS_XRAY_DAEMON_ADDRESS for a daemon (or `traces`) on `host`: UDP segments, TCP sampling. */
export function daemonAddress(host: string): string {
  return `${host}:2000`;
}

/** Where services on the compose network reach the daemon. */
export const DAEMON_ADDRESS = daemonAddress(DAEMON_SERVICE);
