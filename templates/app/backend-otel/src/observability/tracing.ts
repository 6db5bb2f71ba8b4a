// Tracing with OpenTelemetry, exported to AWS X-Ray through the CloudWatch
// agent: everything the backend knows about OpenTelemetry is in this module.
// The server, app and routes see only what ./index.ts re-exports, the same
// names as the X-Ray SDK variant: traced() around the app, recordError(),
// withSubsegment(), traceIdOf() and flushTracing(). A route written against
// them works under either variant unchanged.
//
// The packages are the OpenTelemetry JS 2.x line (@opentelemetry/api below
// 1.10): 3.x needs Node 22.15, and the X-Ray remote sampler exists only for 2.x.
//
// Environment (the conventions of AWS's OpenTelemetry distribution):
//   OTEL_SERVICE_NAME                   service.name, default SERVICE_NAME
//   OTEL_EXPORTER_OTLP_TRACES_ENDPOINT  OTLP/HTTP JSON, default http://localhost:4318/v1/traces
//   OTEL_TRACES_SAMPLER                 xray (default), always_on or always_off
//   OTEL_TRACES_SAMPLER_ARG             endpoint=http://localhost:2000,polling_interval=300
//
// NAMES AGREE. X-Ray names a segment by the resource's service.name only for
// a SERVER span, so the request span is SERVER and service.name is
// SERVICE_NAME: the sampling rule's ServiceName in aws/json/x-ray.json matches
// it, as the X-Ray SDK variant's segment name does. The request span carries
// `<SERVICE_ANNOTATION> = <SERVICE_NAME>` listed in `aws.xray.annotations`
// (the exporter makes every other attribute metadata), so the X-Ray group's
// filter is the same for both variants.
//
// COST. The sampling decision comes first: the caller's X-Amzn-Trace-Id or
// traceparent (only when it has a Parent and Sampled flag), else the X-Ray
// remote sampler, which applies the rules it polls from the agent's sampling
// proxy and, until they load or when nothing answers, its local default
// (1 request a second, then 5%). A request that is not sampled costs that
// decision and nothing else: no listeners, no attributes, nothing exported.
// A sampled request's spans go out in batches (BatchSpanProcessor), off the
// request path.
//
// CONTEXT is explicit, as in the X-Ray variant: withSubsegment() takes the
// request, or the enclosing span, as its parent. No context manager is
// registered: AsyncLocalStorage runs for every async operation of every
// request, sampled or not.
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  diag,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  DiagLogLevel,
  type Attributes,
  type Span as OtelSpan,
  type Tracer,
} from '@opentelemetry/api';
import { CompositePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { AWSXRayIdGenerator } from '@opentelemetry/id-generator-aws-xray';
import { AWSXRayPropagator } from '@opentelemetry/propagator-aws-xray';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AWSXRayRemoteSampler } from '@opentelemetry/sampler-aws-xray';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  TracerProvider,
  type Sampler,
} from '@opentelemetry/sdk-trace';
import { log } from '../log.js';
import { SERVICE_ANNOTATION, SERVICE_NAME } from '../service.js';
import { NOOP_SPAN, onResponseEnd, runInSpan, type Listener, type Span, type TraceParent } from './span.js';

export type { Span, TraceParent } from './span.js';

export interface TracingOptions {
  /**
   * AWS_XRAY_URL, for the X-Ray SDK variant's dynamic naming. Unused here:
   * X-Ray names a SERVER span's segment by service.name, and the Host is in
   * the span's server.address.
   */
  hostPattern: string;
}

type Env = Readonly<Record<string, string | undefined>>;

const DEFAULT_OTLP_ENDPOINT = 'http://localhost:4318/v1/traces';
const DEFAULT_SAMPLING_ENDPOINT = 'http://localhost:2000';
const ANNOTATIONS = 'aws.xray.annotations';
const METADATA_PREFIX = 'aws.xray.metadata.';
const KEY = /[^A-Za-z0-9_]/g;

