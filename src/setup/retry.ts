// The retry policy for the setup hooks, chosen on purpose rather than taken
// from the SDK's defaults.
//
// The SDK's `standard` mode makes 3 attempts with at most ~20 s of backoff and
// a shared retry quota that stops retrying after a burst of failures; a real
// X-Ray throttling burst (ThrottledException, 429, a few requests per second
// per account for the control-plane APIs) can outlast that, and the user then
// sees a failure for something that would have worked a few seconds later.
// So the X-Ray client is built with `maxAttempts: 1` and every call goes
// through `withRetry` here:
// - up to 8 attempts;
// - capped exponential backoff with full jitter ("Exponential Backoff And
//   Jitter", AWS Architecture Blog): delay = random(0, min(cap, base * 2^n)),
//   base 250 ms, cap 8 s, so concurrent clients spread out;
// - a total budget of 30 s: a retry whose delay would end past the budget is
//   not made, so `setup` never hangs for minutes;
// - only throttling and transient errors are retried (see `classify`);
//   everything else (permissions, validation) fails at once: retrying an
//   AccessDeniedException only delays the message the user needs.
import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Upper bound on the total time spent waiting between attempts. */
  budgetMs: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = {
  maxAttempts: 8,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
  budgetMs: 30_000,
};

export type Retryability = 'throttled' | 'transient' | 'clock-skew' | false;

export interface Attempted<T> {
  value: T;
  /** Retries made before success, by reason. */
  retries: { throttled: number; transient: number };
}

export class GaveUp extends Error {
  override readonly name = 'GaveUp';
  constructor(
    readonly last: unknown,
    readonly reason: Retryability,
    readonly attempts: number,
    readonly waitedMs: number,
  ) {
    super(last instanceof Error ? last.message : String(last));
  }
}

/** Full-jitter delay before retry number `retry` (1-based). */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.floor(random() * ceiling);
}

/**
 * Runs `fn` until it succeeds, `classify` says an error is not worth
 * retrying, or the policy is exhausted. Throws the last error unchanged when it
 * is not retryable, and `GaveUp` (wrapping it) when retries ran out.
 */
export async function withRetry<T>(
  fn: () => Promise<T>,
  classify: (err: unknown) => Retryability,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  random: () => number = Math.random,
): Promise<Attempted<T>> {
  const retries = { throttled: 0, transient: 0 };
  let waited = 0;
  let clockSkewRetried = false;
  for (let attempt = 1; ; attempt++) {
    try {
      return { value: await fn(), retries };
    } catch (err) {
      const kind = classify(err);
      if (!kind) throw err;
      if (kind === 'clock-skew') {
        // The SDK corrects its clock offset from the failed response; one
        // immediate retry is enough, a second failure is not about the clock.
        if (clockSkewRetried) throw err;
        clockSkewRetried = true;
        continue;
      }
      const delay = backoffDelay(policy, attempt, random);
      if (attempt >= policy.maxAttempts || waited + delay > policy.budgetMs) {
        throw new GaveUp(err, kind, attempt, waited);
      }
      retries[kind]++;
      waited += delay;
      await sleep(delay);
    }
  }
}
