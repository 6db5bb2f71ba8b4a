// Tracing never fails a request: with any X-Ray SDK call on the request path
// throwing, sampled requests are still answered as usual, a route's own error
// still reaches the error handler, and no error escapes (one thrown from a
// response listener would be an uncaught exception: in the server, the end).
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import AWSXRay from 'aws-xray-sdk-core';

const daemon = createSocket('udp4');
let server: Server;
let base = '';
const escaped: unknown[] = [];
process.on('uncaughtException', (err) => escaped.push(err));

before(async () => {
  await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
  process.env.AWS_XRAY_DAEMON_ADDRESS = `127.0.0.1:${daemon.address().port}`;
  const { createApp } = await import('../src/app.js');
  const { setupErrorReporting, traced } = await import('../src/observability/index.js');
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

type Methods = Record<string, unknown>;

/** Runs `fn` with `proto[method]` throwing, as the SDK's emitter does on a bad daemon port. */
async function breaking(proto: object, method: string, fn: () => Promise<void>): Promise<void> {
  const target = proto as Methods;
  const original = target[method];
  assert.equal(typeof original, 'function', `the SDK still has ${method}`);
  target[method] = () => {
    throw new RangeError(`injected failure in ${method}`);
  };
  try {
    await fn();
    // Response listeners (where the segment is closed and sent) have run by the next turn.
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    target[method] = original;
  }
  assert.deepEqual(escaped, [], 'no error escaped');
}

const SAMPLED = { 'x-amzn-trace-id': 'Sampled=1' };

function get(path: string): Promise<Response> {
  return fetch(`${base}${path}`, { headers: SAMPLED, signal: AbortSignal.timeout(5000) });
}

async function home(): Promise<void> {
  const res = await get('/api/activities/home');
  assert.equal(res.status, 200);
  const body = (await res.json()) as unknown[];
  assert.ok(Array.isArray(body) && body.length > 0);
}

const cases: Array<[string, object, string]> = [
  ['sending the segment', AWSXRay.Segment.prototype, 'flush'],
  ['closing the segment', AWSXRay.Segment.prototype, 'close'],
  ['starting the segment', AWSXRay.Segment.prototype, 'addIncomingRequestData'],
  ['opening a subsegment', AWSXRay.Segment.prototype, 'addNewSubsegment'],
  ['closing a subsegment', AWSXRay.Subsegment.prototype, 'close'],
  ['annotating', AWSXRay.Subsegment.prototype, 'addAnnotation'],
  ['adding metadata', AWSXRay.Subsegment.prototype, 'addMetadata'],
];

for (const [what, proto, method] of cases) {
  test(`${what} fails (${method} throws): sampled requests are answered, twice`, async () => {
    await breaking(proto, method, async () => {
      await home();
      await home();
    });
    await home();
  });
}

test("recording a route's error fails: the route still answers 500 JSON", async () => {
  await breaking(AWSXRay.Segment.prototype, 'addError', async () => {
    const res = await get('/rollbar/test/error');
    assert.equal(res.status, 500);
    assert.deepEqual(await res.json(), { error: 'Internal Server Error' });
  });
});
