import assert from 'node:assert/strict';
import { test } from 'node:test';
import { itemEndpoint, readConfig } from '../src/config.js';
import { DEFAULT_PORT } from '../src/service.js';

test('readConfig: defaults and values from the environment', () => {
  const c = readConfig({});
  assert.equal(c.port, DEFAULT_PORT);
  assert.equal(c.xrayUrl, '');
  assert.equal(c.rollbar.accessToken, undefined);
  assert.equal(c.rollbar.itemEndpoint, undefined);
  assert.equal(c.host, undefined);
  assert.equal(c.crashRoute, false);
  const d = readConfig({
    PORT: '8080',
    AWS_XRAY_URL: '*8080-ws.example*',
    ROLLBAR_ACCESS_TOKEN: ' t0ken ',
    ROLLBAR_ENVIRONMENT: 'staging',
    ROLLBAR_ENDPOINT: 'http://127.0.0.1:9/api/1',
    HOST: '127.0.0.1',
    ENABLE_CRASH_ROUTE: 'true',
  });
  assert.equal(d.port, 8080);
  assert.equal(d.xrayUrl, '*8080-ws.example*');
  assert.equal(d.rollbar.accessToken, 't0ken');
  assert.equal(d.rollbar.environment, 'staging');
  assert.equal(d.rollbar.itemEndpoint, 'http://127.0.0.1:9/api/1/item/');
  assert.equal(d.host, '127.0.0.1');
  assert.equal(d.crashRoute, true);
  assert.throws(() => readConfig({ PORT: 'http' }), /PORT/);
});

test('itemEndpoint: the rollbar package wants the full item URL', () => {
  assert.equal(itemEndpoint('https://api.rollbar.com/api/1/'), 'https://api.rollbar.com/api/1/item/');
  assert.equal(itemEndpoint(''), undefined);
});
