// Evaluated before aws-xray-sdk-core (tracing.ts imports it first; ES modules
// run their imports in order), because the SDK acts on its environment the
// moment it loads:
// - without AWS_XRAY_MANUAL_MODE it creates a cls-hooked namespace, whose
//   async_hooks run on every async operation of every request, sampled or not
//   (measured: about a third of plain Express's throughput). This backend
//   passes context explicitly (see tracing.ts), so manual mode is forced here;
// - it throws on a malformed AWS_XRAY_DAEMON_ADDRESS, which would stop the
//   backend from starting. A bad value is reported and the default
//   (127.0.0.1:2000) used, so the backend keeps serving.
import { log } from '../log.js';

process.env.AWS_XRAY_MANUAL_MODE = 'true';

const HOST_PORT = /^[^\s:]+:\d{1,5}$/;

/** `host:port`, or `udp:host:port tcp:host:port` in either order (the SDK's formats). */
export function validDaemonAddress(address: string): boolean {
  const parts = address.trim().split(/\s+/);
  if (parts.length === 1) return HOST_PORT.test(parts[0] ?? '');
  if (parts.length !== 2) return false;
  const kinds = parts.map((p) => p.slice(0, 4)).sort();
  return kinds[0] === 'tcp:' && kinds[1] === 'udp:' && parts.every((p) => HOST_PORT.test(p.slice(4)));
}

const address = process.env.AWS_XRAY_DAEMON_ADDRESS;
if (address !== undefined && address.trim() !== '' && !validDaemonAddress(address)) {
  log.warn(
    `AWS_XRAY_DAEMON_ADDRESS ${JSON.stringify(address)} is not host:port; sending segments to 127.0.0.1:2000`,
  );
  delete process.env.AWS_XRAY_DAEMON_ADDRESS;
}
