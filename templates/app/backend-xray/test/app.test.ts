// The app in-process: routes answer, and a sampled request sends one segment
// in the daemon's wire format to a UDP socket standing in for the daemon.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { createServer, type Server } from 'node:http';
import { SERVICE_NAME } from '../src/service.js';

const daemon = createSocket('udp4');
const datagrams: string[] = [];
let server: Server;
let base = '';

before(async () => {
  daemon.on('message', (msg) => datagrams.push(msg.toString('utf8')));
  await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
  // The SDK reads its address when it loads, so set it before importing the app.
  process.env.AWS_XRAY_DAEMON_ADDRESS = `127.0.0.1:${daemon.address().port}`;
  const { createApp } = await import('../src/app.js');
  const { configureTracing, setupErrorReporting, traced } = await import('../src/observability/index.js');
  configureTracing({ hostPattern: '*4567-ws.example.test*' });
  const app = createApp({
    errors: setupErrorReporting({ accessToken: undefined, environment: 'test', itemEndpoint: undefined }),
  });
  server = createServer(traced(app)).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise((resolve) => server.close(resolve));
  daemon.close();
});

type Doc = Record<string, unknown>;

function parse(datagram: string): Doc {
  const newline = datagram.indexOf('\n');
  assert.equal(datagram.slice(0, newline), '{"format":"json","version":1}');
  return JSON.parse(datagram.slice(newline + 1)) as Doc;
}

/** The segment of trace `traceId`, waiting for it up to `timeoutMs`. */
async function segmentOf(traceId: string, timeoutMs = 5000): Promise<Doc | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = datagrams.map(parse).find((doc) => doc.trace_id === traceId);
    if (found || Date.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

let counter = 0;
/** A fresh trace id, so each test finds its own segment among others. */
function traceId(): string {
  const time = Math.floor(Date.now() / 1000).toString(16);
  return `1-${time}-${(++counter).toString(16).padStart(24, '0')}`;
}

test('GET /api/health answers 200', async () => {
  const res = await fetch(`${base}/api/health`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { status: 'ok' });
});

test('a sampled request sends one segment with the service annotation and the mock-data subsegment', async () => {
  const id = traceId();
  const res = await fetch(`${base}/api/activities/home`, {
    headers: { 'x-amzn-trace-id': `Root=${id};Sampled=1` },
  });
  assert.equal(res.status, 200);
  assert.ok(Array.isArray(await res.json()));
  const segment = await segmentOf(id);
  assert.ok(segment, 'segment received');
  assert.equal(segment.name, SERVICE_NAME);
  assert.deepEqual(Object.keys(segment.annotations as object), ['service_name']);
  const [sub] = segment.subsegments as Array<Record<string, unknown>>;
  assert.equal(sub?.name, 'mock-data');
  assert.ok((sub?.annotations as Record<string, unknown>).activities_count);
  const metadata = sub?.metadata as { cruddur?: { query?: { results_size?: unknown } } } | undefined;
  assert.equal(typeof metadata?.cruddur?.query?.results_size, 'number');
});

test('a request not sampled sends nothing and still answers', async () => {
  const id = traceId();
  const res = await fetch(`${base}/api/health`, { headers: { 'x-amzn-trace-id': `Root=${id};Sampled=0` } });
  assert.equal(res.status, 200);
  assert.equal(await segmentOf(id, 300), undefined);
});

test('an error in a route answers 500 JSON and marks the segment as a fault', async () => {
  const id = traceId();
  const res = await fetch(`${base}/rollbar/test/error`, {
    headers: { 'x-amzn-trace-id': `Root=${id};Sampled=1` },
  });
  assert.equal(res.status, 500);
  assert.deepEqual(await res.json(), { error: 'Internal Server Error' });
  const segment = await segmentOf(id);
  assert.equal(segment?.fault, true);
});

test('unknown paths answer 404 JSON', async () => {
  const res = await fetch(`${base}/nope`);
  assert.equal(res.status, 404);
});
