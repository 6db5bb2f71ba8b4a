// Unit tests of the setup hook's parts: retry policy, error classification,
// rule comparison, output lines, the env overlay. No network.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { withProcessEnv, configuredEndpoint } from '../src/setup/aws-env.js';
import { exitCode, formatStep } from '../src/setup/report.js';
import {
  backoffDelay,
  DEFAULT_RETRY_POLICY,
  GaveUp,
  withRetry,
  type Retryability,
} from '../src/setup/retry.js';
import { classifyAwsError, ruleChanges, updateRuleRequest } from '../src/setup/xray.js';
import type { RuleFields } from '../src/setup/rule-file.js';

describe('retry policy', () => {
  test('more attempts than the SDK standard mode, bounded by a time budget', () => {
    assert.ok(DEFAULT_RETRY_POLICY.maxAttempts > 3);
    let worst = 0;
    for (let r = 1; r < DEFAULT_RETRY_POLICY.maxAttempts; r++)
      worst += backoffDelay(DEFAULT_RETRY_POLICY, r, () => 0.999999);
    assert.ok(worst <= DEFAULT_RETRY_POLICY.budgetMs, `worst-case wait ${worst} ms`);
  });

  test('full jitter under a capped exponential ceiling', () => {
    const p = { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 1000, budgetMs: 1e9 };
    assert.equal(
      backoffDelay(p, 1, () => 0),
      0,
    );
    assert.equal(
      backoffDelay(p, 1, () => 0.5),
      50,
    );
    assert.equal(
      backoffDelay(p, 3, () => 0.5),
      200,
    );
    assert.equal(
      backoffDelay(p, 9, () => 0.5),
      500,
      'capped at maxDelayMs',
    );
  });

  test('retries retryable errors, stops at maxAttempts with GaveUp, rethrows others at once', async () => {
    const p = { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 1, budgetMs: 1000 };
    let n = 0;
    const ok = await withRetry(
      async () => {
        if (++n < 3) throw new Error('busy');
        return 'done';
      },
      (): Retryability => 'throttled',
      p,
    );
    assert.deepEqual(ok, { value: 'done', retries: { throttled: 2, transient: 0 } });

    n = 0;
    await assert.rejects(
      withRetry(
        async () => {
          n++;
          throw new Error('busy');
        },
        () => 'transient',
        p,
      ),
      (e: unknown) => e instanceof GaveUp && e.attempts === 4 && e.reason === 'transient',
    );
    assert.equal(n, 4);

    n = 0;
    const denied = new Error('denied');
    await assert.rejects(
      withRetry(
        async () => {
          n++;
          throw denied;
        },
        () => false,
        p,
      ),
      (e: unknown) => e === denied,
    );
    assert.equal(n, 1);
  });

  test('the budget ends retries before maxAttempts', async () => {
    let n = 0;
    await assert.rejects(
      withRetry(
        async () => {
          n++;
          throw new Error('busy');
        },
        () => 'throttled',
        { maxAttempts: 100, baseDelayMs: 10, maxDelayMs: 10, budgetMs: 25 },
        () => 0.999,
      ),
      GaveUp,
    );
    assert.equal(n, 3, 'two waits of ~10 ms fit in 25 ms, a third does not');
  });
});

describe('AWS error classification', () => {
  const err = (name: string, status?: number, code?: string) =>
    Object.assign(new Error('m'), {
      name,
      ...(status ? { $metadata: { httpStatusCode: status } } : {}),
      ...(code ? { code } : {}),
    });
  test('throttling, transient, clock skew and the rest', () => {
    assert.equal(classifyAwsError(err('ThrottledException', 429)), 'throttled');
    assert.equal(classifyAwsError(err('TooManyRequestsException', 400)), 'throttled');
    assert.equal(classifyAwsError(err('Whatever', 429)), 'throttled');
    assert.equal(classifyAwsError(err('InternalFailure', 500)), 'transient');
    assert.equal(classifyAwsError(err('Unknown', 503)), 'transient');
    assert.equal(classifyAwsError(err('Error', undefined, 'ECONNRESET')), 'transient');
    assert.equal(classifyAwsError(err('TimeoutError')), 'transient');
    assert.equal(classifyAwsError(err('Error', undefined, 'ECONNREFUSED')), false);
    assert.equal(classifyAwsError(err('RequestTimeTooSkewed', 403)), 'clock-skew');
    assert.equal(classifyAwsError(err('AccessDeniedException', 403)), false);
    assert.equal(classifyAwsError(err('InvalidRequestException', 400)), false);
  });
});

