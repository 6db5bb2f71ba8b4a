import assert from 'node:assert/strict';
import { test } from 'node:test';
import { itemEndpoint, readConfig } from '../src/config.js';
import { DEFAULT_PORT } from '../src/service.js';
import { daemonAddressProblem } from '../src/observability/xray-preload.js';

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

test('daemonAddressProblem accepts what the X-Ray SDK can use, and only that', () => {
  for (const ok of [
    'xray-daemon:2000',
    '127.0.0.1:2000',
    '127.0.0.1:1',
    '127.0.0.1:65535',
    '  127.0.0.1:2000  ',
    'udp:127.0.0.1:2000 tcp:127.0.0.1:2001',
    'tcp:127.0.0.1:2001  udp:127.0.0.1:2000',
  ]) {
    assert.equal(daemonAddressProblem(ok), undefined, ok);
  }
  const refused: Array<[string, RegExp]> = [
    ['127.0.0.1:99999', /port 99999 is outside 1-65535/],
    ['127.0.0.1:0', /port 0 is outside 1-65535/],
    ['udp:127.0.0.1:2000 tcp:127.0.0.1:70000', /tcp port 70000/],
    ['xray-daemon', /not host:port/],
    ['[::1]:2000', /not host:port/],
    ['udp:127.0.0.1:2000', /contains "udp"/],
    ['my-udp-daemon:2000', /contains "udp"/],
    ['udp:127.0.0.1:2000 udp:127.0.0.1:2001', /neither/],
  ];
  for (const [address, why] of refused) assert.match(daemonAddressProblem(address) ?? '', why, address);
});
