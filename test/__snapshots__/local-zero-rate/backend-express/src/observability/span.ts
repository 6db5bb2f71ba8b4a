// The span a traced block records on, and the plumbing around it that does not
// depend on the tracing library. Both variants' tracing.ts (X-Ray SDK and
// OpenTelemetry) build on this file, so the Span your routes and services take
// is one type, not two copies that could drift apart: that is what lets
// `config --tracing` swap tracing.ts without touching your code. Nothing here
// imports a tracing SDK.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** What a traced block may record. */
export interface Span {
  /** Indexed key/value, searchable in the console (`annotation.<key> = ...`). */
  annotate(key: string, value: string | number | boolean): void;
  /** Any JSON value, shown with the trace, not indexed. */
  metadata(key: string, value: unknown, namespace?: string): void;
}

/** Where a subsegment hangs: the request (its segment or span) or an enclosing span. */
export type TraceParent = IncomingMessage | Span;

export type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Given to a block whose request is not sampled, so the block runs the same
 * code either way and an unsampled request pays for no recording.
 */
export const NOOP_SPAN: Span = { annotate() {}, metadata() {} };

/**
 * Runs `fn(span)` and ends the span when `fn` is done: `end(false)` when it
 * returns or its promise fulfils, `end(true, err)` when it throws or rejects;
 * the error then goes on to the caller unchanged.
 *
 * A block may be synchronous or async. An async one is done when its promise
 * settles, not when it returns the promise: ending the span at the return would
 * time only the block's synchronous start and miss a rejection. `failed` is
 * passed apart from `err` because JavaScript lets a block throw `undefined`.
 */
export function runInSpan<T>(
  span: Span,
  fn: (span: Span) => T,
  end: (failed: boolean, err?: unknown) => void,
): T {
  let result: T;
  try {
    result = fn(span);
  } catch (err) {
    end(true, err);
    throw err;
  }
  if (typeof (result as { then?: unknown } | null)?.then !== 'function') {
    end(false);
    return result;
  }
  return Promise.resolve(result).then(
    (value) => {
      end(false);
      return value;
    },
    (err: unknown) => {
      end(true, err);
      throw err;
    },
  ) as T;
}

/**
 * Calls `fn` once, when the response is over. 'finish' comes when the response
 * has been handed to the network; 'close' comes when the connection ends, and
 * is the only event when the client goes away before the response is sent. A
 * finished response usually closes too, so both are listened to and the first
 * one wins.
 */
export function onResponseEnd(res: ServerResponse, fn: () => void): void {
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    fn();
  };
  res.once('finish', end);
  res.once('close', end);
}