describe('sampling rule comparison', () => {
  const want: RuleFields = {
    RuleName: 'Cruddur',
    ResourceARN: '*',
    Priority: 9000,
    FixedRate: 0.1,
    ReservoirSize: 5,
    ServiceName: 'backend-express',
    ServiceType: '*',
    Host: '*',
    HTTPMethod: '*',
    URLPath: '*',
    Version: 1,
  };
  test('equal rules, Attributes absent vs empty, Version and ARN ignored', () => {
    assert.deepEqual(ruleChanges(want, { ...want, RuleARN: 'arn:x', Attributes: {}, Version: 1 }), []);
  });
  test('only differing fields are reported and sent', () => {
    const changes = ruleChanges(want, {
      ...want,
      FixedRate: 0.05,
      URLPath: '/api/*',
      Attributes: { a: 'b' },
    });
    assert.deepEqual(
      changes.map((c) => c.field),
      ['FixedRate', 'URLPath', 'Attributes'],
    );
    assert.deepEqual(updateRuleRequest('Cruddur', changes), {
      SamplingRuleUpdate: { RuleName: 'Cruddur', FixedRate: 0.1, URLPath: '*', Attributes: {} },
    });
  });
});

describe('output and exit code', () => {
  test('one line per step', () => {
    assert.equal(formatStep({ step: 'x-ray group G', status: 'created' }), 'x-ray group G: created');
    assert.equal(
      formatStep({ step: 'x-ray sampling rule R', status: 'updated', detail: 'FixedRate 0.1 -> 0.2' }),
      'x-ray sampling rule R: updated (FixedRate 0.1 -> 0.2)',
    );
    assert.equal(
      formatStep({ step: 'rollbar token', status: 'skipped', detail: 'no token\n  set it' }),
      'rollbar token: skipped: no token set it',
    );
  });
  test('strict makes skipped and failed steps non-zero', () => {
    const done = [{ step: 'a', status: 'unchanged' as const }];
    const skipped = [...done, { step: 'b', status: 'skipped' as const }];
    const failed = [...done, { step: 'b', status: 'limited scope' as const }];
    assert.equal(exitCode(done, true), 0);
    assert.equal(exitCode(skipped, false), 0);
    assert.equal(exitCode(skipped, true), 1);
    assert.equal(exitCode(failed, true), 1);
  });
});

describe('environment', () => {
  test('withProcessEnv shows exactly the given env and restores process.env, also on error', async () => {
    const before = { ...process.env };
    await assert.rejects(
      withProcessEnv({ ONLY_THIS: '1' }, async () => {
        assert.deepEqual({ ...process.env }, { ONLY_THIS: '1' });
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.deepEqual({ ...process.env }, before);
  });

  test('endpoint: service variable, then global, unless ignored; bad URLs are named', () => {
    assert.deepEqual(
      configuredEndpoint({ AWS_ENDPOINT_URL_XRAY: 'http://127.0.0.1:1', AWS_ENDPOINT_URL: 'http://x' }),
      {
        url: 'http://127.0.0.1:1',
        source: 'AWS_ENDPOINT_URL_XRAY',
      },
    );
    assert.deepEqual(configuredEndpoint({ AWS_ENDPOINT_URL: 'http://127.0.0.1:2' }), {
      url: 'http://127.0.0.1:2',
      source: 'AWS_ENDPOINT_URL',
    });
    assert.equal(
      configuredEndpoint({ AWS_ENDPOINT_URL_XRAY: 'http://x', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' }),
      undefined,
    );
    const bad = configuredEndpoint({ AWS_ENDPOINT_URL_XRAY: 'localhost:4566' });
    assert.ok(bad && 'error' in bad && bad.error.includes('AWS_ENDPOINT_URL_XRAY'));
  });
});