/** The sampler's own rule-polling default, and the least it accepts (seconds). */
const DEFAULT_POLLING_INTERVAL = 300;
const MIN_POLLING_INTERVAL = 10;

/**
 * `endpoint=http://agent:2000,polling_interval=300` -> its parts. The interval
 * is always given to the sampler: left out, the sampler would log a warning at
 * every start for a setting the generated environment does not use.
 */
export function samplerArgument(raw: string | undefined): {
  endpoint: string;
  pollingInterval: number;
  problem?: string;
} {
  const parts = new Map<string, string>();
  for (const item of (raw ?? '').split(',')) {
    const eq = item.indexOf('=');
    if (eq > 0) parts.set(item.slice(0, eq).trim(), item.slice(eq + 1).trim());
  }
  const endpoint = (parts.get('endpoint') || DEFAULT_SAMPLING_ENDPOINT).replace(/\/+$/, '');
  const given = parts.get('polling_interval');
  if (given === undefined) return { endpoint, pollingInterval: DEFAULT_POLLING_INTERVAL };
  const interval = Number(given);
  if (given !== '' && Number.isFinite(interval) && interval >= MIN_POLLING_INTERVAL) {
    return { endpoint, pollingInterval: interval };
  }
  return {
    endpoint,
    pollingInterval: DEFAULT_POLLING_INTERVAL,
    problem:
      `OTEL_TRACES_SAMPLER_ARG polling_interval=${given} is not a number of seconds >= ${MIN_POLLING_INTERVAL}; ` +
      `polling the sampling rules every ${DEFAULT_POLLING_INTERVAL} s`,
  };
}

type SamplerName = 'xray' | 'always_on' | 'always_off';

interface Setup {
  serviceName: string;
  otlpEndpoint: string;
  sampler: SamplerName;
  samplingEndpoint: string;
}

let setup: Setup | undefined;
let provider: TracerProvider | undefined;
let tracer: Tracer | undefined;

function samplerFor(
  name: SamplerName,
  argument: ReturnType<typeof samplerArgument>,
  resource: ReturnType<typeof resourceFromAttributes>,
): Sampler {
  // As with the X-Ray sampler, a caller's Sampled flag decides for its trace.
  if (name === 'always_on') return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  if (name === 'always_off') return new ParentBasedSampler({ root: new AlwaysOffSampler() });
  const { endpoint, pollingInterval, problem } = argument;
  if (problem) log.warn(problem);
  // Wrapped in a parent-based sampler by the package itself.
  return new AWSXRayRemoteSampler({ resource, endpoint, pollingInterval });
}

// The SDK's own diagnostics (export failures, sampler polls) come through
// here: a recurring problem is logged once, not once per batch or poll.
diag.setLogger(
  {
    error: (message: string, ...args: unknown[]) => sdkProblem('error', message, args[0]),
    warn: (message: string, ...args: unknown[]) => sdkProblem('warn', message, args[0]),
    info() {},
    debug() {},
    verbose() {},
  },
  DiagLogLevel.WARN,
);

function sdkProblem(level: 'warn' | 'error', message: string, detail: unknown): void {
  const text = String(message).replace(/[:\s]+$/, '');
  log.once(
    `otel:${text.slice(0, 40)}`,
    level,
    `OpenTelemetry: ${text} (further occurrences are not logged)`,
    detail,
  );
}

