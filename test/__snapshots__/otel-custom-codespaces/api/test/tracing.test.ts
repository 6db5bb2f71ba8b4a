import assert from 'node:assert/strict';
import { test } from 'node:test';
import { samplerArgument } from '../src/observability/tracing.js';

test('OTEL_TRACES_SAMPLER_ARG gives the sampling proxy and polling interval', () => {
  assert.deepEqual(samplerArgument('endpoint=http://cloudwatch-agent:2000'), {
    endpoint: 'http://cloudwatch-agent:2000',
  });
  assert.deepEqual(samplerArgument('endpoint=http://127.0.0.1:2000/,polling_interval=60'), {
    endpoint: 'http://127.0.0.1:2000',
    pollingInterval: 60,
  });
});

test('without OTEL_TRACES_SAMPLER_ARG the sampler asks the local proxy', () => {
  assert.deepEqual(samplerArgument(undefined), { endpoint: 'http://localhost:2000' });
  assert.deepEqual(samplerArgument('polling_interval=x'), { endpoint: 'http://localhost:2000' });
});
