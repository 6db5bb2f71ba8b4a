// What this backend relies on inside aws-xray-sdk-core beyond its typed API
// (src/observability/xray-internals.ts). A failure here after an upgrade of
// the SDK means src/observability/tracing.ts needs a change before the
// upgrade ships: without it, requests would go untraced, or traces would
// lose their HTTP status, with nothing but a log line to say so.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { after, before, test } from 'node:test';
import type AWSXRayModule from 'aws-xray-sdk-core';
import type * as Internals from '../src/observability/xray-internals.js';

const MOVED = 'aws-xray-sdk-core moved something src/observability/xray-internals.ts relies on';

const daemon = createSocket('udp4');
let AWSXRay: typeof AWSXRayModule;
let internals: typeof Internals;

before(async () => {
  await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
  // The SDK reads its address when it loads.
  process.env.AWS_XRAY_DAEMON_ADDRESS = `127.0.0.1:${daemon.address().port}`;
  internals = await import('../src/observability/xray-internals.js');
  AWSXRay = (await import('aws-xray-sdk-core')).default;
});

after(() => daemon.close());

function request(): { req: IncomingMessage; res: ServerResponse } {
  const req = new IncomingMessage(new Socket());
  req.method = 'GET';
  req.url = '/api/health';
  req.headers = { host: 'localhost' };
  const res = new ServerResponse(req);
  res.statusCode = 201;
  return { req, res };
}

test("the middleware's sampler decides for the request tracing.ts describes", () => {
  assert.equal(
    typeof internals.sampler?.shouldSample,
    'function',
    `${MOVED}: middleware.sampler.shouldSample`,
  );
  // The sampler answers undefined when it failed inside (it logs and swallows the error).
  const decision = internals.sampler.shouldSample({
    host: 'localhost',
    httpMethod: 'GET',
    urlPath: '/api/health',
    serviceName: 'backend',
  });
  assert.ok(
    typeof decision === 'boolean' || typeof decision === 'string',
    `${MOVED}: shouldSample answered ${String(decision)}`,
  );
});

test('a segment keeps its request data in `http`, and closing that records the response', () => {
  const { req, res } = request();
  const segment = new AWSXRay.Segment('internals');
  segment.addIncomingRequestData(new AWSXRay.middleware.IncomingRequestData(req));
  const http = internals.requestData(segment);
  assert.ok(http && typeof http.close === 'function', `${MOVED}: segment.http.close`);
  http.close(res);
  assert.equal(http.response?.status, 201, `${MOVED}: segment.http.response.status`);
  const doc = JSON.parse(segment.format()) as { http?: { request?: { method?: string } } };
  assert.equal(doc.http?.request?.method, 'GET', `${MOVED}: the segment document's http`);
});

test('the emitter sends the document from format(), whatever toString() says', async () => {
  class ShortSegment extends AWSXRay.Segment {
    override toString(): string {
      return 'short';
    }
  }
  const received = new Promise<string>((resolve) => daemon.once('message', (msg) => resolve(msg.toString())));
  const segment = new ShortSegment('internals-emitter');
  segment.close();
  const datagram = await received;
  const doc = JSON.parse(datagram.slice(datagram.indexOf('\n') + 1)) as { name?: string; id?: string };
  assert.equal(doc.name, 'internals-emitter', `${MOVED}: the emitter no longer sends format()`);
  assert.equal(doc.id, segment.id);
});
