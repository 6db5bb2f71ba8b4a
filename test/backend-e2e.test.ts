// End to end: generate a workspace, really install, type-check, test and run
// its backend, and watch what it sends: segments on a local UDP listener
// standing in for the X-Ray daemon (with the daemon's TCP sampling proxy
// serving the generated rule), items on a local stand-in for the Rollbar API.
// Only loopback addresses; ports are ephemeral; every wait has a deadline.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { groupFilterExpression, samplingRule, SERVICE_ANNOTATION } from '../src/answers/names.js';
import { startRollbarFake, type RollbarFake, type RecordedRequest } from './fakes/rollbar-api.js';
import { startXrayDaemonFake, type SegmentDocument, type XrayDaemonFake } from './fakes/xray-daemon.js';
import {
  composeEnvironment,
  defaultAnswers,
  groupFilterMatches,
  httpGet,
  killAllBackends,
  npm,
  rawGet,
  requestOf,
  ruleMatches,
  segmentDocumentProblems,
  startBackend,
  waitFor,
  writeWorkspace,
  type BackendProcess,
} from './support/backend.js';

const answers = defaultAnswers();
const SERVICE = answers.serviceName;
const RULE = samplingRule(answers).SamplingRule;
const GROUP_FILTER = groupFilterExpression(SERVICE);
/** A made-up token: the fake accepts it; the test checks it never reaches a log. */
const TOKEN = 'e2e0fake0post0server0item0token0';
const WORKSPACE_ID = 'cruddur-e2e0test1x';
const CLUSTER_HOST = 'ws-us999.gitpod.io';
const GITPOD_HOST = `${answers.port}-${WORKSPACE_ID}.${CLUSTER_HOST}`;
const XRAY_URL = `*${GITPOD_HOST}*`;

let dir = '';
let backendDir = '';
let daemon: XrayDaemonFake;
let rollbar: RollbarFake;
let main: BackendProcess;

function env(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const all: Record<string, string | undefined> = {
    PORT: '0',
    HOST: '127.0.0.1',
    AWS_XRAY_DAEMON_ADDRESS: daemon.address,
    AWS_XRAY_URL: XRAY_URL,
    ROLLBAR_ACCESS_TOKEN: TOKEN,
    ROLLBAR_ENVIRONMENT: 'e2e',
    ROLLBAR_ENDPOINT: rollbar.baseUrl,
    ...overrides,
  };
  return Object.fromEntries(Object.entries(all).filter((e): e is [string, string] => e[1] !== undefined));
}

before(
  async () => {
    dir = mkdtempSync(join(tmpdir(), 'cruddur-backend-e2e-'));
    writeWorkspace(dir, answers, 'gitpod');
    backendDir = join(dir, SERVICE);
    await npm(['install', '--no-audit', '--no-fund', '--prefer-offline'], backendDir, 300_000);
    await npm(['run', 'build'], backendDir, 180_000);
    daemon = await startXrayDaemonFake({ samplingRules: [RULE] });
    rollbar = await startRollbarFake({ tokens: { [TOKEN]: ['post_server_item'] } });
    main = await startBackend(backendDir, env());
  },
  { timeout: 600_000 },
);

after(async () => {
  killAllBackends();
  await daemon?.close();
  await rollbar?.close();
  if (dir && !process.env.KEEP_E2E_DIR) rmSync(dir, { recursive: true, force: true });
});

let traceCounter = 0;
/** A fresh, valid trace id, so each request's segment can be found among the others. */
function freshTraceId(): string {
  const time = Math.floor(Date.now() / 1000).toString(16);
  const unique = `${process.pid.toString(16)}${(++traceCounter).toString(16)}`.padStart(24, '0').slice(-24);
  return `1-${time}-${unique}`;
}

function datagramOf(doc: SegmentDocument): Buffer {
  const found = daemon.datagrams.find((d) => d.document === doc);
  assert.ok(found, 'datagram of the document');
  return found.raw;
}

/** A request the caller says is sampled (`Sampled=1`), and its segment. */
async function sampled(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; segment: SegmentDocument; traceId: string }> {
  const traceId = freshTraceId();
  const res = await httpGet(port, path, { ...headers, 'x-amzn-trace-id': `Root=${traceId};Sampled=1` });
  const segment = await daemon.waitFor((d) => d.trace_id === traceId && d.type !== 'subsegment');
  return { status: res.status, body: res.body, segment, traceId };
}

/**
 * Requests asking the backend's sampler for a decision (`Sampled=?`) until
 * one is sampled; returns its segment. The sampler answers in the response.
 */
