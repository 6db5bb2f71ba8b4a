import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CREDENTIAL_NAME, REDACTED, scrubCredentials, scrubUrl } from '../src/observability/scrub.js';

test('CREDENTIAL_NAME: credential-looking names, not ordinary headers', () => {
  for (const name of [
    'authorization',
    'Proxy-Authorization',
    'x-api-key',
    'X-Auth-Token',
    'x-acme-session-token',
    'client_secret',
    'password',
    'private_key',
    'X-Amz-Signature',
    'code',
  ]) {
    assert.ok(CREDENTIAL_NAME.test(name), name);
  }
  for (const name of ['user-agent', 'content-type', 'accept', 'host', 'x-amzn-trace-id', 'x-forwarded-for']) {
    assert.ok(!CREDENTIAL_NAME.test(name), name);
  }
});

test('scrubUrl replaces credential query values and keeps the rest', () => {
  assert.equal(
    scrubUrl('/a?page=2&api_key=k1&client%5Fsecret=s1&q=x'),
    `/a?page=2&api_key=${REDACTED}&client%5Fsecret=${REDACTED}&q=x`,
  );
  assert.equal(scrubUrl('/a'), '/a');
});

test("scrubCredentials scrubs the item's request: headers, query, body fields, nested ones", () => {
  const data: Record<string, unknown> = {
    request: {
      url: '/x?token=t1',
      headers: { 'x-custom-token': 'h1', accept: '*/*' },
      GET: { token: 't1' },
      POST: { user: 'ann', profile: { api_key: 'k2' } },
    },
  };
  scrubCredentials(data);
  assert.deepEqual(data.request, {
    url: `/x?token=${REDACTED}`,
    headers: { 'x-custom-token': REDACTED, accept: '*/*' },
    GET: { token: REDACTED },
    POST: { user: 'ann', profile: { api_key: REDACTED } },
  });
});
