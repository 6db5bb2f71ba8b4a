// Tracing with AWS X-Ray: everything the backend knows about X-Ray is in this
// module and its xray-* helpers. Routes and the app see only what ./index.ts
// re-exports: a middleware, an error hook and withSubsegment(). An
// OpenTelemetry (ADOT) variant can sit beside this file with the same
// exports; switching is a one-line change in ./index.ts. (AWS put the X-Ray
// SDKs and daemon into maintenance mode on 2026-02-25; support ends
// 2027-02-25.)
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
// sampled costs that decision and nothing else: no document, no ids, no
// listeners. A sampled request gets a segment document (built here, see
// xray-document.ts), sent as one UDP datagram when the response ends.
//
// CONTEXT is explicit ("manual mode"): withSubsegment() takes the request, or
// the enclosing span, as its parent. The SDK's automatic mode (cls-hooked)
// cost two thirds of the throughput; AsyncLocalStorage on Node 20 still runs
// an async_hooks callback for every async operation of every request, sampled
// or not (about 5% here). Routes have the request anyway.
import './xray-preload.js';
import { createRequire } from 'node:module';
import AWSXRay from 'aws-xray-sdk-core';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { log } from '../log.js';
import { SERVICE_ANNOTATION, SERVICE_NAME } from '../service.js';
import { cleanSegmentName, segmentName } from './segment-name.js';
import {
  addAnnotation,
  addMetadata,
  causeOf,
  markOpen,
  newSpanId,
  newTraceId,
  nowSeconds,
  parseTraceHeader,
  type SegmentDocument,
  type SubsegmentDocument,
  type TraceHeader,
} from './xray-document.js';
import { daemonDescription, emit } from './xray-emitter.js';

/** What a traced block may record. */
export interface Span {
  /** Indexed key/value, searchable in the console (`annotation.<key> = ...`). */
  annotate(key: string, value: string | number | boolean): void;
  /** Any JSON value, shown with the trace, not indexed. */
  metadata(key: string, value: unknown, namespace?: string): void;
}

/** Where a subsegment hangs: the request (its segment) or an enclosing span. */
export type TraceParent = IncomingMessage | Span;

interface Sampler {
  /** true, false, or the name of the matched centralized rule (sampled); undefined on an internal error. */
  shouldSample(request: { host?: string; httpMethod?: string; urlPath?: string; serviceName?: string }):
    | boolean
    | string
    | undefined;
}

const TRACE_HEADER = 'x-amzn-trace-id';
/** Bound on request fields copied into a document (X-Ray's limit is 64 KB per document). */
const MAX_FIELD = 2048;

const sampler = (AWSXRay.middleware as unknown as { sampler: Sampler }).sampler;
const segments = new WeakMap<IncomingMessage, SegmentDocument>();
const SDK = {
  sdk: 'X-Ray for Node.js',
  sdk_version: (createRequire(import.meta.url)('aws-xray-sdk-core/package.json') as { version: string }).version,
  package: 'aws-xray-sdk-core',
};
const SERVICE = { runtime: 'node', runtime_version: process.version, name: SERVICE_NAME };
let hostPattern = '';

// The SDK's own logging (the sampling-rule pollers) goes through here:
// debug/info are dropped, and a recurring problem is logged once.
AWSXRay.setLogger({
  debug() {},
  info() {},
  warn: (message: unknown, meta?: unknown) => sdkProblem('warn', message, meta),
  error: (message: unknown, meta?: unknown) => sdkProblem('error', message, meta),
});

function sdkProblem(level: 'warn' | 'error', message: unknown, meta: unknown): void {
  const text = String(message).replace(/[:\s]+$/, '');
  log.once(`xray:sdk:${text.split(':')[0]}`, level, `X-Ray: ${text} (further occurrences are not logged)`, meta);
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
  const naming = hostPattern ? `Host if it matches ${JSON.stringify(hostPattern)}, else ${SERVICE_NAME}` : SERVICE_NAME;
  return `X-Ray: daemon ${daemonDescription()}; segments named ${naming}; annotation ${SERVICE_ANNOTATION}=${SERVICE_NAME}`;
}

function clamp(text: string): string {
  return text.length <= MAX_FIELD ? text : text.slice(0, MAX_FIELD);
}

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Wraps the app (any `(req, res)` request listener) so every request is
 * traced: `createServer(traced(app))`. Outside Express rather than an
 * Express middleware, so a request that is not sampled does not even cost a
 * router layer.
 */