async function samplerSampled(port: number, path: string, host: string): Promise<SegmentDocument> {
  return waitFor(
    async () => {
      const traceId = freshTraceId();
      const res = await httpGet(port, path, { host, 'x-amzn-trace-id': `Root=${traceId};Sampled=?` });
      assert.equal(res.status, 200);
      const answer = String(res.headers['x-amzn-trace-id'] ?? '');
      assert.match(
        answer,
        new RegExp(`^Root=${traceId};Sampled=[01]$`),
        'the sampling decision in the response',
      );
      if (!answer.endsWith('Sampled=1')) {
        await new Promise((resolve) => setTimeout(resolve, 150));
        return undefined;
      }
      return daemon.waitFor((d) => d.trace_id === traceId);
    },
    `a request sampled by the sampler (Host ${host.slice(0, 60)})`,
    20_000,
    0,
  );
}

async function itemsQuietly<T>(read: () => T[], count: number, what: string, quietMs = 500): Promise<T[]> {
  await waitFor(() => read().length >= count || undefined, what, 15_000);
  await new Promise((resolve) => setTimeout(resolve, quietMs));
  return read();
}

interface Trace {
  frames: Array<{ filename: string }>;
  exception: { class: string; message: string };
}

function itemData(item: RecordedRequest): Record<string, unknown> {
  return (item.body as { data: Record<string, unknown> }).data;
}

function itemsMatching(pattern: RegExp): RecordedRequest[] {
  return rollbar.items.filter((i) => pattern.test(JSON.stringify(itemData(i).body)));
}

test('the generated backend passes its own tests (npm test)', { timeout: 180_000 }, async () => {
  await npm(['test'], backendDir, 180_000);
});

test('GET /api/health answers 200', async () => {
  const res = await httpGet(main.port, '/api/health');
  assert.equal(res.status, 200);
  assert.deepEqual(JSON.parse(res.body), { status: 'ok' });
});

test('GET /api/activities/home: 200 JSON and one segment with the mock-data subsegment', async () => {
  const { status, body, segment, traceId } = await sampled(main.port, '/api/activities/home');
  assert.equal(status, 200);
  const activities = JSON.parse(body) as unknown[];
  assert.ok(Array.isArray(activities) && activities.length > 0);

  // Wire format: header line, newline, one JSON document.
  const raw = datagramOf(segment);
  assert.ok(raw.toString('utf8').startsWith('{"format":"json","version":1}\n'));
  assert.deepEqual(segmentDocumentProblems(segment, raw), []);

  assert.equal(segment.trace_id, traceId);
  assert.match(String(segment.id), /^[0-9a-f]{16}$/);
  assert.equal(segment.name, SERVICE, 'a Host that does not match AWS_XRAY_URL: the service name');
  assert.ok(Number(segment.end_time) >= Number(segment.start_time));
  assert.equal(segment.in_progress, undefined);
  const http = segment.http as { request: Record<string, unknown>; response: Record<string, unknown> };
  assert.equal(http.request.method, 'GET');
  assert.match(String(http.request.url), /^http:\/\/127\.0\.0\.1:\d+\/api\/activities\/home$/);
  assert.equal(http.response.status, 200);
  assert.equal(typeof http.response.content_length, 'number');
  assert.deepEqual(segment.annotations, { [SERVICE_ANNOTATION]: SERVICE });

  const subsegments = segment.subsegments as SegmentDocument[];
  assert.equal(subsegments.length, 1);
  const [mock] = subsegments as [SegmentDocument];
  assert.equal(mock.name, 'mock-data');
  assert.deepEqual(mock.annotations, { activities_count: activities.length });
  // A summary of the query, not the response body (see the route).
  const query = (mock.metadata as { cruddur: { query: { now: string; results_size: number } } }).cruddur
    .query;
  assert.equal(query.results_size, activities.length);
  const queried = Date.parse(query.now);
  assert.ok(
    queried >= Number(segment.start_time) * 1000 - 1 && queried <= Number(segment.end_time) * 1000 + 1,
    `query time ${query.now} within the request`,
  );
  assert.ok(
    !JSON.stringify(segment).includes(String((activities[0] as { uuid: string }).uuid)),
    'no response data in the trace',
  );

  // One datagram for the whole request.
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(daemon.documents().filter((d) => d.trace_id === traceId).length, 1);
});

/** The code blocks of a comment recipe (lines `//      code`, blank `//` lines inside kept), in order. */
function recipeBlocks(source: string): string[] {
  const lines = source.split('\n');
  const isCode = (line: string | undefined) => line?.startsWith('//      ') ?? false;
  const blocks: string[][] = [];
  let current: string[] | undefined;
  for (const [i, line] of lines.entries()) {
    if (isCode(line)) {
      current ??= blocks[blocks.push([]) - 1];
      current?.push(line.slice('//      '.length));
    } else if (line === '//' && current && isCode(lines[i + 1])) {
      current.push('');
    } else {
      current = undefined;
    }
  }
  return blocks.map((b) => b.join('\n') + '\n');
}

