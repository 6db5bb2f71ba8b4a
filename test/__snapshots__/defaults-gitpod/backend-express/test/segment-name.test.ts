import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_NAME_LENGTH, cleanSegmentName, globMatch, segmentName } from '../src/observability/segment-name.js';

const XRAY_NAME = /^[\p{L}\p{N}\s_.:/%&#=+\\\-@]{1,200}$/u;

test('globMatch: X-Ray glob, whole string, case-insensitive', () => {
  assert.ok(globMatch('*', ''));
  assert.ok(globMatch('*4567-ws.gitpod.io*', '4567-ws.gitpod.io'));
  assert.ok(globMatch('*4567-WS.gitpod.io*', 'https://4567-ws.GITPOD.io/x'));
  assert.ok(globMatch('a?c', 'abc'));
  assert.ok(!globMatch('a?c', 'ac'));
  assert.ok(!globMatch('*4567-ws.gitpod.io*', 'localhost:4567'));
  assert.ok(!globMatch('abc', 'abcd'));
  assert.ok(globMatch('a*b*c', 'aXXbYYc'));
});

test('globMatch stays fast on a hostile 16 KB Host', () => {
  const start = process.hrtime.bigint();
  assert.ok(!globMatch('*a*a*a*a*b', 'a'.repeat(16 * 1024)));
  assert.ok(Number(process.hrtime.bigint() - start) / 1e6 < 500);
});

test('cleanSegmentName keeps X-Ray-valid names and clamps to 200 characters', () => {
  assert.equal(cleanSegmentName('4567-ws.gitpod.io', 'svc'), '4567-ws.gitpod.io');
  assert.equal(cleanSegmentName('<script>alert(1)</script>', 'svc'), 'scriptalert1/script');
  assert.equal(cleanSegmentName('!!!', 'svc'), 'svc');
  const long = cleanSegmentName('h'.repeat(10_000), 'svc');
  assert.equal(long.length, MAX_NAME_LENGTH);
  for (const raw of ['a\u0000b', 'é'.repeat(300), '😀host', ' x ', '\\//%&#=+-@']) {
    assert.match(cleanSegmentName(raw, 'svc'), XRAY_NAME);
  }
});

test('segmentName: Host when it matches the pattern, else the service name', () => {
  const pattern = '*4567-ws.gitpod.io*';
  assert.equal(segmentName('4567-ws.gitpod.io', pattern, 'svc'), '4567-ws.gitpod.io');
  assert.equal(segmentName('localhost:4567', pattern, 'svc'), 'svc');
  assert.equal(segmentName(undefined, pattern, 'svc'), 'svc');
  assert.equal(segmentName('4567-ws.gitpod.io', '', 'svc'), 'svc');
});