export function traced(listener: Listener): Listener {
  return (req, res) => {
    const header = req.headers[TRACE_HEADER];
    const trace = typeof header === 'string' && header ? parseTraceHeader(header) : undefined;
    let decision: boolean | string | undefined =
      trace?.sampled === '1' ? true : trace?.sampled === '0' ? false : undefined;
    if (decision === undefined) {
      decision = sampler.shouldSample({
        host: req.headers.host,
        httpMethod: req.method,
        urlPath: req.url,
        serviceName: SERVICE_NAME,
      });
    }
    if (!decision) {
      // Not sampled: answer a caller that asked for the decision, nothing else.
      if (trace?.sampled === '?' && trace.root) res.setHeader(TRACE_HEADER, `Root=${trace.root};Sampled=0`);
      listener(req, res);
      return;
    }
    startSegment(req, res, trace, decision);
    listener(req, res);
  };
}

function startSegment(
  req: IncomingMessage,
  res: ServerResponse,
  trace: TraceHeader | undefined,
  decision: true | string,
): void {
  const host = req.headers.host;
  const forwarded = req.headers['x-forwarded-for'];
  const encrypted = (req.socket as { encrypted?: boolean }).encrypted === true;
  const request: Record<string, string | boolean> = {
    method: req.method ?? '',
    url: clamp(`${encrypted ? 'https' : 'http'}://${host ?? ''}${req.url ?? ''}`),
    user_agent: clamp(req.headers['user-agent'] ?? ''),
    client_ip: clamp(
      (typeof forwarded === 'string' ? forwarded.split(',')[0]?.trim() : undefined) ?? req.socket.remoteAddress ?? '',
    ),
  };
  if (typeof forwarded === 'string') request.x_forwarded_for = true;
  const segment: SegmentDocument = {
    name: segmentName(host, hostPattern, SERVICE_NAME),
    id: newSpanId(),
    trace_id: trace?.root ?? newTraceId(),
    start_time: nowSeconds(),
    http: { request },
    annotations: { [SERVICE_ANNOTATION]: SERVICE_NAME },
    aws: { xray: typeof decision === 'string' ? { ...SDK, rule_name: decision } : SDK },
    service: SERVICE,
  };
  if (trace?.parent) segment.parent_id = trace.parent;
  segments.set(req, segment);
  if (trace?.sampled === '?') res.setHeader(TRACE_HEADER, `Root=${segment.trace_id};Sampled=1`);

  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    segment.end_time = nowSeconds();
    const status = res.statusCode;
    const length = Number(res.getHeader('content-length'));
    segment.http.response = Number.isFinite(length) ? { status, content_length: length } : { status };
    if (status === 429) segment.throttle = true;
    if (status >= 500) segment.fault = true;
    else if (status >= 400) segment.error = true;
    markOpen(segment.subsegments);
    emit(segment);
  };
  res.once('finish', end);
  res.once('close', end);
}

/** Error hook: records `err` on the request's segment, if the request is traced. Call it from the error handler. */
export function recordError(err: unknown, req: IncomingMessage): void {
  const segment = segments.get(req);
  if (!segment) return;
  segment.fault = true;
  segment.cause = causeOf(err);
}

const NOOP_SPAN: Span = { annotate() {}, metadata() {} };

/** A span of a sampled request: writes into its subsegment document. */
class SubsegmentSpan implements Span {
  constructor(readonly doc: SubsegmentDocument) {}
  annotate(key: string, value: string | number | boolean): void {
    addAnnotation(this.doc, key, value);
  }
  metadata(key: string, value: unknown, namespace?: string): void {
    addMetadata(this.doc, key, value, namespace);
  }
}

function close(sub: SubsegmentDocument, err?: unknown): void {
  sub.end_time = nowSeconds();
  if (err !== undefined) {
    sub.fault = true;
    sub.cause = causeOf(err);
  }
}

/**
 * Runs `fn` in a subsegment `name` of `parent` (the request's segment, or the
 * enclosing span's subsegment), closing it when `fn` returns or its promise
 * settles and recording a thrown error. When the request is not sampled, `fn`
 * just runs, with a span that records nothing.
 */
export function withSubsegment<T>(parent: TraceParent, name: string, fn: (span: Span) => T): T {
  const parentDoc = parent instanceof SubsegmentSpan ? parent.doc : segments.get(parent as IncomingMessage);
  if (!parentDoc) return fn(NOOP_SPAN);
  const sub: SubsegmentDocument = { id: newSpanId(), name: cleanSegmentName(name, 'subsegment'), start_time: nowSeconds() };
  (parentDoc.subsegments ??= []).push(sub);
  let result: T;
  try {
    result = fn(new SubsegmentSpan(sub));
  } catch (err) {
    close(sub, err);
    throw err;
  }
  if (typeof (result as { then?: unknown } | null)?.then !== 'function') {
    close(sub);
    return result;
  }
  return Promise.resolve(result).then(
    (value) => {
      close(sub);
      return value;
    },
    (err: unknown) => {
      close(sub, err);
      throw err;
    },
  ) as T;
}