test('the "add a traced route" recipe in routes/activities.ts builds and traces as written', async () => {
  const recipeDir = join(dir, 'recipe');
  cpSync(backendDir, recipeDir, { recursive: true, filter: (src) => !/[/\\](node_modules|dist)$/.test(src) });
  symlinkSync(join(backendDir, 'node_modules'), join(recipeDir, 'node_modules'), 'dir');
  const comment = readFileSync(join(recipeDir, 'src/routes/activities.ts'), 'utf8');
  const [route, service] = recipeBlocks(comment);
  assert.ok(route && service, 'two code blocks in the recipe');
  assert.match(comment, /A route file, src\/routes\/user-activities\.ts/);
  assert.match(comment, /\(src\/services\/user-activities\.ts\)/);
  writeFileSync(join(recipeDir, 'src/routes/user-activities.ts'), route);
  writeFileSync(join(recipeDir, 'src/services/user-activities.ts'), service);
  // Step 2, as the recipe says: registered beside activitiesRoutes(app).
  assert.match(comment, /`userActivitiesRoutes\(app\);`/);
  const appFile = join(recipeDir, 'src/app.ts');
  const app = readFileSync(appFile, 'utf8');
  assert.ok(app.includes('  activitiesRoutes(app);\n'));
  writeFileSync(
    appFile,
    "import { userActivitiesRoutes } from './routes/user-activities.js';\n" +
      app.replace('  activitiesRoutes(app);\n', '  activitiesRoutes(app);\n  userActivitiesRoutes(app);\n'),
  );
  await npm(['run', 'build'], recipeDir, 180_000);
  const backend = await startBackend(recipeDir, env());
  const { status, body, segment } = await sampled(backend.port, '/api/activities/@Worf');
  assert.equal(status, 200);
  const activities = JSON.parse(body) as Array<{ handle: string }>;
  assert.ok(activities.length > 0 && activities.every((a) => a.handle === 'Worf'), body);
  const [routeSub] = segment.subsegments as SegmentDocument[];
  assert.equal(routeSub?.name, 'user-activities');
  assert.deepEqual(routeSub?.annotations, { handle: 'Worf' });
  const [query] = routeSub?.subsegments as SegmentDocument[];
  assert.equal(query?.name, 'db-query', 'the service subsegment hangs from the route span');
  assert.deepEqual((query?.metadata as { cruddur: { query: unknown } }).cruddur.query, {
    handle: 'Worf',
    results_size: activities.length,
  });
  assert.ok(Number(query?.end_time) <= Number(routeSub?.end_time), 'closed inside its parent');
  assert.equal(await backend.stop('SIGTERM'), 0);
});

test('every sampled request sends exactly one segment', async () => {
  const paths = ['/api/health', '/api/activities/home', '/api/health', '/nope', '/api/activities/home'];
  const results = await Promise.all(paths.map((p) => sampled(main.port, p)));
  await new Promise((resolve) => setTimeout(resolve, 200));
  for (const r of results) {
    assert.equal(daemon.documents().filter((d) => d.trace_id === r.traceId).length, 1);
  }
  assert.equal(results[3]?.status, 404);
  assert.equal(results[3]?.segment.error, true, '4xx marks the segment as error');
});

test('dynamic naming: a Gitpod Host names the segment; localhost gets the service name', async () => {
  const gitpod = await sampled(main.port, '/api/activities/home', { host: GITPOD_HOST });
  assert.equal(gitpod.segment.name, GITPOD_HOST);
  const local = await sampled(main.port, '/api/activities/home', { host: `localhost:${answers.port}` });
  assert.equal(local.segment.name, SERVICE);
});

test('the sampling rule of aws/json/x-ray.json governs requests whatever their Host (centralized sampling)', async () => {
  const written = JSON.parse(readFileSync(join(dir, 'aws/json/x-ray.json'), 'utf8')) as {
    SamplingRule: typeof RULE;
  };
  assert.deepEqual(written.SamplingRule, RULE, 'the fake daemon serves the rule the workspace holds');
  for (const host of [GITPOD_HOST, `localhost:${answers.port}`]) {
    const segment = await samplerSampled(main.port, '/api/activities/home', host);
    const xray = (segment.aws as { xray?: { rule_name?: string } } | undefined)?.xray;
    assert.equal(xray?.rule_name, RULE.RuleName, `Host ${host}: sampled by the generated rule, not Default`);
  }
  assert.ok(daemon.samplingRequests.some((r) => r.path === '/GetSamplingRules'));
});

