// Unit tests of the setup hook's parts: retry policy and deadlines, error
// classification and wording, rule comparison, output lines and exit codes,
// redaction, the env overlay. No network.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { withProcessEnv, configuredEndpoint } from '../src/setup/aws-env.js';
import { Redactor, redactUserinfo, shownUrl } from '../src/setup/redact.js';
import { exitCode, formatStep } from '../src/setup/report.js';
import {
  AttemptTimedOut,
  backoffDelay,
  DEFAULT_RETRY_POLICY,
  GaveUp,
  within,
  withRetry,
  type Retryability,
} from '../src/setup/retry.js';
import {
  classifyAwsError,
  describeFailure,
  ruleChanges,
  updateRuleRequest,
  UnusableAnswer,
} from '../src/setup/xray.js';
import type { RuleFields } from '../src/setup/rule-file.js';

describe('retry policy', () => {
  test('the defaults are what the README promises: 8 attempts, 10 s each, 30 s in all', () => {
    assert.equal(DEFAULT_RETRY_POLICY.maxAttempts, 8);
    assert.equal(DEFAULT_RETRY_POLICY.attemptTimeoutMs, 10_000);
    assert.equal(DEFAULT_RETRY_POLICY.budgetMs, 30_000);
  });

  test('more attempts than the SDK standard mode (3), bounded by a time budget', async () => {
    // Throttled 7 times, the 8th attempt succeeds; throttled 8 times, it gives up.
    const throttledFor = (times: number) => {
      let n = 0;
      return withRetry(
        async () => {
          if (++n <= times) throw new Error('Rate exceeded');
          return n;
        },
        (): Retryability => 'throttled',
        DEFAULT_RETRY_POLICY,
        { random: () => 0 },
      );
    };
    assert.deepEqual(await throttledFor(7), { value: 8, retries: { throttled: 7, transient: 0 } });
    await assert.rejects(throttledFor(8), (e: unknown) => e instanceof GaveUp && e.attempts === 8);
    let worst = 0;
    for (let r = 1; r < DEFAULT_RETRY_POLICY.maxAttempts; r++)
      worst += backoffDelay(DEFAULT_RETRY_POLICY, r, () => 0.999999);
    assert.ok(worst <= DEFAULT_RETRY_POLICY.budgetMs, `worst-case wait ${worst} ms`);
  });

  test('full jitter under a capped exponential ceiling', () => {
    const p = { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 1000, budgetMs: 1e9, attemptTimeoutMs: 1000 };
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
    const p = { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 1, budgetMs: 1000, attemptTimeoutMs: 1000 };
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
        { maxAttempts: 100, baseDelayMs: 200, maxDelayMs: 200, budgetMs: 500, attemptTimeoutMs: 1000 },
        { random: () => 0.999 },
      ),
      GaveUp,
    );
    assert.equal(n, 3, 'two waits of ~200 ms fit in 500 ms, a third does not');
  });

  test('within: a promise that never settles is cut off at the deadline and its signal aborted', async () => {
    let seen: AbortSignal | undefined;
    const t0 = performance.now();
    await assert.rejects(
      within(50, (signal) => {
        seen = signal;
        return new Promise<never>(() => undefined);
      }),
      (e: unknown) => e instanceof AttemptTimedOut && e.ms === 50,
    );
    assert.ok(performance.now() - t0 < 1000);
    assert.ok(seen?.aborted, 'the attempt was told to stop');
    assert.ok(seen?.reason instanceof AttemptTimedOut);
  });

  test('every attempt has a deadline and the budget covers attempts and waits together', async () => {
    const signals: AbortSignal[] = [];
    const policy = { maxAttempts: 8, baseDelayMs: 1, maxDelayMs: 1, budgetMs: 300, attemptTimeoutMs: 100 };
    const t0 = performance.now();
    await assert.rejects(
      withRetry(
        (signal) => {
          signals.push(signal);
          return new Promise<never>(() => undefined);
        },
        () => false,
        policy,
      ),
      (e: unknown) => e instanceof GaveUp && e.last instanceof AttemptTimedOut && e.reason === 'transient',
    );
    const ms = performance.now() - t0;
    assert.ok(ms >= 290 && ms < 1000, `took ${ms} ms for a 300 ms budget`);
    assert.ok(signals.length >= 2 && signals.length <= 4, `${signals.length} attempts`);
    assert.ok(
      signals.every((s) => s.aborted),
      'every timed-out attempt was aborted',
    );
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
    assert.equal(classifyAwsError(err('ResponseTooLarge', undefined, 'ERESPONSETOOLARGE')), false);
  });

  test('no SDK internals in the messages: unparsable answers, UnknownError, shapes, timeouts', () => {
    const where = 'http://127.0.0.1:1';
    const unparsable = Object.assign(
      new Error(
        `Unexpected token '<', "<html>portal</html>" is not valid JSON\n  Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.`,
      ),
      {
        name: 'SyntaxError',
        $metadata: { httpStatusCode: 200 },
        $response: { statusCode: 200, headers: { 'content-type': 'text/html; charset=utf-8' } },
      },
    );
    const unknown = Object.assign(new Error('UnknownError'), {
      name: 'Unknown',
      $metadata: { httpStatusCode: 400 },
    });
    const lines = [
      describeFailure('GetGroups', unparsable, where),
      describeFailure('GetGroups', unknown, where),
      describeFailure('GetGroups', new UnusableAnswer('Groups is not a list'), where),
      describeFailure('GetGroups', new GaveUp(new AttemptTimedOut(10_000), 'transient', 3, 30_000), where),
      describeFailure('GetGroups', new TypeError('n.Groups?.find is not a function'), where),
    ];
    for (const l of lines) {
      assert.doesNotMatch(
        l,
        /hidden field|UnknownError|Unknown:|\$response|Deserialization|is not a function/,
        l,
      );
      assert.match(l, /^GetGroups: /);
      assert.match(l, /AWS_ENDPOINT_URL_XRAY/, l);
      assert.ok(!l.includes('\n'));
    }
    assert.match(lines[0]!, /answered HTTP 200 with text\/html that is not X-Ray's JSON/);
    assert.match(lines[1]!, /answered HTTP 400 without saying what went wrong/);
    assert.match(
      lines[3]!,
      /no answer from X-Ray at http:\/\/127\.0\.0\.1:1; gave up after 3 attempts over 30\.0 s/,
    );
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
  test('a failed step exits 1; a skipped one only under strict', () => {
    const done = [{ step: 'a', status: 'unchanged' as const }];
    const skipped = [...done, { step: 'b', status: 'skipped' as const }];
    assert.equal(exitCode(done, true), 0);
    assert.equal(exitCode(skipped, false), 0);
    assert.equal(exitCode(skipped, true), 1);
    for (const status of ['failed', 'rejected', 'limited scope', 'unreachable'] as const) {
      assert.equal(exitCode([...done, { step: 'b', status }], false), 1, status);
      assert.equal(exitCode([...done, { step: 'b', status }], true), 1, status);
    }
  });
});

describe('redaction', () => {
  test('the userinfo of any URL is masked, parsable or not', () => {
    assert.equal(shownUrl(new URL('http://user:pa55word@127.0.0.1:4566/x')), 'http://***@127.0.0.1:4566/x');
    assert.equal(
      redactUserinfo('at "http://u:p@h:1:2:bad" and https://tok@x.io'),
      'at "http://***@h:1:2:bad" and https://***@x.io',
    );
    assert.equal(redactUserinfo('http://127.0.0.1:1/path'), 'http://127.0.0.1:1/path');
  });

  test("the env's secrets are cut from any line, decoded userinfo too; short values are left to the URL mask", () => {
    const r = Redactor.fromEnv({
      ROLLBAR_ACCESS_TOKEN: 'canary-token-123',
      AWS_SECRET_ACCESS_KEY: 'canary-secret-456',
      AWS_ENDPOINT_URL_XRAY: 'http://canary-user:canary%40pass@127.0.0.1:1',
      ROLLBAR_ENDPOINT: 'http://ab:cd@127.0.0.1:2',
    });
    const out = r.line(
      'canary-token-123 canary-secret-456 canary-user canary@pass canary%40pass ab cd http://ab:cd@x',
    );
    assert.doesNotMatch(out, /canary/);
    assert.equal(out, '*** *** *** *** *** ab cd http://***@x');
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
