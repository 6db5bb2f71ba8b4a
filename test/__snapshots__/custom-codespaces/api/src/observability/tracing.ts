// Tracing with AWS X-Ray: everything the backend knows about X-Ray is in this
// module (with segment-name.ts, xray-preload.ts and xray-internals.ts). The server, app and
// routes see only what ./index.ts re-exports: traced() around the app, an
// error hook (recordError), withSubsegment(), traceIdOf() and
// flushTracing(). The OpenTelemetry variant's tracing.ts has the same
// exports: `config --tracing otel` (the generator's command) swaps this file
// for it without touching the routes. (AWS put the X-Ray SDKs and daemon into
// maintenance mode on 2026-02-25; support ends 2027-02-25.)
//
// NAMES AGREE. X-Ray ties a trace to the group and the sampling rule by name,
// and under dynamic naming the segment name is the request's Host in a cloud
// workspace but the service name elsewhere. So:
// - every segment carries the annotation `<SERVICE_ANNOTATION> =
//   <SERVICE_NAME>`, and the X-Ray group's filter expression is
//   `annotation.<SERVICE_ANNOTATION> = "<SERVICE_NAME>"`: every trace lands in
//   the group whatever its segment is named;
// - the sampler is asked with serviceName = SERVICE_NAME (the SDK's own
//   middleware asks with the dynamic segment name), so the sampling rule in
//   aws/json/x-ray.json, whose ServiceName is exactly SERVICE_NAME and whose
//   Host, HTTPMethod and URLPath are `*`, governs every request.
//
// COST. The sampling decision comes first: from the caller's trace header
// (Sampled=1/0), else from the SDK's sampler, which uses the centralized rules
// it polls from the daemon and, until they load or when no daemon answers,
// the SDK's local default (1 request a second, then 5%). A request that is not
// sampled costs that decision and nothing else: no segment, no ids, no
// listeners. A sampled request gets the SDK's own Segment (manual mode, no
// cls-hooked context: see xray-preload.ts; one cost trimmed: see
// RequestSegment), subsegments hang from it
// explicitly, and the SDK's emitter sends it to the daemon when the response
// ends.
//
// CONTEXT is explicit ("manual mode"): withSubsegment() takes the request, or
// the enclosing span, as its parent. The SDK's automatic mode (cls-hooked)
// runs async_hooks callbacks on every async operation of every request,
// sampled or not, and AsyncLocalStorage on Node 20 still does: a cost every
// request pays so that the few sampled ones need not pass a parent. Routes
// have the request anyway. (What it cost, measured: the generator's
// bench/results.md.)
import { tracingDisabledBecause } from './xray-preload.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import AWSXRay from 'aws-xray-sdk-core';
import { log } from '../log.js';
import { SERVICE_ANNOTATION, SERVICE_NAME } from '../service.js';
import { cleanSegmentName, segmentName } from './segment-name.js';
import { NOOP_SPAN, onResponseEnd, runInSpan, type Listener, type Span, type TraceParent } from './span.js';
import { requestData, sampler } from './xray-internals.js';

export type { Span, TraceParent } from './span.js';

type Segment = AWSXRay.Segment;
type Subsegment = AWSXRay.Subsegment;

const TRACE_HEADER = 'x-amzn-trace-id';
const ROOT = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;
const PARENT = /^[0-9a-f]{16}$/;
const { middleware } = AWSXRay;
const segments = new WeakMap<IncomingMessage, Segment>();
let hostPattern = '';

// The SDK's own logging (emitter, sampling-rule pollers) goes through here:
// debug/info are dropped, and a recurring problem is logged once.
AWSXRay.setLogger({
  debug() {},
  info() {},
  warn: (message: unknown, meta?: unknown) => sdkProblem('warn', message, meta),
  error: (message: unknown, meta?: unknown) => sdkProblem('error', message, meta),
});

function sdkProblem(level: 'warn' | 'error', message: unknown, meta: unknown): void {
  const text = String(message).replace(/[:\s]+$/, '');
  log.once(
    `xray:sdk:${text.split(':')[0]}`,
    level,
    `X-Ray: ${text} (further occurrences are not logged)`,
    meta,
  );
}