/** Sets up the tracer provider from the environment; traced() calls it if nobody has. */
export function configureTracing(_options?: TracingOptions, env: Env = process.env): void {
  if (provider) return;
  const given = env.OTEL_TRACES_SAMPLER?.trim().toLowerCase() || 'xray';
  // Decided here, once, so the sampler built and the start-up line agree.
  const sampler: SamplerName = given === 'always_on' || given === 'always_off' ? given : 'xray';
  if (given !== sampler) {
    log.warn(`OTEL_TRACES_SAMPLER ${JSON.stringify(given)} is not xray, always_on or always_off; using xray`);
  }
  const argument = samplerArgument(env.OTEL_TRACES_SAMPLER_ARG);
  setup = {
    serviceName: env.OTEL_SERVICE_NAME?.trim() || SERVICE_NAME,
    otlpEndpoint: env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || DEFAULT_OTLP_ENDPOINT,
    sampler,
    samplingEndpoint: argument.endpoint,
  };
  if (setup.serviceName !== SERVICE_NAME) {
    log.warn(
      `OTEL_SERVICE_NAME ${JSON.stringify(setup.serviceName)} is not ${JSON.stringify(SERVICE_NAME)}: ` +
        'the sampling rule and the X-Ray group will not match these traces',
    );
  }
  const resource = resourceFromAttributes({ 'service.name': setup.serviceName });
  provider = new TracerProvider({
    resource,
    sampler: samplerFor(sampler, argument, resource),
    // X-Ray trace ids (epoch seconds first): X-Ray's own form, whatever the collector checks.
    idGenerator: new AWSXRayIdGenerator(),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({ url: setup.otlpEndpoint }),
        scheduledDelayMillis: 1000,
      }),
    ],
  });
  tracer = provider.getTracer(SERVICE_NAME);
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new AWSXRayPropagator(), new W3CTraceContextPropagator()] }),
  );
}

/** One line describing the set-up, for the start-up log. */
export function describeTracing(): string {
  configureTracing();
  const s = setup as Setup;
  const sampling = s.sampler === 'xray' ? `X-Ray rules from ${s.samplingEndpoint}` : s.sampler;
  return (
    `OpenTelemetry: spans to ${s.otlpEndpoint} (OTLP/HTTP JSON); sampling ${sampling}; ` +
    `service.name ${s.serviceName}; annotation ${SERVICE_ANNOTATION}=${SERVICE_NAME}`
  );
}

/** Sends the spans still queued, at most `timeoutMs`; call it before exiting. */
export async function flushTracing(timeoutMs: number): Promise<void> {
  if (!provider) return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      log.warn(`OpenTelemetry: spans still queued after ${timeoutMs} ms; not waiting longer`);
      resolve();
    }, timeoutMs);
  });
  await Promise.race([provider.forceFlush().catch(() => undefined), timeout]);
  clearTimeout(timer);
}

/** The request span and what its end still needs. */
const spans = new WeakMap<IncomingMessage, OtelSpan>();

/** `host:port` or `[v6]:port` -> the host. */
function hostOf(header: string | undefined): string {
  if (!header) return '';
  if (header.startsWith('[')) return header.slice(1, header.indexOf(']'));
  const colon = header.indexOf(':');
  return colon < 0 ? header : header.slice(0, colon);
}

/**
 * Wraps the app (any `(req, res)` request listener) so every request is
 * traced: `createServer(traced(app))`. Outside Express rather than an
 * Express middleware, so a request that is not sampled does not even cost a
 * router layer.
 */
export function traced(listener: Listener): Listener {
  configureTracing();
  const t = tracer as Tracer;
  return (req, res) => {
    const headers = req.headers;
    // Only a caller's header can continue a trace; without one, skip the extraction.
    const parent =
      headers['x-amzn-trace-id'] || headers.traceparent
        ? propagation.extract(ROOT_CONTEXT, headers)
        : ROOT_CONTEXT;
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const method = req.method ?? 'GET';
    // What the sampler matches, set at the start (it reads only these).
    const attributes: Attributes = {
      'http.request.method': method,
      'url.path': query < 0 ? url : url.slice(0, query),
      'server.address': hostOf(headers.host),
    };
    const span = t.startSpan(method, { kind: SpanKind.SERVER, attributes }, parent);
    if (span.isRecording()) startRequestSpan(req, res, span, method, query < 0 ? '' : url.slice(query + 1));
    listener(req, res);
  };
}