test('a hostile Host (10 KB, odd characters) neither crashes the backend nor yields an invalid segment', async () => {
  const long = await sampled(main.port, '/api/health', { host: GITPOD_HOST + 'a'.repeat(10 * 1024) });
  assert.equal(long.status, 200);
  assert.equal(Array.from(String(long.segment.name)).length, 200);
  assert.ok(String(long.segment.name).startsWith(GITPOD_HOST));

  const odd = [
    Buffer.from(`<script>"'{}|^\`${GITPOD_HOST}`, 'latin1'),
    Buffer.concat([Buffer.from(GITPOD_HOST), Buffer.from([0xc3, 0xa9, 0xff, 0x7f])]),
    Buffer.from('<>"{}|^`*?'),
  ];
  let accepted = 0;
  for (const host of odd) {
    const traceId = freshTraceId();
    const status = await rawGet(
      main.port,
      '/api/health',
      host,
      `X-Amzn-Trace-Id: Root=${traceId};Sampled=1\r\n`,
    );
    if (status === 400) continue; // refused by Node's parser: nothing to name
    assert.equal(status, 200);
    accepted++;
    const segment = await daemon.waitFor((d) => d.trace_id === traceId);
    assert.deepEqual(segmentDocumentProblems(segment, datagramOf(segment)), []);
  }
  assert.ok(accepted >= 2, `odd Hosts accepted by the server: ${accepted}`);
  assert.equal((await httpGet(main.port, '/api/health')).status, 200, 'still serving');
});

test('a malformed trace header (bad Root, bad Parent) starts a new trace; the segment stays valid', async () => {
  const cases = [
    'Root=1-5759e988-ZZZ;Parent=not-hex;Sampled=1',
    'Root=1-1-abc;Parent=53995c3f42cd8ad8;Sampled=1',
    `Root=${freshTraceId()};Parent=53995c3f42cd8ad8deadbeef;Sampled=1`,
  ];
  for (const [i, header] of cases.entries()) {
    const probe = `malformed-${process.pid}-${i}`;
    const res = await httpGet(main.port, `/api/health?probe=${probe}`, { 'x-amzn-trace-id': header });
    assert.equal(res.status, 200);
    const segment = await daemon.waitFor((d) => requestOf(d).path.includes(probe));
    assert.deepEqual(segmentDocumentProblems(segment, datagramOf(segment)), [], header);
  }
});

test('GET /rollbar/test sends exactly one message item, with the token as Rollbar expects', async () => {
  const before = itemsMatching(/Hello World/).length;
  const res = await httpGet(main.port, '/rollbar/test');
  assert.equal(res.status, 200);
  const items = await itemsQuietly(() => itemsMatching(/Hello World/), before + 1, 'the Rollbar message');
  assert.equal(items.length, before + 1, 'exactly one item');
  const item = items.at(-1) as RecordedRequest;
  const data = itemData(item);
  assert.ok((data.body as { message?: { body?: string } }).message?.body?.includes('Hello World'));
  assert.equal(data.environment, 'e2e');
  // The rollbar package sends the token in the X-Rollbar-Access-Token header.
  assert.equal(item.token, TOKEN);
  assert.equal(item.tokenSource, 'header');
  assert.equal(item.headers['x-rollbar-access-token'], TOKEN);
});

test('a route that throws: 500 JSON and one Rollbar error item with the stack and the request', async () => {
  const pattern = /an uncaught error in a route/;
  const before = itemsMatching(pattern).length;
  const res = await httpGet(main.port, '/rollbar/test/error', { 'user-agent': 'e2e-test' });
  assert.equal(res.status, 500);
  assert.match(String(res.headers['content-type']), /application\/json/);
  assert.deepEqual(JSON.parse(res.body), { error: 'Internal Server Error' });
  const items = await itemsQuietly(() => itemsMatching(pattern), before + 1, 'the Rollbar error item');
  assert.equal(items.length, before + 1, 'exactly one item');
  const data = itemData(items.at(-1) as RecordedRequest);
  assert.equal(data.level, 'error');
  // One exception: `trace`, or `trace_chain` (what the rollbar package sends for Error objects).
  const body = data.body as { trace?: Trace; trace_chain?: Trace[] };
  const trace = body.trace ?? body.trace_chain?.[0];
  assert.ok(trace, 'a stack trace');
  assert.match(trace.exception.message, pattern);
  assert.ok(
    trace.frames.some((f) => f.filename.includes('routes/rollbar')),
    'stack frames from the route',
  );
  const request = data.request as { url: string; method: string; headers: Record<string, string> };
  assert.match(request.url, /\/rollbar\/test\/error$/);
  assert.equal(request.method, 'GET');
  assert.equal(request.headers['user-agent'], 'e2e-test');
});

/** Canary credential values (each holds `canary0`): none may reach the Rollbar stand-in. */
const CANARY = {
  apiKey: 'canary0api0key0header',
  authToken: 'canary0x0auth0token',
  proxy: 'Basic canary0proxy0credentials',
  authorization: 'Bearer canary0bearer0token',
  cookie: 'sid=canary0cookie0session',
  custom: 'canary0acme0session0token',
  queryKey: 'canary0query0api0key',
  queryToken: 'canary0query0token',
  querySecret: 'canary0query0client0secret',
  password: 'canary0body0password',
  clientSecret: 'canary0body0client0secret',
  nestedKey: 'canary0nested0api0key',
  textBody: 'canary0text0body0token',
};

function assertNoCanary(item: RecordedRequest): void {
  const leaked = JSON.stringify(item.body).match(/canary0\w+/g) ?? [];
  assert.deepEqual(leaked, [], 'credential values sent to Rollbar');
}