// FAILURES STAY HERE. Tracing must never fail a request or stop the process:
// every call into the SDK on the request path (starting, closing and sending
// segments, subsegments, annotations) is guarded, and an error is logged
// (once per kind) while the request goes on untraced or its trace
// incomplete. A route's own errors pass through unchanged.
function tracingFailed(err: unknown): void {
  const what = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  log.once(
    `xray:failed:${what.slice(0, 80)}`,
    'error',
    `X-Ray: tracing failed; requests are still served, their traces may be missing or incomplete (further occurrences are not logged): ${what}`,
  );
}

// SDK calls made outside a segment (capture functions, if someone adds them):
// log, never throw.
AWSXRay.setContextMissingStrategy((message: string) => {
  log.once('xray:context-missing', 'warn', `X-Ray: ${message} (further occurrences are not logged)`);
});

export interface TracingOptions {
  /** AWS_XRAY_URL: requests whose Host matches are named by the Host; empty turns dynamic naming off. */
  hostPattern: string;
}

export function configureTracing(options: TracingOptions): void {
  hostPattern = options.hostPattern;
}

/** One line describing the set-up, for the start-up log. */
export function describeTracing(): string {
  if (tracingDisabledBecause)
    return 'X-Ray: tracing disabled (AWS_XRAY_DAEMON_ADDRESS is unusable, see above)';
  const naming = hostPattern
    ? `Host if it matches ${JSON.stringify(hostPattern)}, else ${SERVICE_NAME}`
    : SERVICE_NAME;
  const daemon = process.env.AWS_XRAY_DAEMON_ADDRESS || '127.0.0.1:2000';
  return `X-Ray: daemon ${daemon}; segments named ${naming}; annotation ${SERVICE_ANNOTATION}=${SERVICE_NAME}`;
}

/**
 * The caller's trace header, keeping Root and Parent only when well formed:
 * the SDK copies a malformed id into the segment (X-Ray then rejects the
 * whole document), so a bad one starts a new trace instead.
 */
function wellFormed(header: Record<string, string | undefined>): Record<string, string | undefined> {
  return {
    root: header.root && ROOT.test(header.root) ? header.root : undefined,
    parent: header.parent && PARENT.test(header.parent) ? header.parent : undefined,
    sampled: header.sampled,
  };
}

/**
 * Wraps the app (any `(req, res)` request listener) so every request is
 * traced: `createServer(traced(app))`. Outside Express rather than an
 * Express middleware, so a request that is not sampled does not even cost a
 * router layer.
 */
export function traced(listener: Listener): Listener {
  if (tracingDisabledBecause) return listener;
  return (req, res) => {
    try {
      trace(req, res);
    } catch (err) {
      tracingFailed(err);
    }
    listener(req, res);
  };
}

/** Decides sampling and, when sampled, starts the request's segment. */
function trace(req: IncomingMessage, res: ServerResponse): void {
  const header = req.headers[TRACE_HEADER] ? wellFormed(middleware.processHeaders(req)) : {};
  let decision: boolean | string | undefined =
    header.sampled === '1' ? true : header.sampled === '0' ? false : undefined;
  // Asked with the service name, not the dynamic segment name: see NAMES AGREE.
  decision ??= sampler.shouldSample({
    host: req.headers.host,
    httpMethod: req.method,
    urlPath: req.url,
    serviceName: SERVICE_NAME,
  });
  if (decision) {
    startSegment(req, res, header, decision);
  } else if (header.sampled === '?' && header.root) {
    // Not sampled: answer a caller that asked for the decision, nothing else.
    res.setHeader(TRACE_HEADER, `Root=${header.root};Sampled=0`);
  }
}

/**
 * The SDK's Segment with a short toString(). After sending a segment, the
 * SDK's emitter builds the debug line `'UDP message sent: ' + segment` whether
 * or not debug logging is on, and the SDK's toString() serialises the whole
 * document again: a second JSON.stringify and more copies, for a line nobody
 * reads. The document sent to the daemon comes from format(), which this
 * leaves alone; toString() is only used in log lines (test/xray-internals.test.ts
 * checks both). The profile: the generator's bench/results.md.
 */
class RequestSegment extends AWSXRay.Segment {
  override toString(): string {
    return `segment ${this.name} (trace ${this.trace_id}, id ${this.id})`;
  }
}

