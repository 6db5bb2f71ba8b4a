// How to point a backend at `traces`, for its start-up line: a backend run on
// this host, or the compose stack through the override the generator writes
// (src/render/compose-traces.ts), which points the backend at the host's
// daemon and leaves xray-daemon out.
import { TRACES_OVERRIDE_PATH } from '../render/compose-traces.js';
import { formatHostPort, type HostPort } from './listen.js';

/** 0.0.0.0 and :: are where traces listens, not where a backend sends. */
function reachable(at: HostPort): HostPort {
  if (at.host === '0.0.0.0') return { ...at, host: '127.0.0.1' };
  if (at.host === '::') return { ...at, host: '::1' };
  return at;
}

export function howToUse(daemon: HostPort, otlp: HostPort | undefined, tracing: 'xray' | 'otel'): string {
  const address = formatHostPort(reachable(daemon));
  const env =
    tracing === 'otel' && otlp
      ? `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http://${formatHostPort(reachable(otlp))}/v1/traces ` +
        `OTEL_TRACES_SAMPLER_ARG=endpoint=http://${address}`
      : `AWS_XRAY_DAEMON_ADDRESS=${address}`;
  const compose = `traces --listen 0.0.0.0:2000${tracing === 'otel' ? ' --otlp 0.0.0.0:4318' : ''}`;
  return (
    `backend on this host: ${env} npm run dev (or start) in the backend's directory; ` +
    `compose stack: run \`${compose}\`, then \`docker compose -f docker-compose.yml -f ${TRACES_OVERRIDE_PATH} up --build\``
  );
}
