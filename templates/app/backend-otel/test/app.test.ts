// The app in-process: routes answer, and a sampled request exports its spans
// as OTLP/HTTP JSON to a local HTTP server standing in for the CloudWatch agent.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { createServer, type Server } from 'node:http';
import { SERVICE_ANNOTATION, SERVICE_NAME } from '../src/service.js';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: Array<{ key: string; value: Record<string, unknown> }>;
  status?: { code?: number };
}

const spans: OtlpSpan[] = [];
let collector: Server;
let server: Server;
let base = '';
let flush: (timeoutMs: number) => Promise<void>;

before(async () => {
  collector = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      const doc = JSON.parse(body) as {
        resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }>;
      };
      for (const rs of doc.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  }).listen(0, '127.0.0.1');
  await new Promise((resolve) => collector.once('listening', resolve));
  const port = (collector.address() as AddressInfo).port;
  const { createApp } = await import('../src/app.js');
  const tracing = await import('../src/observability/index.js');
  // Every request not decided by its caller is sampled, and no sampling proxy is polled.
  tracing.configureTracing(undefined, {
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${port}/v1/traces`,
    OTEL_TRACES_SAMPLER: 'always_on',
  });
  flush = tracing.flushTracing;
  const app = createApp({
    errors: tracing.setupErrorReporting({
      accessToken: undefined,
      environment: 'test',
      itemEndpoint: undefined,
    }),
  });
  server = createServer(tracing.traced(app)).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise((resolve) => server.close(resolve));
  await new Promise((resolve) => collector.close(resolve));
});

function attribute(span: OtlpSpan | undefined, key: string): unknown {
  const value = span?.attributes?.find((a) => a.key === key)?.value;
  if (!value) return undefined;
  if ('arrayValue' in value) {
    const values = (value.arrayValue as { values?: Array<{ stringValue?: string }> }).values ?? [];
    return values.map((v) => v.stringValue);
  }
  return Object.values(value)[0];
}

/** The spans of trace `traceId` (32 hex), after a flush. */
async function spansOf(traceId: string): Promise<OtlpSpan[]> {
  await flush(5000);
  return spans.filter((s) => s.traceId === traceId);
}

let counter = 0;
/** A fresh X-Ray trace id and the same id in OpenTelemetry's form. */
function traceIds(): { xray: string; otel: string } {
  const time = Math.floor(Date.now() / 1000).toString(16);
  const rest = (++counter).toString(16).padStart(24, '0');
  return { xray: `1-${time}-${rest}`, otel: time + rest };
}

test('GET /api/health answers 200', async () => {
  const res = await fetch(`${base}/api/health`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { status: 'ok' });
});

test('a sampled request exports a SERVER span with the service annotation and the mock-data child', async () => {
  const id = traceIds();
  const res = await fetch(`${base}/api/activities/home`, {
    headers: { 'x-amzn-trace-id': `Root=${id.xray};Parent=53995c3f42cd8ad8;Sampled=1` },
  });
  assert.equal(res.status, 200);
  assert.ok(Array.isArray(await res.json()));
  const found = await spansOf(id.otel);
  const request = found.find((s) => s.kind === 2);
  assert.ok(request, 'request span exported');
  assert.equal(request.parentSpanId, '53995c3f42cd8ad8');
  assert.equal(attribute(request, SERVICE_ANNOTATION), SERVICE_NAME);
  assert.deepEqual(attribute(request, 'aws.xray.annotations'), [SERVICE_ANNOTATION]);
  assert.equal(attribute(request, 'url.path'), '/api/activities/home');
  assert.equal(attribute(request, 'http.response.status_code'), 200);
  const child = found.find((s) => s.name === 'mock-data');
  assert.equal(child?.parentSpanId, request.spanId);
  assert.deepEqual(attribute(child, 'aws.xray.annotations'), ['activities_count']);
  assert.equal(typeof attribute(child, 'activities_count'), 'number');
  const metadata = JSON.parse(String(attribute(child, 'aws.xray.metadata.cruddur'))) as {
    query?: { results_size?: unknown };
  };
  assert.equal(typeof metadata.query?.results_size, 'number');
});

test('a request its caller did not sample exports nothing and still answers', async () => {
  const id = traceIds();
  const res = await fetch(`${base}/api/health`, {
    headers: { 'x-amzn-trace-id': `Root=${id.xray};Parent=53995c3f42cd8ad8;Sampled=0` },
  });
  assert.equal(res.status, 200);
  assert.deepEqual(await spansOf(id.otel), []);
});

test('an error in a route answers 500 JSON and marks the span as an error', async () => {
  const id = traceIds();
  const res = await fetch(`${base}/rollbar/test/error`, {
    headers: { traceparent: `00-${id.otel}-53995c3f42cd8ad8-01` },
  });
  assert.equal(res.status, 500);
  assert.deepEqual(await res.json(), { error: 'Internal Server Error' });
  const [request] = await spansOf(id.otel);
  assert.equal(request?.status?.code, 2);
  assert.equal(attribute(request, 'http.response.status_code'), 500);
});

test('unknown paths answer 404 JSON', async () => {
  const res = await fetch(`${base}/nope`);
  assert.equal(res.status, 404);
});
