// End to end, the `otel` variant: generate a workspace with --tracing otel,
// really install, type-check, test and run its backend, and watch what it
// sends: OTLP/HTTP JSON on a local stand-in for the CloudWatch agent's OTLP
// receiver, sampling-rule polls on a local stand-in for its X-Ray sampling
// proxy (serving the generated rule), items on a local stand-in for the
// Rollbar API. Only loopback addresses; ports are ephemeral; every wait has a
// deadline.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { groupFilterExpression, samplingRule, SERVICE_ANNOTATION } from '../src/answers/names.js';
import { startOtlpCollectorFake, type OtlpCollectorFake, type ReceivedSpan } from './fakes/otlp-collector.js';
import { startRollbarFake, type RecordedRequest, type RollbarFake } from './fakes/rollbar-api.js';
import { startSamplingProxyFake, type SamplingProxyFake } from './fakes/xray-daemon.js';
import {
  defaultAnswers,
  groupFilterMatches,
  httpGet,
  killAllBackends,
  npm,
  ruleMatches,
  startBackend,
  waitFor,
  writeWorkspace,
  type BackendProcess,
} from './support/backend.js';

const answers = defaultAnswers({ tracing: 'otel' });
const SERVICE = answers.serviceName;
const RULE = samplingRule(answers).SamplingRule;
const TOKEN = 'e2e0fake0otel0server0item0token0';
const SERVER = 2;
const INTERNAL = 1;
const ERROR = 2;

let dir = '';
let backendDir = '';
let collector: OtlpCollectorFake;
let proxy: SamplingProxyFake;
let rollbar: RollbarFake;
let main: BackendProcess;

function env(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const all: Record<string, string | undefined> = {
    PORT: '0',
    HOST: '127.0.0.1',
    OTEL_SERVICE_NAME: SERVICE,
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: collector.url,
    OTEL_TRACES_SAMPLER: 'xray',
    OTEL_TRACES_SAMPLER_ARG: `endpoint=${proxy.url}`,
    ROLLBAR_ACCESS_TOKEN: TOKEN,
    ROLLBAR_ENVIRONMENT: 'e2e',
    ROLLBAR_ENDPOINT: rollbar.baseUrl,
    ...overrides,
  };
  return Object.fromEntries(Object.entries(all).filter((e): e is [string, string] => e[1] !== undefined));
}

before(
  async () => {
    dir = mkdtempSync(join(tmpdir(), 'cruddur-otel-e2e-'));
    writeWorkspace(dir, answers, 'gitpod');
    backendDir = join(dir, SERVICE);
    await npm(['install', '--no-audit', '--no-fund', '--prefer-offline'], backendDir, 300_000);
    await npm(['run', 'build'], backendDir, 180_000);
    collector = await startOtlpCollectorFake();
    proxy = await startSamplingProxyFake([RULE]);
    rollbar = await startRollbarFake({ tokens: { [TOKEN]: ['post_server_item'] } });
    main = await startBackend(backendDir, env());
  },
  { timeout: 600_000 },
);

after(async () => {
  killAllBackends();
  await collector?.close();
  await proxy?.close();
  await rollbar?.close();
  if (dir && !process.env.KEEP_E2E_DIR) rmSync(dir, { recursive: true, force: true });
});

let counter = 0;
/** A fresh X-Ray trace id and the same id as OpenTelemetry writes it. */
function freshTrace(): { xray: string; hex: string } {
  const time = Math.floor(Date.now() / 1000).toString(16);
  const unique = `${process.pid.toString(16)}${(++counter).toString(16)}`.padStart(24, '0').slice(-24);
  return { xray: `1-${time}-${unique}`, hex: time + unique };
}

const PARENT = '53995c3f42cd8ad8';

/** A request its caller says is sampled, and its request (SERVER) span. */
async function sampled(
  path: string,
  port = main.port,
): Promise<{ status: number; body: string; span: ReceivedSpan; trace: { xray: string; hex: string } }> {
  const trace = freshTrace();
  const res = await httpGet(port, path, {
    'x-amzn-trace-id': `Root=${trace.xray};Parent=${PARENT};Sampled=1`,
  });
  const span = await collector.waitFor((s) => s.traceId === trace.hex && s.kind === SERVER);
  return { status: res.status, body: res.body, span, trace };
}