function startRequestSpan(
  req: IncomingMessage,
  res: ServerResponse,
  span: OtelSpan,
  method: string,
  query: string,
): void {
  span.setAttribute(SERVICE_ANNOTATION, SERVICE_NAME);
  span.setAttribute(ANNOTATIONS, [SERVICE_ANNOTATION]);
  span.setAttribute('url.scheme', 'http');
  if (query) span.setAttribute('url.query', query);
  const agent = req.headers['user-agent'];
  if (agent) span.setAttribute('user_agent.original', agent);
  const client = req.socket.remoteAddress;
  if (client) span.setAttribute('client.address', client);
  spans.set(req, span);

  onResponseEnd(res, () => {
    const status = res.statusCode;
    span.setAttribute('http.response.status_code', status);
    // Express sets req.route to the matched route; its path names the span.
    const route = (req as { route?: { path?: unknown } }).route?.path;
    if (typeof route === 'string') {
      span.setAttribute('http.route', route);
      span.updateName(`${method} ${route}`);
    }
    if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
}

/**
 * The request's trace id in X-Ray form (`1-xxxxxxxx-<24 hex>`) while it is
 * traced, else undefined: Rollbar items carry it, so an error leads to its trace.
 */
export function traceIdOf(req: IncomingMessage): string | undefined {
  const id = spans.get(req)?.spanContext().traceId;
  return id ? `1-${id.slice(0, 8)}-${id.slice(8)}` : undefined;
}

function recordOn(span: OtelSpan, err: unknown): void {
  const error = err instanceof Error ? err : new Error(String(err));
  span.recordException(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
}

/** Error hook: records `err` on the request's span, if the request is traced. Call it from the error handler. */
export function recordError(err: unknown, req: IncomingMessage): void {
  const span = spans.get(req);
  if (span && err !== null && err !== undefined) recordOn(span, err);
}

/**
 * A span of a sampled request. Annotations are attributes listed in
 * `aws.xray.annotations`; metadata is kept per namespace and written when the
 * span ends as `aws.xray.metadata.<namespace>` (a JSON string), which the
 * X-Ray exporter turns into that metadata namespace.
 */
class ChildSpan implements Span {
  private readonly annotations: string[] = [];
  private metadataByNamespace: Map<string, Record<string, unknown>> | undefined;
  constructor(readonly span: OtelSpan) {}
  annotate(key: string, value: string | number | boolean): void {
    // X-Ray annotation keys allow [A-Za-z0-9_] only.
    const clean = key.replace(KEY, '_');
    this.span.setAttribute(clean, value);
    if (!this.annotations.includes(clean)) this.annotations.push(clean);
  }
  metadata(key: string, value: unknown, namespace = 'default'): void {
    this.metadataByNamespace ??= new Map();
    const entries = this.metadataByNamespace.get(namespace) ?? {};
    entries[key] = value;
    this.metadataByNamespace.set(namespace, entries);
  }
  end(err?: unknown): void {
    if (this.annotations.length > 0) this.span.setAttribute(ANNOTATIONS, this.annotations);
    for (const [namespace, entries] of this.metadataByNamespace ?? []) {
      this.span.setAttribute(METADATA_PREFIX + namespace, JSON.stringify(entries));
    }
    if (err !== undefined) recordOn(this.span, err);
    this.span.end();
  }
}

/**
 * Runs `fn` in a child span `name` of `parent` (the request's span, or the
 * enclosing span), ending it when `fn` returns or its promise settles and
 * recording a thrown error. When the request is not sampled, `fn` just runs,
 * with a span that records nothing.
 */
export function withSubsegment<T>(parent: TraceParent, name: string, fn: (span: Span) => T): T {
  const owner = parent instanceof ChildSpan ? parent.span : spans.get(parent as IncomingMessage);
  if (!owner || !tracer) return fn(NOOP_SPAN);
  const child = new ChildSpan(
    tracer.startSpan(name, { kind: SpanKind.INTERNAL }, trace.setSpan(ROOT_CONTEXT, owner)),
  );
  return runInSpan(child, fn, (_failed, err) => child.end(err));
}
