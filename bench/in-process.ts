// What tracing costs a request in process, without HTTP or the network: the
// generated backend's own traced() and its /api/activities/home handler,
// driven with Node's real IncomingMessage and ServerResponse, sending
// segments (xray) or spans (otel) to the bench's local sinks. The server
// series in backend.ts carry the machine's phases; this figure is far steadier
// (results.md, "Bench method"), so a change of a few µs to the tracing path
// shows here where it drowns there. Beside it, the same trace made with the
// tracing library's own API and nothing else (the request's segment or SERVER
// span with its HTTP data, a child with the route's annotation and metadata,
// both closed and sent): what a backend using the library plainly pays for
// this trace, so what the template adds (sampling, naming, listeners) shows
// against it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';

export interface InProcessCost {
  /** µs that tracing adds to a request whose caller says `Sampled=1`: spans or segments made, serialised, sent. */
  tracedUs: number;
  /** µs that traced() adds to a request whose caller says `Sampled=0`: the decision only. */
  untracedUs: number;
  /** µs per request of the same loop with the handler called directly, the baseline of the others. */
  baselineUs: number;
  /** µs that the same trace costs made with the library's API alone: its floor. */
  sdkFloorUs: number;
  /**
   * otel only: µs that traced() adds to a request with no trace header, decided
   * by the sampling rule the bench serves (the generated one): what a default
   * workspace pays per request on average, sampled share included.
   */
  byRuleUs?: number;
}

/** The trace id of every caller header, here and in backend.ts's server series. */
const TRACE_ID = '1-5759e988-bd862e3fe1be46a994272793';

/**
 * A caller's trace header, before its `;Sampled=0` or `;Sampled=1`: a valid
 * (non-zero) Root with a Parent, the one form both variants continue
 * (OpenTelemetry's propagator drops a Root without a Parent).
 */
export const CALLER = `Root=${TRACE_ID};Parent=53995c3f42cd8ad8`;

// Shared by both variants' scripts: the generated route captured from
// activitiesRoutes (it registers on anything with get()), a listener that
// ends the response as Express's res.json would (only that is stood in), and
// the measuring loop.
const HARNESS = `import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { activitiesRoutes } from './dist/src/routes/activities.js';
import { homeActivities } from './dist/src/services/home-activities.js';

let handler;
activitiesRoutes({ get: (_path, h) => { handler = h; } });
const listener = (req, res) => {
  handler(req, {
    json(body) {
      res.statusCode = 200;
      res.setHeader('content-length', JSON.stringify(body).length);
      res.emit('finish');
    },
  });
};

const ROOT = '${CALLER}';
/** µs per request of \`serve\`, each request carrying \`Sampled=<sampled>\`, or no trace header when undefined. */
async function perRequest(serve, sampled, n) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const req = new IncomingMessage(new Socket());
    req.method = 'GET';
    req.url = '/api/activities/home';
    req.headers = { host: '127.0.0.1:4567', 'user-agent': 'bench' };
    if (sampled !== undefined) req.headers['x-amzn-trace-id'] = ROOT + ';Sampled=' + sampled;
    serve(req, new ServerResponse(req));
    // Let the sends go out, as a server's event loop would.
    if (i % 100 === 99) await new Promise((ok) => setImmediate(ok));
  }
  return Number(process.hrtime.bigint() - start) / n / 1000;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
/** Each series' median over the rounds of (its µs - the handler's alone); the first round warms up. */
async function measure(series) {
  const deltas = Object.fromEntries(Object.keys(series).map((k) => [k, []]));
  const base = [];
  for (let round = -1; round < Number(process.env.ROUNDS); round++) {
    const b = await perRequest(listener, '0', Number(process.env.N));
    const costs = {};
    for (const [name, [serve, sampled]] of Object.entries(series)) {
      costs[name] = (await perRequest(serve, sampled, Number(process.env.N))) - b;
    }
    if (round < 0) continue;
    base.push(b);
    for (const name of Object.keys(series)) deltas[name].push(costs[name]);
  }
  const out = { baselineUs: median(base) };
  for (const [name, xs] of Object.entries(deltas)) out[name] = median(xs);
  console.log(JSON.stringify(out));
}
`;