function itemData(item: RecordedRequest): Record<string, unknown> {
  return (item.body as { data: Record<string, unknown> }).data;
}

function itemsMatching(pattern: RegExp): RecordedRequest[] {
  return rollbar.items.filter((i) => pattern.test(JSON.stringify(itemData(i).body)));
}

/** A port on 127.0.0.1 that nothing listens on. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('the generated backend passes its own tests (npm test)', { timeout: 180_000 }, async () => {
  await npm(['test'], backendDir, 180_000);
});

test('started as compose starts it (sampler endpoint, no polling_interval), the backend logs no warning', async () => {
  await httpGet(main.port, '/api/health');
  const problems = main
    .stderr()
    .split('\n')
    .filter((line) => /^(warn|error):/.test(line));
  assert.deepEqual(problems, []);
});

test('an unknown OTEL_TRACES_SAMPLER: a warning names it, and the start-up line names what samples instead (the X-Ray rules)', async () => {
  const backend = await startBackend(backendDir, env({ OTEL_TRACES_SAMPLER: 'parentbased_always_on' }));
  try {
    const line = await waitFor(
      () =>
        backend
          .stdout()
          .split('\n')
          .find((l) => l.startsWith('info: OpenTelemetry: spans to ')),
      'the tracing start-up line',
    );
    assert.ok(line.includes(`; sampling X-Ray rules from ${proxy.url}; `), line);
    assert.ok(!line.includes('parentbased_always_on'), line);
    assert.match(
      backend.stderr(),
      /^warn: OTEL_TRACES_SAMPLER "parentbased_always_on" is not xray, always_on or always_off; using xray$/m,
    );
  } finally {
    assert.equal(await backend.stop('SIGTERM'), 0);
  }
});

test('its package.json has the OpenTelemetry 2.x set and nothing of the X-Ray SDK, installed without a second SDK', async () => {
  const tree = JSON.parse(await npm(['ls', '--all', '--json'], backendDir, 60_000)) as {
    dependencies: Record<string, { version: string; dependencies?: Record<string, unknown> }>;
  };
  assert.equal(tree.dependencies['aws-xray-sdk-core'], undefined);
  assert.match(tree.dependencies['@opentelemetry/sdk-trace']!.version, /^2\./);
  assert.match(tree.dependencies['@opentelemetry/api']!.version, /^1\.9\./);
  const listed = await npm(['ls', '--all'], backendDir, 60_000);
  assert.doesNotMatch(listed, /invalid|UNMET (?!OPTIONAL)/, 'no invalid or unmet peer');
  assert.doesNotMatch(listed, /@opentelemetry\/api@1\.1\d/, 'no api 1.10+');
  assert.doesNotMatch(listed, /@opentelemetry\/sdk-trace@3/, 'no nested 3.x SDK');
});

test('GET /api/activities/home: a SERVER span named by service.name and its mock-data child, as X-Ray reads them', async () => {
  const { status, body, span } = await sampled('/api/activities/home');
  assert.equal(status, 200);
  const activities = JSON.parse(body) as unknown[];
  assert.equal(span.resource['service.name'], SERVICE, 'X-Ray names a SERVER span by service.name');
  assert.equal(span.parentSpanId, PARENT);
  assert.equal(span.name, 'GET /api/activities/home');
  const a = span.attributes;
  assert.equal(a['http.request.method'], 'GET');
  assert.equal(a['url.path'], '/api/activities/home');
  assert.equal(a['server.address'], '127.0.0.1');
  assert.equal(a['http.response.status_code'], 200);
  assert.equal(a['http.route'], '/api/activities/home');
  assert.equal(a[SERVICE_ANNOTATION], SERVICE);
  assert.deepEqual(a['aws.xray.annotations'], [SERVICE_ANNOTATION]);
  assert.ok(BigInt(span.endTimeUnixNano) >= BigInt(span.startTimeUnixNano));

  const child = await collector.waitFor((s) => s.traceId === span.traceId && s.name === 'mock-data');
  assert.equal(child.kind, INTERNAL);
  assert.equal(child.parentSpanId, span.spanId);
  assert.deepEqual(child.attributes['aws.xray.annotations'], ['activities_count']);
  assert.equal(child.attributes.activities_count, activities.length);
  const metadata = JSON.parse(String(child.attributes['aws.xray.metadata.cruddur'])) as {
    query: { results_size: number };
  };
  assert.equal(metadata.query.results_size, activities.length);
  assert.equal(collector.rejected, 0);
});

test('names agree: the rule matches what the sampler is given, and the group filter matches the segment X-Ray makes', async () => {
  const { span } = await sampled('/api/activities/home');
  const a = span.attributes;
  assert.ok(
    ruleMatches(RULE, {
      serviceName: String(span.resource['service.name']),
      host: String(a['server.address']),
      httpMethod: String(a['http.request.method']),
      urlPath: String(a['url.path']),
    }),
  );
  // As the X-Ray exporter makes the segment: named by service.name (SERVER),
  // annotations are the attributes listed in aws.xray.annotations.
  const listed = a['aws.xray.annotations'] as string[];
  const segment = {
    name: span.resource['service.name'],
    annotations: Object.fromEntries(listed.map((k) => [k, a[k]])),
  };
  assert.ok(groupFilterMatches(groupFilterExpression(SERVICE), segment));
});

test('an X-Amzn-Trace-Id with Root, Parent and Sampled is continued; a Root-only one starts a new trace', async () => {
  const { span, trace } = await sampled('/api/health');
  assert.equal(span.traceId, trace.hex);
  assert.equal(span.parentSpanId, PARENT);

  const lone = freshTrace();
  const before = collector.spans.length;
  assert.equal(
    (await httpGet(main.port, '/api/health', { 'x-amzn-trace-id': `Root=${lone.xray}` })).status,
    200,
  );
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.ok(
    collector.spans.slice(before).every((s) => s.traceId !== lone.hex),
    'a Root-only header is not continued',
  );

  const w3c = freshTrace();
  assert.equal(
    (await httpGet(main.port, '/api/health', { traceparent: `00-${w3c.hex}-${PARENT}-01` })).status,
    200,
  );
  const continued = await collector.waitFor((s) => s.traceId === w3c.hex && s.kind === SERVER);
  assert.equal(continued.parentSpanId, PARENT);
});

test('a route that throws: 500, the span has error status and the exception, the Rollbar item links to the trace', async () => {
  const pattern = /an uncaught error in a route/;
  const before = itemsMatching(pattern).length;
  const { status, span, trace } = await sampled('/rollbar/test/error');
  assert.equal(status, 500);
  assert.equal(span.statusCode, ERROR);
  assert.equal(span.attributes['http.response.status_code'], 500);
  assert.ok(
    span.events.some(
      (e) => e.name === 'exception' && pattern.test(String(e.attributes['exception.message'])),
    ),
  );
  await waitFor(() => itemsMatching(pattern).length > before || undefined, 'the Rollbar error item');
  const data = itemData(itemsMatching(pattern).at(-1) as RecordedRequest);
  assert.equal((data.custom as { trace_id?: string }).trace_id, trace.xray);
  assert.match(trace.xray, /^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
});

test('GET /rollbar/test while traced: the message item carries custom.trace_id in X-Ray form', async () => {
  const before = itemsMatching(/Hello World/).length;
  const { trace } = await sampled('/rollbar/test');
  await waitFor(() => itemsMatching(/Hello World/).length > before || undefined, 'the Rollbar message');
  const data = itemData(itemsMatching(/Hello World/).at(-1) as RecordedRequest);
  assert.equal((data.custom as { trace_id?: string }).trace_id, trace.xray);
});

/** Starts a backend whose sampling proxy serves `rule`, sends `n` requests, stops it; returns its spans. */
async function sampledBy(rule: typeof RULE, n: number): Promise<{ spans: ReceivedSpan[]; polls: number }> {
  const ownCollector = await startOtlpCollectorFake();
  const ownProxy = await startSamplingProxyFake([rule]);
  try {
    const backend = await startBackend(
      backendDir,
      env({
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: ownCollector.url,
        OTEL_TRACES_SAMPLER_ARG: `endpoint=${ownProxy.url}`,
      }),
    );
    // The rules are polled at start; until they arrive the sampler's local default applies.
    await waitFor(
      () => ownProxy.samplingRequests.some((r) => r.path === '/GetSamplingRules') || undefined,
      'the rules poll',
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (let i = 0; i < n; i++) {
      assert.equal((await httpGet(backend.port, '/api/activities/home')).status, 200);
    }
    assert.equal(await backend.stop('SIGTERM'), 0);
    return {
      spans: ownCollector.spans.filter((s) => s.kind === SERVER),
      polls: ownProxy.samplingRequests.length,
    };
  } finally {
    await ownCollector.close();
    await ownProxy.close();
  }
}

test(
  'the served rule governs sampling: FixedRate 0 traces nothing, FixedRate 1 traces everything',
  { timeout: 60_000 },
  async () => {
    const none = await sampledBy({ ...RULE, FixedRate: 0, ReservoirSize: 0 }, 20);
    assert.ok(none.polls >= 1);
    assert.equal(none.spans.length, 0);
    const all = await sampledBy({ ...RULE, FixedRate: 1, ReservoirSize: 0 }, 20);
    assert.equal(all.spans.length, 20);
  },
);

test('SIGTERM flushes the spans still queued, then exits 0; the token never appeared in the output', async () => {
  const ownCollector = await startOtlpCollectorFake();
  try {
    const backend = await startBackend(
      backendDir,
      env({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: ownCollector.url, OTEL_TRACES_SAMPLER: 'always_on' }),
    );
    assert.equal((await httpGet(backend.port, '/api/activities/home')).status, 200);
    // At once: well inside the batch processor's 1 s delay.
    assert.equal(await backend.stop('SIGTERM'), 0);
    assert.equal(ownCollector.spans.filter((s) => s.kind === SERVER).length, 1, 'the queued span was sent');
    assert.ok(!(backend.stdout() + backend.stderr()).includes(TOKEN));
  } finally {
    await ownCollector.close();
  }
  assert.equal(await main.stop('SIGTERM'), 0);
  assert.ok(!(main.stdout() + main.stderr()).includes(TOKEN));
});

test(
  'OTLP endpoint, sampling proxy and Rollbar unreachable: every request answered, clean SIGTERM',
  { timeout: 60_000 },
  async () => {
    const dead = await deadPort();
    const backend = await startBackend(
      backendDir,
      env({
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${dead}/v1/traces`,
        OTEL_TRACES_SAMPLER_ARG: `endpoint=http://127.0.0.1:${dead}`,
        ROLLBAR_ENDPOINT: `http://127.0.0.1:${dead}/api/1/`,
      }),
    );
    const expected: Array<[string, number, Record<string, string>]> = [];
    for (let i = 0; i < 8; i++) {
      expected.push(['/api/health', 200, {}]);
      const trace = freshTrace();
      expected.push([
        '/api/activities/home',
        200,
        { 'x-amzn-trace-id': `Root=${trace.xray};Parent=${PARENT};Sampled=1` },
      ]);
      expected.push(['/api/activities/home', 200, {}]);
      expected.push(['/rollbar/test', 200, {}]);
      expected.push(['/rollbar/test/error', 500, {}]);
    }
    for (const [path, status, headers] of expected) {
      assert.equal((await httpGet(backend.port, path, headers)).status, status, path);
    }
    // Past the batch delay, so an export has failed by now.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal((await httpGet(backend.port, '/api/health')).status, 200);
    assert.equal(await backend.stop('SIGTERM'), 0);
    assert.ok(!(backend.stdout() + backend.stderr()).includes(TOKEN));
  },
);
