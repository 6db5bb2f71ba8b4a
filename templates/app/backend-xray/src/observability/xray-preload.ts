// Evaluated before aws-xray-sdk-core (tracing.ts imports it first; ES modules
// run their imports in order), because the SDK acts on its environment the
// moment it loads:
// - without AWS_XRAY_MANUAL_MODE it creates a cls-hooked namespace, whose
//   async_hooks run on every async operation of every request, sampled or
//   not. This backend passes context explicitly (see tracing.ts), so manual
//   mode is forced here;
// - it reads AWS_XRAY_DAEMON_ADDRESS as it loads, and checks it only loosely:
//   some values make it throw then (no port, padding, a host containing
//   "udp"), others it accepts and fails on later, on the first sampled
//   request (a port of 0 or 99999 throws ERR_SOCKET_BAD_PORT from the
//   emitter). So the address is checked here, completely.
//
// An unusable address DISABLES TRACING, with one warning that says what to
// fix; the backend starts and serves untraced. Not a refused start: under
// compose's restart policy that is a crash loop, and the routes and Rollbar
// do not depend on tracing. Not a silent fallback to 127.0.0.1:2000 either:
// in a container nothing listens there, and segments would vanish unnoticed.
import { log } from '../log.js';

process.env.AWS_XRAY_MANUAL_MODE = 'true';

const HOST_PORT = /^([^\s:]+):(\d{1,5})$/;

function hostPortProblem(value: string, what: string): string | undefined {
  const m = HOST_PORT.exec(value);
  if (!m) return `${what} ${JSON.stringify(value)} is not host:port`;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return `${what} port ${m[2]} is outside 1-65535`;
  return undefined;
}

/**
 * Why the SDK cannot use `address` (`host:port`, or `udp:host:port
 * tcp:host:port` in either order), or undefined when it can.
 */
export function daemonAddressProblem(address: string): string | undefined {
  const parts = address.trim().split(/\s+/);
  if (parts.length === 1) {
    const single = parts[0] ?? '';
    // The SDK takes any single address containing these for a half-written pair, and throws.
    if (/udp|tcp/.test(single)) {
      return `${JSON.stringify(single)} contains "udp" or "tcp": give both, udp:host:port tcp:host:port, or use a host name without them`;
    }
    return hostPortProblem(single, 'address');
  }
  const kinds = parts.map((p) => p.slice(0, 4)).sort();
  if (parts.length !== 2 || kinds[0] !== 'tcp:' || kinds[1] !== 'udp:') {
    return `${JSON.stringify(address.trim())} is neither host:port nor udp:host:port tcp:host:port`;
  }
  for (const part of parts) {
    const problem = hostPortProblem(part.slice(4), part.slice(0, 3));
    if (problem) return problem;
  }
  return undefined;
}

/**
 * Checks AWS_XRAY_DAEMON_ADDRESS and leaves the SDK a value it can use:
 * normalised, or removed (with the warning) when unusable.
 */
function checkDaemonAddress(): string | undefined {
  const address = process.env.AWS_XRAY_DAEMON_ADDRESS;
  if (address === undefined || address.trim() === '') return undefined;
  const problem = daemonAddressProblem(address);
  if (problem) {
    log.warn(
      `X-Ray: tracing disabled: AWS_XRAY_DAEMON_ADDRESS ${JSON.stringify(address)}: ${problem}. ` +
        'Set it to host:port with a port from 1 to 65535 (compose: xray-daemon:2000) and restart; ' +
        'requests are served untraced until then',
    );
    delete process.env.AWS_XRAY_DAEMON_ADDRESS;
  } else {
    // The SDK splits on single spaces: padding or a double space would break it.
    process.env.AWS_XRAY_DAEMON_ADDRESS = address.trim().split(/\s+/).join(' ');
  }
  return problem;
}

/** Why tracing is off (AWS_XRAY_DAEMON_ADDRESS is unusable); undefined when it is on. */
export const tracingDisabledBecause = checkDaemonAddress();
