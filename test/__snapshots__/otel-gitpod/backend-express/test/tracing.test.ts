import assert from 'node:assert/strict';
import { test } from 'node:test';
import { samplerArgument } from '../src/observability/tracing.js';

test('OTEL_TRACES_SAMPLER_ARG gives the sampling proxy and polling interval', () => {
  assert.deepEqual(samplerArgument('endpoint=http://cloudwatch-agent:2000'), {
    endpoint: 'http://cloudwatch-agent:2000',
    pollingInterval: 300,
  });
  assert.deepEqual(samplerArgument('endpoint=http://127.0.0.1:2000/,polling_interval=60'), {
    endpoint: 'http://127.0.0.1:2000',
    pollingInterval: 60,
  });
});

test('without OTEL_TRACES_SAMPLER_ARG the sampler asks the local proxy every 300 s', () => {
  assert.deepEqual(samplerArgument(undefined), { endpoint: 'http://localhost:2000', pollingInterval: 300 });
});

test('a polling_interval the sampler would refuse is named, and 300 s used instead', () => {
  for (const given of ['x', '5', '', '-60']) {
    const parsed = samplerArgument(`endpoint=http://127.0.0.1:2000,polling_interval=${given}`);
    assert.equal(parsed.pollingInterval, 300, given);
    assert.match(parsed.problem ?? '', new RegExp(`polling_interval=${given} is not a number of seconds >= 10`));
  }
});
