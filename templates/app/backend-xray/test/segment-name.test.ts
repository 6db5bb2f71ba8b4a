import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_NAME_LENGTH, cleanSegmentName, segmentName } from '../src/observability/segment-name.js';

const XRAY_NAME = /^[\p{L}\p{N}\s_.:/%&#=+\\\-@]{1,200}$/u;

test('segmentName: the Host when it matches AWS_XRAY_URL (X-Ray glob, case-insensitive), else the service', () => {
  const pattern = '*4567-ws.gitpod.io*';
  assert.equal(segmentName('4567-ws.gitpod.io', pattern, 'svc'), '4567-ws.gitpod.io');
  assert.equal(segmentName('4567-WS.gitpod.IO', pattern, 'svc'), '4567-WS.gitpod.IO');
  assert.equal(segmentName('localhost:4567', pattern, 'svc'), 'svc');
  assert.equal(segmentName('abc', 'a?c', 'svc'), 'abc');
  assert.equal(segmentName('ac', 'a?c', 'svc'), 'svc');
  assert.equal(segmentName('4567-ws.gitpod.io', '', 'svc'), 'svc', 'an empty pattern: no dynamic naming');
  assert.equal(segmentName(undefined, pattern, 'svc'), 'svc');
});

test('segmentName: a hostile 16 KB Host that matches is cleaned and clamped', () => {
  const host = `4567-ws.gitpod.io${'<>'.repeat(8 * 1024)}`;
  const name = segmentName(host, '*4567-ws.gitpod.io*', 'svc');
  assert.equal(name, '4567-ws.gitpod.io');
  assert.equal(segmentName('a'.repeat(16 * 1024), '*a*a*a*a*b', 'svc'), 'svc');
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
