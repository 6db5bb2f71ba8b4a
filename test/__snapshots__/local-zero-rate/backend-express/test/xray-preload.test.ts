import assert from 'node:assert/strict';
import { test } from 'node:test';
import { daemonAddressProblem } from '../src/observability/xray-preload.js';

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