function startSegment(
  req: IncomingMessage,
  res: ServerResponse,
  trace: Record<string, string | undefined>,
  decision: true | string,
): void {
  // The SDK would name the segment by the raw Host; the name is cleaned first.
  const segment = new RequestSegment(
    segmentName(req.headers.host, hostPattern, SERVICE_NAME),
    trace.root,
    trace.parent,
  );
  segment.addIncomingRequestData(new middleware.IncomingRequestData(req));
  segment.addAnnotation(SERVICE_ANNOTATION, SERVICE_NAME);
  if (typeof decision === 'string') segment.setMatchedSamplingRule(decision);
  segments.set(req, segment);
  if (trace.sampled === '?') res.setHeader(TRACE_HEADER, `Root=${segment.trace_id};Sampled=1`);

  onResponseEnd(res, () => {
    try {
      closeSegment(segment, res);
    } catch (err) {
      tracingFailed(err);
    }
  });
}

/** Records the response on the segment and closes it, which sends it to the daemon. */
function closeSegment(segment: Segment, res: ServerResponse): void {
  // As the SDK's own middleware closes a segment (mw_utils.traceRequestResponseCycle).
  if (res.statusCode === 429) segment.addThrottleFlag();
  if (res.statusCode >= 500) segment.addFaultFlag();
  else if (res.statusCode >= 400) segment.addErrorFlag();
  const http = requestData(segment);
  if (http) {
    http.close(res);
    // The SDK reads the length from `res.headers`, which only some frameworks set.
    const length = Number(res.getHeader('content-length'));
    if (Number.isFinite(length) && http.response) http.response.content_length = length;
  }
  segment.close();
}

/**
 * The request's trace id in X-Ray form (`1-xxxxxxxx-<24 hex>`) while it is
 * traced, else undefined: Rollbar items carry it, so an error leads to its trace.
 */
export function traceIdOf(req: IncomingMessage): string | undefined {
  return segments.get(req)?.trace_id;
}

/** Nothing waits: the SDK sends each segment by UDP the moment it closes. */
export function flushTracing(_timeoutMs: number): Promise<void> {
  return Promise.resolve();
}

/** Error hook: records `err` on the request's segment, if the request is traced. Call it from the error handler. */
export function recordError(err: unknown, req: IncomingMessage): void {
  const segment = segments.get(req);
  if (segment && err !== null && (typeof err === 'object' || typeof err === 'string')) {
    try {
      segment.addError(err as Error | string);
    } catch (failure) {
      tracingFailed(failure);
    }
  }
}

/** A span of a sampled request: records on its SDK subsegment. */
class SubsegmentSpan implements Span {
  constructor(readonly subsegment: Subsegment) {}
  annotate(key: string, value: string | number | boolean): void {
    try {
      this.subsegment.addAnnotation(key, value);
    } catch (err) {
      tracingFailed(err);
    }
  }
  metadata(key: string, value: unknown, namespace?: string): void {
    try {
      this.subsegment.addMetadata(key, value, namespace);
    } catch (err) {
      tracingFailed(err);
    }
  }
}

/** A new subsegment of `parent`, or undefined when the request is not traced (or the SDK failed). */
function openSubsegment(parent: TraceParent, name: string): Subsegment | undefined {
  try {
    const owner =
      parent instanceof SubsegmentSpan ? parent.subsegment : segments.get(parent as IncomingMessage);
    return owner?.addNewSubsegment(cleanSegmentName(name, 'subsegment'));
  } catch (err) {
    tracingFailed(err);
    return undefined;
  }
}

/** Closes `sub`, recording `err` when `fn` failed. Closing the last one may send the segment. */
function closeSubsegment(sub: Subsegment, failed: boolean, err?: unknown): void {
  try {
    if (failed) sub.close(errorOf(err));
    else sub.close();
  } catch (failure) {
    tracingFailed(failure);
  }
}

function errorOf(err: unknown): Error | string {
  return err instanceof Error || typeof err === 'string' ? err : String(err);
}

/**
 * Runs `fn` in a subsegment `name` of `parent` (the request's segment, or the
 * enclosing span's subsegment), closing it when `fn` returns or its promise
 * settles and recording a thrown error. When the request is not sampled, `fn`
 * just runs, with a span that records nothing.
 */
export function withSubsegment<T>(parent: TraceParent, name: string, fn: (span: Span) => T): T {
  const sub = openSubsegment(parent, name);
  if (!sub) return fn(NOOP_SPAN);
  return runInSpan(new SubsegmentSpan(sub), fn, (failed, err) => closeSubsegment(sub, failed, err));
}