test('credentials in request headers and the query string never reach Rollbar', async () => {
  const pattern = /an uncaught error in a route/;
  const before = itemsMatching(pattern).length;
  const query = `api_key=${CANARY.queryKey}&token=${CANARY.queryToken}&client_secret=${CANARY.querySecret}&page=2`;
  const res = await httpGet(main.port, `/rollbar/test/error?${query}`, {
    'user-agent': 'e2e-scrub',
    'x-api-key': CANARY.apiKey,
    'x-auth-token': CANARY.authToken,
    'proxy-authorization': CANARY.proxy,
    authorization: CANARY.authorization,
    cookie: CANARY.cookie,
    'x-acme-session-token': CANARY.custom,
  });
  assert.equal(res.status, 500);
  const items = await itemsQuietly(() => itemsMatching(pattern), before + 1, 'the Rollbar error item');
  const item = items.at(-1) as RecordedRequest;
  assertNoCanary(item);
  const request = itemData(item).request as { url: string; headers: Record<string, string>; GET?: object };
  // Scrubbed, not dropped: the item still shows that the request carried them.
  for (const name of ['x-api-key', 'x-auth-token', 'proxy-authorization', 'authorization', 'cookie']) {
    assert.match(String(request.headers[name]), /^\*+$/, `header ${name} scrubbed`);
  }
  assert.match(String(request.headers['x-acme-session-token']), /^\*+$/, 'an unlisted credential header');
  assert.equal(request.headers['user-agent'], 'e2e-scrub', 'other headers kept');
  assert.match(request.url, /[?&]page=2(&|$)/, 'other query parameters kept');
  assert.match(request.url, /[?&]api_key=\*+/);
});

test('credentials in a parsed request body never reach Rollbar (the generated error handler, in process)', async () => {
  // The generated routes take no body; a student's route behind express.json()
  // or express.text() would. The compiled error handler and its rollbar client
  // are driven here with such requests, reporting to the same stand-in.
  const errorsModule = join(backendDir, 'dist/src/observability/errors.js');
  const { setupErrorReporting } = (await import(errorsModule)) as {
    setupErrorReporting: (o: object) => {
      errorHandler(err: unknown, req: object, res: object, next: () => void): void;
      flush(ms: number): Promise<void>;
    };
  };
  const errors = setupErrorReporting({
    accessToken: TOKEN,
    environment: 'e2e-body',
    itemEndpoint: `${rollbar.baseUrl}item/`,
  });
  const res = { headersSent: false, status: () => res, json: () => res };
  const request = (body: unknown, contentType: string) => ({
    method: 'POST',
    url: '/api/signup',
    path: '/api/signup',
    headers: { host: 'localhost', 'content-type': contentType },
    body,
  });
  const before = rollbar.items.filter((i) => itemData(i).environment === 'e2e-body').length;
  errors.errorHandler(
    new Error('scrub test: a JSON body'),
    request(
      {
        user: 'ann',
        password: CANARY.password,
        client_secret: CANARY.clientSecret,
        nested: { api_key: CANARY.nestedKey },
      },
      'application/json',
    ),
    res,
    () => {},
  );
  errors.errorHandler(
    new Error('scrub test: a text body'),
    request(`user=ann&access_token=${CANARY.textBody}`, 'text/plain'),
    res,
    () => {},
  );
  await errors.flush(5000);
  const items = await itemsQuietly(
    () => rollbar.items.filter((i) => itemData(i).environment === 'e2e-body'),
    before + 2,
    'the two body items',
  );
  assert.equal(items.length, before + 2);
  for (const item of items.slice(before)) assertNoCanary(item);
  const json = items.find((i) => JSON.stringify(itemData(i).body).includes('a JSON body')) as RecordedRequest;
  const fields = (itemData(json).request as { POST: { user: string; password: string } }).POST;
  assert.equal(fields.user, 'ann', 'other body fields kept');
  assert.match(fields.password, /^\*+$/);
});

test('an error and a message reported while a request is traced carry custom.trace_id in X-Ray form', async () => {
  const pattern = /an uncaught error in a route/;
  const before = itemsMatching(pattern).length;
  const { status, segment, traceId } = await sampled(main.port, '/rollbar/test/error');
  assert.equal(status, 500);
  assert.equal(segment.fault, true);
  const items = await itemsQuietly(() => itemsMatching(pattern), before + 1, 'the Rollbar error item');
  assert.equal((itemData(items.at(-1) as RecordedRequest).custom as { trace_id?: string }).trace_id, traceId);
  assert.match(traceId, /^1-[0-9a-f]{8}-[0-9a-f]{24}$/);

  const messages = itemsMatching(/Hello World/).length;
  const message = await sampled(main.port, '/rollbar/test');
  const sent = await itemsQuietly(() => itemsMatching(/Hello World/), messages + 1, 'the Rollbar message');
  assert.equal(
    (itemData(sent.at(-1) as RecordedRequest).custom as { trace_id?: string }).trace_id,
    message.traceId,
  );
  // Not traced: no trace id to link.
  const untraced = itemsMatching(/Hello World/).length;
  await httpGet(main.port, '/rollbar/test', { 'x-amzn-trace-id': `Root=${freshTraceId()};Sampled=0` });
  const plain = await itemsQuietly(() => itemsMatching(/Hello World/), untraced + 1, 'the untraced message');
  assert.equal(
    (itemData(plain.at(-1) as RecordedRequest).custom as { trace_id?: string } | undefined)?.trace_id,
    undefined,
  );
});

