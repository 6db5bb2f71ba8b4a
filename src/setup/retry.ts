// The retry policy and the deadlines of every network call `setup` makes
// (and `doctor` will make), chosen on purpose rather than taken from the
// SDK's defaults.
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
// - every attempt has a deadline (10 s for the whole answer, body included),
//   enforced here with a timer of our own: the SDK's requestTimeout alone only
//   logs a warning, and a promise that never settles (undici's fetch against a
//   server that closes at once, on Node 20) must not end the process silently;
// - a total budget of 30 s, attempts and waits together, shared by every call
//   of one step (`until`): no attempt runs past it and no retry is made that
//   would start after it, so a server that accepts and never answers costs a
//   step 30 s, not forever;
// - only throttling and transient errors (timeouts included) are retried (see
//   the `classify` argument); everything else (permissions, validation) fails
//   at once: retrying an AccessDeniedException only delays the message the
//   user needs.
import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Upper bound on the time one step spends in all: attempts and the waits between them. */
  budgetMs: number;
  /** Upper bound on one attempt: connecting, sending, and reading the whole answer. */
  attemptTimeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = {
  maxAttempts: 8,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
  budgetMs: 30_000,
  attemptTimeoutMs: 10_000,
};

export type Retryability = 'throttled' | 'transient' | 'clock-skew' | false;

interface Attempted<T> {
  value: T;
  /** Retries made before success, by reason. */
  retries: { throttled: number; transient: number };
}

/** An attempt that had no complete answer within its deadline. */
export class AttemptTimedOut extends Error {
  override readonly name = 'AttemptTimedOut';
  constructor(readonly ms: number) {
    super(`no complete answer within ${(ms / 1000).toFixed(1)} s`);
  }
}

export class GaveUp extends Error {
  override readonly name = 'GaveUp';
  constructor(
    readonly last: unknown,
    readonly reason: Retryability,
    readonly attempts: number,
    /** Time spent in all (attempts and waits) when giving up. */
    readonly elapsedMs: number,
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
 * Runs `fn` with an abort signal and settles within `ms`: with fn's outcome,
 * or with AttemptTimedOut (the signal is then aborted, so the request is torn
 * down). The timer is a normal, referenced one on purpose: while an attempt
 * is pending the process stays alive, so it cannot exit as if all were done.
 */
export async function within<T>(ms: number, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new AttemptTimedOut(ms);
      controller.abort(err);
      reject(err);
    }, ms);
  });
  try {
    return await Promise.race([fn(controller.signal), expired]);
  } catch (err) {
    // Whatever fn rejected with once told to stop (an AbortError), the cause is the deadline.
    throw controller.signal.aborted ? (controller.signal.reason as unknown) : err;
  } finally {
    clearTimeout(timer);
  }
}

interface RetryOptions {
  random?: () => number;
  /** Time (Date.now()) past which nothing more is attempted; default now + policy.budgetMs. */
  until?: number;
}

/**
 * Runs `fn` until it succeeds, `classify` says an error is not worth
 * retrying, or the policy is exhausted (attempts, or the time until `until`).
 * Each attempt gets its own deadline (see `within`) and a signal that aborts
 * with it. Throws the last error unchanged when it is not retryable, and
 * `GaveUp` (wrapping it) when attempts or time ran out.
 */
export async function withRetry<T>(
  fn: (signal: AbortSignal) => Promise<T>,
  classify: (err: unknown) => Retryability,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  opts: RetryOptions = {},
): Promise<Attempted<T>> {
  const random = opts.random ?? Math.random;
  const start = Date.now();
  const until = opts.until ?? start + policy.budgetMs;
  const retries = { throttled: 0, transient: 0 };
  let clockSkewRetried = false;
  let last: unknown = undefined;
  let lastKind: Retryability = 'transient';
  for (let attempt = 1; ; attempt++) {
    const left = until - Date.now();
    if (left <= 0) {
      throw new GaveUp(last ?? new AttemptTimedOut(0), lastKind, attempt - 1, Date.now() - start);
    }
    try {
      return { value: await within(Math.min(policy.attemptTimeoutMs, left), fn), retries };
    } catch (err) {
      const kind = err instanceof AttemptTimedOut ? 'transient' : classify(err);
      if (!kind) throw err;
      last = err;
      lastKind = kind;
      if (kind === 'clock-skew') {
        // The SDK corrects its clock offset from the failed response; one
        // immediate retry is enough, a second failure is not about the clock.
        if (clockSkewRetried) throw err;
        clockSkewRetried = true;
        continue;
      }
      const delay = backoffDelay(policy, attempt, random);
      if (attempt >= policy.maxAttempts || Date.now() + delay >= until) {
        throw new GaveUp(err, kind, attempt, Date.now() - start);
      }
      retries[kind]++;
      await sleep(delay);
    }
  }
}
