// Entry point: configuration from the environment, observability, the HTTP
// server and its shutdown. See README.md for the variables.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.js';
import { readConfig, type Config } from './config.js';
import { log } from './log.js';
import {
  configureTracing,
  describeTracing,
  flushTracing,
  setupErrorReporting,
  traced,
} from './observability/index.js';
import { SERVICE_NAME } from './service.js';

function loadConfig(): Config {
  try {
    return readConfig();
  } catch (err) {
    log.error('Invalid configuration', err);
    process.exit(1);
  }
}

const config = loadConfig();

configureTracing({ hostPattern: config.xrayUrl });
const errors = setupErrorReporting(config.rollbar);
const app = createApp({ errors, crashRoute: config.crashRoute });
const server = createServer(traced(app));

let stopping = false;

/**
 * Stops accepting connections and closes each keep-alive connection once it
 * is idle; `onClosed` runs once all are gone. A connection busy with a
 * request keeps it: the response is sent (saying `Connection: close`), then
 * the connection is closed with a FIN, as a keep-alive client expects, not
 * cut with a reset.
 */
function stopAccepting(onClosed?: () => void): void {
  if (stopping) return;
  stopping = true;
  server.close(onClosed);
  // Before the app's listener, so the header is set before any route answers.
  server.prependListener('request', (_req, res) => res.setHeader('connection', 'close'));
  server.closeIdleConnections();
  // Node closes idle connections only when asked: a connection whose response
  // was still being written becomes idle later, and would stay open (the
  // client free to send another request) until the drain deadline.
  const sweep = setInterval(() => server.closeIdleConnections(), 50);
  sweep.unref();
  server.once('close', () => clearInterval(sweep));
}

/** SIGTERM/SIGINT: stop accepting, let in-flight requests finish (bounded), flush spans and Rollbar (bounded), exit 0. */
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  log.info(`${signal}: stopping (finishing in-flight requests)`);
  const closed = new Promise<boolean>((resolve) => stopAccepting(() => resolve(true)));
  const drained = await Promise.race([
    closed,
    new Promise<boolean>((resolve) => setTimeout(resolve, config.shutdown.drainMs, false).unref()),
  ]);
  if (!drained) {
    log.warn(`requests still open after ${config.shutdown.drainMs} ms; closing their connections`);
    server.closeAllConnections();
  }
  // Spans of the requests just drained, then Rollbar's items, in parallel.
  await Promise.all([flushTracing(config.shutdown.flushMs), errors.flush(config.shutdown.flushMs)]);
  log.info('stopped');
  process.exit(0);
}

errors.installProcessHandlers(() => stopAccepting(), config.shutdown.flushMs);
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

server.on('error', (err) => {
  log.error(`cannot listen on port ${config.port}`, err);
  process.exit(1);
});
server.listen({ port: config.port, host: config.host }, () => {
  const { port } = server.address() as AddressInfo;
  log.info(`${SERVICE_NAME} listening on port ${port}`);
  log.info(describeTracing());
  log.info(
    `Rollbar: ${errors.enabled ? `reporting to environment ${config.rollbar.environment}` : 'disabled'}`,
  );
});