test('an unhandled promise rejection is reported and the backend keeps serving', async () => {
  const pattern = /an unhandled promise rejection/;
  const before = itemsMatching(pattern).length;
  assert.equal((await httpGet(main.port, '/rollbar/test/rejection')).status, 202);
  const items = await itemsQuietly(() => itemsMatching(pattern), before + 1, 'the rejection item');
  assert.equal(items.length, before + 1);
  assert.equal((await httpGet(main.port, '/api/health')).status, 200);
});

test('names agree: the sampling rule and the group filter match every segment the backend sent', () => {
  assert.deepEqual(
    daemon.datagrams.filter((d) => d.error).map((d) => d.error),
    [],
    'every datagram in the wire format',
  );
  const segments = daemon.documents().filter((d) => d.type !== 'subsegment');
  assert.ok(segments.length >= 10, `segments seen: ${segments.length}`);
  for (const segment of segments) {
    const raw = datagramOf(segment);
    assert.deepEqual(
      segmentDocumentProblems(segment, raw),
      [],
      `segment ${String(segment.name).slice(0, 60)}`,
    );
    const { method, host, path } = requestOf(segment);
    // As the backend's sampler evaluates the rule: ServiceName against the
    // service name it asks with, Host against the Host header, and so on.
    const request = { serviceName: SERVICE, host, httpMethod: method, urlPath: path };
    assert.ok(
      ruleMatches(RULE, request),
      `rule ${RULE.RuleName} matches ${JSON.stringify(request).slice(0, 120)}`,
    );
    assert.ok(
      groupFilterMatches(GROUP_FILTER, segment),
      `group filter ${GROUP_FILTER} matches ${segment.name}`,
    );
  }
});

test('SIGTERM: the backend exits 0, and the token never appeared in its output', async () => {
  assert.equal(await main.stop('SIGTERM'), 0);
  const output = main.stdout() + main.stderr();
  assert.ok(!output.includes(TOKEN), 'token in the output');
  assert.match(main.stdout(), /listening on port/);
});

test('SIGTERM with keep-alive clients: idle connections closed cleanly, an in-flight request finishes, exit 0', async () => {
  const backend = await startBackend(backendDir, env());
  // A keep-alive client whose connection sits idle in its pool.
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const idle = await new Promise<{ socket: Socket; status: number }>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: backend.port, path: '/api/health', agent }, (res) => {
      res.resume().on('end', () => resolve({ socket: req.socket as Socket, status: res.statusCode ?? 0 }));
    });
    req.on('error', reject).end();
  });
  assert.equal(idle.status, 200);
  const idleClosed = new Promise<{ error?: string; ended: boolean }>((resolve) => {
    let ended = false;
    idle.socket.on('end', () => (ended = true));
    idle.socket.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code, ended }));
    idle.socket.on('close', () => resolve({ ended }));
  });
  // A request in flight: its headers are not all sent yet when SIGTERM arrives.
  const busy = connect(backend.port, '127.0.0.1');
  let answer = '';
  busy.setEncoding('utf8').on('data', (d: string) => (answer += d));
  const busyClosed = new Promise<{ error?: string }>((resolve) => {
    busy.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code }));
    busy.on('close', () => resolve({}));
  });
  await new Promise<void>((resolve) => busy.once('connect', resolve));
  busy.write('GET /api/activities/home HTTP/1.1\r\nHost: localhost\r\n');
  await new Promise((resolve) => setTimeout(resolve, 100));

  const signalled = Date.now();
  backend.child.kill('SIGTERM');
  assert.deepEqual(await idleClosed, { ended: true }, 'the idle connection got a FIN, not a reset');
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(backend.child.exitCode, null, 'still running while a request is in flight');

  busy.write('\r\n');
  assert.deepEqual(await busyClosed, {}, 'the busy connection closed cleanly after its response');
  assert.match(answer, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(
    answer,
    /\r\nConnection: close\r\n/i,
    'the response tells the client not to reuse the connection',
  );
  assert.equal(await backend.stop('SIGTERM', 5_000), 0);
  assert.ok(Date.now() - signalled < 4_000, 'exited without waiting for the drain deadline');
  assert.doesNotMatch(backend.stderr(), /still open/);
  agent.destroy();
});