const XRAY_SCRIPT = `${HARNESS}
import { traced } from './dist/src/observability/index.js';
// After the backend's modules: they load the SDK in manual mode (xray-preload).
import AWSXRay from 'aws-xray-sdk-core';

// The SDK's floor: the same trace made with its API alone, around the route's work.
const ROOT_ID = '${TRACE_ID}';
const sdkOnly = (req, res) => {
  const segment = new AWSXRay.Segment('backend-express', ROOT_ID);
  segment.addIncomingRequestData(new AWSXRay.middleware.IncomingRequestData(req));
  const sub = segment.addNewSubsegment('mock-data');
  const now = new Date();
  const data = homeActivities(now);
  sub.addAnnotation('activities_count', data.length);
  sub.addMetadata('query', { now: now.toISOString(), results_size: data.length }, 'cruddur');
  sub.close();
  res.statusCode = 200;
  res.setHeader('content-length', JSON.stringify(data).length);
  segment.http.close(res);
  segment.close();
};

const app = traced(listener);
await measure({ tracedUs: [app, '1'], untracedUs: [app, '0'], sdkFloorUs: [sdkOnly, '1'] });
`;

const OTEL_SCRIPT = `${HARNESS}
import { traced } from './dist/src/observability/index.js';
import { propagation, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { AWSXRayIdGenerator } from '@opentelemetry/id-generator-aws-xray';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOnSampler, BatchSpanProcessor, ParentBasedSampler, TracerProvider } from '@opentelemetry/sdk-trace';

// The library's floor: the same two spans made with the API alone, on a
// provider set up as the template's (X-Ray ids, batches to the same sink),
// around the route's work.
const provider = new TracerProvider({
  resource: resourceFromAttributes({ 'service.name': process.env.OTEL_SERVICE_NAME }),
  sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }),
  idGenerator: new AWSXRayIdGenerator(),
  spanProcessors: [
    new BatchSpanProcessor({
      exporter: new OTLPTraceExporter({ url: process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT }),
      scheduledDelayMillis: 1000,
    }),
  ],
});
const tracer = provider.getTracer('floor');
const sdkOnly = (req, res) => {
  const parent = propagation.extract(ROOT_CONTEXT, req.headers);
  const attributes = { 'http.request.method': req.method, 'url.path': req.url, 'server.address': '127.0.0.1' };
  const span = tracer.startSpan('GET', { kind: SpanKind.SERVER, attributes }, parent);
  const child = tracer.startSpan('mock-data', {}, trace.setSpan(ROOT_CONTEXT, span));
  const now = new Date();
  const data = homeActivities(now);
  child.setAttribute('activities_count', data.length);
  child.setAttribute('aws.xray.annotations', ['activities_count']);
  child.setAttribute('aws.xray.metadata.cruddur', JSON.stringify({ query: { now: now.toISOString(), results_size: data.length } }));
  child.end();
  res.statusCode = 200;
  res.setHeader('content-length', JSON.stringify(data).length);
  span.setAttribute('http.response.status_code', 200);
  span.end();
};

const app = traced(listener);
// The sampling rules load from the bench's proxy before anything is measured.
await new Promise((ok) => setTimeout(ok, 1000));
await measure({
  tracedUs: [app, '1'],
  untracedUs: [app, '0'],
  byRuleUs: [app, undefined],
  sdkFloorUs: [sdkOnly, '1'],
});
`;

/**
 * Runs the variant's script next to the built backend in `backendDir`, with
 * `node` launched by `launch` (pinned like the servers) and `env` (where the
 * backend sends, at least). Asynchronously, so the caller's sinks keep
 * draining what it sends.
 */
export async function inProcessCost(
  variant: 'xray' | 'otel',
  backendDir: string,
  launch: (args: string[]) => [string, string[]],
  env: Record<string, string>,
  { requests = 20_000, rounds = 5 } = {},
): Promise<InProcessCost> {
  const file = 'bench-in-process.mjs';
  writeFileSync(join(backendDir, file), variant === 'otel' ? OTEL_SCRIPT : XRAY_SCRIPT);
  const [command, args] = launch([file]);
  const run = await execa(command, args, {
    cwd: backendDir,
    env: { ...env, N: String(requests), ROUNDS: String(rounds) },
    extendEnv: false,
    timeout: 300_000,
    reject: false,
  });
  const last = run.stdout.trim().split('\n').at(-1) ?? '';
  if (run.exitCode !== 0 || !last.startsWith('{')) {
    throw new Error(
      `in-process bench (${variant}) failed (${run.timedOut ? 'timed out' : `exit ${run.exitCode}`}): ${run.stderr || run.stdout}`,
    );
  }
  return JSON.parse(last) as InProcessCost;
}
