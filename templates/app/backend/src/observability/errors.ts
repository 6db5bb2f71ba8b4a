// Error reporting with Rollbar, from the environment:
//   ROLLBAR_ACCESS_TOKEN  post_server_item token; absent -> Rollbar disabled (said once)
//   ROLLBAR_ENVIRONMENT   e.g. development
//   ROLLBAR_ENDPOINT      API base, e.g. https://api.rollbar.com/api/1/ (optional)
//
// What is reported:
// - an error reaching the error handler with status >= 500 (an uncaught error
//   in a route): one `error` item with the stack and the request; the client
//   gets a 500 JSON body without details;
// - an unhandled promise rejection: one `error` item; the backend keeps
//   serving. The rejected promise was fire-and-forget work, and the state
//   every request depends on is intact;
// - an uncaught exception: one `critical` item, then the process stops
//   accepting, waits for Rollbar (bounded) and exits 1. After an exception
//   unwound an unknown part of the stack the state is unknown; the container
//   runtime (compose `restart:`, ECS, Kubernetes) starts a clean process. This
//   is why rollbar's own captureUncaught (which keeps the process alive) is off.
//
// The request an item carries (method, URL, headers, parsed body) goes with
// its credentials scrubbed: see ./scrub.ts.
//
// The token never reaches a log line: it is registered with the logger's
// redaction, and rollbar's own console logging is off (it prints API error
// messages verbatim, and api.rollbar.com echoes a wrong token in its 403
// message). Delivery problems are logged once until delivery works again.
import { STATUS_CODES } from 'node:http';
import Rollbar from 'rollbar';
import type { NextFunction, Request, Response } from 'express';
import { addSecret, log } from '../log.js';
import { SERVICE_NAME } from '../service.js';
import { SCRUB_FIELDS, SCRUB_HEADERS, scrubCredentials } from './scrub.js';
import { recordError, traceIdOf } from './tracing.js';

export interface ErrorReportingOptions {
  accessToken: string | undefined;
  environment: string;
  /** Full item URL; undefined: api.rollbar.com. */
  itemEndpoint: string | undefined;
}

export interface ErrorReporting {
  readonly enabled: boolean;
  /** Sends one message item; with the request, the item carries its trace id. */
  reportMessage(message: string, level?: 'info' | 'warning' | 'error', req?: Request): void;
  /** Express error handler: mount after every route. */
  errorHandler(err: unknown, req: Request, res: Response, next: NextFunction): void;
  /** Reports unhandled rejections and uncaught exceptions; `onFatal` runs before the exit. */
  installProcessHandlers(onFatal: () => void, flushMs: number): void;
  /** Waits for queued items, at most `timeoutMs`. */
  flush(timeoutMs: number): Promise<void>;
}

const DELIVERY = 'rollbar:delivery';

function delivered(err?: Error | null): void {
  if (err) {
    log.once(
      DELIVERY,
      'warn',
      'Rollbar: an item could not be delivered; further failures are not logged until delivery works again',
      err,
    );
  } else {
    log.clear(DELIVERY, 'Rollbar: delivering items again');
  }
}

function statusOf(err: unknown): number {
  const status =
    (err as { status?: unknown; statusCode?: unknown } | null)?.status ??
    (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status <= 599 ? status : 500;
}

/**
 * What an item about a request carries: the request, and while it is traced
 * its trace id in X-Ray form (`custom.trace_id` in Rollbar), so an error
 * leads to its trace.
 */
function requestArgs(req: Request): Rollbar.LogArgument[] {
  const traceId = traceIdOf(req);
  return traceId ? [req, { trace_id: traceId }] : [req];
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(`Non-error rejection: ${String(reason)}`);
}

export function setupErrorReporting(options: ErrorReportingOptions): ErrorReporting {
  addSecret(options.accessToken);
  const enabled = Boolean(options.accessToken);
  if (!enabled) log.warn('Rollbar: disabled, ROLLBAR_ACCESS_TOKEN is not set; errors are only logged here');

  const rollbar = new Rollbar({
    accessToken: options.accessToken,
    enabled,
    environment: options.environment,
    ...(options.itemEndpoint ? { endpoint: options.itemEndpoint } : {}),
    scrubHeaders: SCRUB_HEADERS,
    scrubFields: SCRUB_FIELDS,
    transform: scrubCredentials,
    captureUncaught: false,
    captureUnhandledRejections: false,
    // rollbar's console logger, off (see above). 'disable' is the logger's own
    // level name; the type only lists item levels.
    logLevel: 'disable' as unknown as Rollbar.Level,
    payload: { server: { host: SERVICE_NAME } },
  });

  // Disabled: nothing is sent, and rollbar would answer every call with an error.
  const send = enabled
    ? (level: 'info' | 'warning' | 'error' | 'critical', ...args: Rollbar.LogArgument[]) =>
        void rollbar[level](...args, delivered)
    : () => {};

  function flush(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        log.warn(`Rollbar: items still queued after ${timeoutMs} ms; not waiting longer`);
        resolve();
      }, timeoutMs);
      rollbar.wait(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  return {
    enabled,
    reportMessage(message, level = 'info', req) {
      send(level, message, ...(req ? requestArgs(req) : []));
    },
    errorHandler(err, req, res, next) {
      recordError(err, req);
      const status = statusOf(err);
      if (status >= 500) {
        log.error(`${req.method} ${req.path} failed`, err instanceof Error ? (err.stack ?? err) : err);
        send('error', asError(err), ...requestArgs(req));
      }
      if (res.headersSent) {
        next(err);
        return;
      }
      res.status(status).json({ error: STATUS_CODES[status] ?? 'Error' });
    },
    installProcessHandlers(onFatal, flushMs) {
      process.on('unhandledRejection', (reason) => {
        const err = asError(reason);
        log.error('Unhandled promise rejection (reported, still serving)', err.stack);
        send('error', err, { unhandledRejection: true });
      });
      let exiting = false;
      process.on('uncaughtException', (err) => {
        log.error('Uncaught exception: reporting it, then exiting 1', err.stack ?? err);
        if (exiting) return;
        exiting = true;
        try {
          onFatal();
        } catch {
          // Already stopping; the exit below is what matters.
        }
        send('critical', err, { uncaughtException: true });
        void flush(flushMs).then(() => process.exit(1));
      });
    },
    flush,
  };
}