/** A UDP and a TCP port on 127.0.0.1 that nothing listens on. */
async function deadPorts(): Promise<{ udp: number; tcp: number }> {
  const udpSocket = createSocket('udp4');
  await new Promise<void>((resolve) => udpSocket.bind(0, '127.0.0.1', resolve));
  const udp = udpSocket.address().port;
  await new Promise<void>((resolve) => udpSocket.close(() => resolve()));
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const tcp = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return { udp, tcp };
}

/** Lines of `text` matching `pattern`. */
function count(text: string, pattern: RegExp): number {
  return text.split('\n').filter((line) => pattern.test(line)).length;
}

test('daemon and Rollbar unreachable: every request answered, each problem logged once, clean SIGTERM', async () => {
  const dead = await deadPorts();
  const backend = await startBackend(
    backendDir,
    env({
      AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${dead.udp}`,
      ROLLBAR_ENDPOINT: `http://127.0.0.1:${dead.tcp}/api/1/`,
    }),
  );
  const expected: Array<[string, number, Record<string, string>]> = [];
  for (let i = 0; i < 8; i++) {
    expected.push(['/api/health', 200, {}]);
    expected.push(['/api/activities/home', 200, { 'x-amzn-trace-id': 'Sampled=1' }]);
    expected.push(['/api/activities/home', 200, {}]);
    expected.push(['/rollbar/test', 200, {}]);
    expected.push(['/rollbar/test/error', 500, {}]);
  }
  for (const [path, status, headers] of expected) {
    const res = await httpGet(backend.port, path, headers);
    assert.equal(res.status, status, path);
  }
  const stderr = await waitFor(
    () => (/could not be delivered/.test(backend.stderr()) ? backend.stderr() : undefined),
    'the Rollbar delivery problem in the log',
  );
  await waitFor(
    () => /sampling rules/.test(backend.stderr()) || undefined,
    'the sampling-rules problem in the log',
  );
  assert.equal(count(stderr, /could not be delivered/), 1, 'Rollbar problem logged once');
  assert.equal(count(backend.stderr(), /sampling rules/), 1, 'daemon problem logged once');
  assert.equal(await backend.stop('SIGTERM'), 0);
  assert.ok(!(backend.stdout() + backend.stderr()).includes(TOKEN), 'token in the output');
});

test('an unusable AWS_XRAY_DAEMON_ADDRESS disables tracing with one clear line; sampled requests are served', async () => {
  const unusable = [
    '127.0.0.1:99999',
    '127.0.0.1:0',
    `udp:127.0.0.1:${daemon.port} tcp:127.0.0.1:70000`,
    'xray-daemon',
    'my-udp-daemon:2000',
  ];
  for (const address of unusable) {
    const backend = await startBackend(backendDir, env({ AWS_XRAY_DAEMON_ADDRESS: address }));
    for (let i = 0; i < 3; i++) {
      const sampledHeader = { 'x-amzn-trace-id': `Root=${freshTraceId()};Sampled=1` };
      assert.equal((await httpGet(backend.port, '/api/activities/home', sampledHeader)).status, 200, address);
      assert.equal((await httpGet(backend.port, '/rollbar/test/error', sampledHeader)).status, 500, address);
    }
    assert.equal(backend.child.exitCode, null, `${address}: still running`);
    assert.equal(await backend.stop('SIGTERM'), 0, address);
    const warnings = backend
      .stderr()
      .split('\n')
      .filter((line) => line.includes('AWS_XRAY_DAEMON_ADDRESS'));
    assert.equal(warnings.length, 1, `${address}: one line says what is wrong:\n${backend.stderr()}`);
    assert.match(warnings[0] as string, /^warn: X-Ray: tracing disabled: AWS_XRAY_DAEMON_ADDRESS /);
    assert.ok(warnings[0]?.includes(JSON.stringify(address)), 'the line quotes the value');
    assert.match(warnings[0] as string, /port from 1 to 65535 \(compose: xray-daemon:2000\)/);
    assert.match(backend.stdout(), /X-Ray: tracing disabled/);
    assert.doesNotMatch(backend.stderr(), /Uncaught|ERR_SOCKET_BAD_PORT/);
  }
});

test('a padded AWS_XRAY_DAEMON_ADDRESS (spaces around and between) is used, not fatal', async () => {
  const padded = `  ${daemon.address.replace(' ', '   ')}  `;
  const backend = await startBackend(backendDir, env({ AWS_XRAY_DAEMON_ADDRESS: padded }));
  const { status, segment } = await sampled(backend.port, '/api/activities/home');
  assert.equal(status, 200);
  assert.equal(segment.name, SERVICE);
  assert.equal(await backend.stop('SIGTERM'), 0);
  assert.doesNotMatch(backend.stderr(), /AWS_XRAY_DAEMON_ADDRESS/);
});

test('no ROLLBAR_ACCESS_TOKEN: Rollbar disabled (said once), nothing sent, routes still answer', async () => {
  const before = rollbar.requests.length;
  const backend = await startBackend(backendDir, env({ ROLLBAR_ACCESS_TOKEN: undefined }));
  for (let i = 0; i < 3; i++) {
    const res = await httpGet(backend.port, '/rollbar/test');
    assert.equal(res.status, 200);
    assert.equal(JSON.parse(res.body).reported, false);
  }
  assert.equal((await httpGet(backend.port, '/rollbar/test/error')).status, 500);
  assert.equal(await backend.stop('SIGTERM'), 0);
  assert.equal(count(backend.stderr(), /Rollbar: disabled/), 1);
  assert.equal(rollbar.requests.length, before, 'nothing sent to Rollbar');
});

test('an uncaught exception is reported as critical, then the process exits 1', async () => {
  const pattern = /an uncaught exception/;
  const backend = await startBackend(backendDir, env({ ENABLE_CRASH_ROUTE: 'true' }));
  assert.equal((await httpGet(backend.port, '/rollbar/test/crash')).status, 202);
  const code = await Promise.race([
    backend.exited,
    new Promise((resolve) => setTimeout(resolve, 15_000, 'still running').unref()),
  ]);
  assert.equal(code, 1);
  const items = itemsMatching(pattern);
  assert.equal(items.length, 1, 'reported before exiting');
  assert.equal(itemData(items[0] as RecordedRequest).level, 'critical');
  assert.ok(!(backend.stdout() + backend.stderr()).includes(TOKEN));
});

test("docker-compose.yml's backend environment, interpolated from a Gitpod environment, names segments by the Gitpod host", async () => {
  const compose = parseYaml(readFileSync(join(dir, 'docker-compose.yml'), 'utf8')) as {
    services: Record<string, { environment?: Record<string, unknown> | string[] }>;
  };
  const service = compose.services[SERVICE];
  assert.ok(service, `compose service ${SERVICE}`);
  // What a Gitpod workspace provides (made-up values).
  const gitpodEnv = {
    GITPOD_WORKSPACE_ID: WORKSPACE_ID,
    GITPOD_WORKSPACE_CLUSTER_HOST: CLUSTER_HOST,
    GITPOD_WORKSPACE_URL: `https://${WORKSPACE_ID}.${CLUSTER_HOST}`,
    ROLLBAR_ACCESS_TOKEN: TOKEN,
    AWS_REGION: 'eu-west-2',
    AWS_DEFAULT_REGION: 'eu-west-2',
    AWS_ACCESS_KEY_ID: 'AKIAE2EFAKEKEY000000',
    AWS_SECRET_ACCESS_KEY: 'e2e-fake-secret',
    // As a user would point both `setup` and the backend at another Rollbar API.
    ROLLBAR_ENDPOINT: rollbar.baseUrl,
  };
  const composed = composeEnvironment(service, gitpodEnv);
  assert.equal(composed.ROLLBAR_ENDPOINT, rollbar.baseUrl);
  assert.equal(
    composeEnvironment(service, { ...gitpodEnv, ROLLBAR_ENDPOINT: undefined }).ROLLBAR_ENDPOINT,
    '',
    'unset: empty, which the backend reads as api.rollbar.com',
  );
  assert.equal(composed.AWS_XRAY_URL, `*${GITPOD_HOST}*`);
  assert.equal(composed.ROLLBAR_ACCESS_TOKEN, TOKEN);
  // The swap, and only it: compose's daemon address (xray-daemon:2000)
  // becomes the local stand-in; PORT becomes ephemeral and HOST loopback so
  // the test cannot collide with anything or listen beyond the machine. The
  // Host header below still says 4567, as Gitpod's proxy would.
  const started = {
    ...composed,
    AWS_XRAY_DAEMON_ADDRESS: daemon.address,
    PORT: '0',
    HOST: '127.0.0.1',
  };
  assert.equal(composed.AWS_XRAY_DAEMON_ADDRESS, 'xray-daemon:2000');
  const backend = await startBackend(backendDir, started);
  const gitpod = await sampled(backend.port, '/api/activities/home', { host: GITPOD_HOST });
  assert.equal(gitpod.segment.name, GITPOD_HOST);
  assert.ok(groupFilterMatches(GROUP_FILTER, gitpod.segment));
  const local = await sampled(backend.port, '/api/activities/home', { host: `localhost:${answers.port}` });
  assert.equal(local.segment.name, SERVICE);

  const before = itemsMatching(/Hello World/).length;
  assert.equal((await httpGet(backend.port, '/rollbar/test')).status, 200);
  const items = await itemsQuietly(() => itemsMatching(/Hello World/), before + 1, 'the Rollbar message');
  assert.equal(itemData(items.at(-1) as RecordedRequest).environment, composed.ROLLBAR_ENVIRONMENT);
  assert.equal(await backend.stop('SIGTERM'), 0);
  assert.ok(!(backend.stdout() + backend.stderr()).includes(TOKEN));
});
