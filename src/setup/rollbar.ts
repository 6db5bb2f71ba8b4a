// The Rollbar half of `setup`: prove that ROLLBAR_ACCESS_TOKEN can do what the
// backend does with it, which is post server-side items.
//
// How: POST a deploy to `<ROLLBAR_ENDPOINT>deploy/`. Rollbar documents
// `post_server_item` as the scope that may "perform all POST requests to
// /deploy/ and /item/", and a `post_client_item` token cannot post deploys,
// so an accepted deploy proves exactly the scope the backend needs. Unlike
// posting a test item it creates no error item (no "new item" notification,
// nothing to resolve, no item quota used); it records one deploy, revision
// `cruddur-observability-setup`, with a comment saying it was the token check.
// Read-scope calls (GET /project, /items) would not prove post_server_item,
// and a `read` token would pass them while the backend's reports bounce.
//
// Why `fetch` and not the `rollbar` package: the package has no deploy call,
// turns every API error into `Error('Api error: ...')` without the HTTP
// status (needed to tell a rejected token from a limited one from an outage),
// and logs Rollbar's message itself, which for a bad token is
// "access token not found: <the token>" -- a secret in the terminal and CI log.
// Here the status is classified and the token is cut out of every message.
import type { StepResult } from './report.js';
import { oneLine } from './report.js';
import { DEFAULT_RETRY_POLICY, GaveUp, withRetry, type Retryability, type RetryPolicy } from './retry.js';
import type { Env } from '../cli/io.js';

export const DEFAULT_ROLLBAR_ENDPOINT = 'https://api.rollbar.com/api/1/';
export const ROLLBAR_STEP = 'rollbar token';
export const SETUP_REVISION = 'cruddur-observability-setup';
const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_ATTEMPTS = 3;

const WHERE_TO_SET =
  'set it with `gp env ROLLBAR_ACCESS_TOKEN=...` in Gitpod (then `eval $(gp env -e)` in open terminals), ' +
  'as a Codespaces secret (GitHub Settings > Codespaces > Secrets), or in .env';
const WHICH_TOKEN =
  'a project access token with the post_server_item scope (Rollbar: Project > Settings > Project Access Tokens)';

export interface RollbarOptions {
  env: Env;
  /** Rollbar environment the deploy is recorded under (the backend's). */
  environment: string;
  timeoutMs?: number;
  policy?: RetryPolicy;
}

/** `ROLLBAR_ENDPOINT` (default https://api.rollbar.com/api/1/) as a base URL ending in `/`. */
export function rollbarBase(env: Env): URL | { error: string } {
  const raw = env.ROLLBAR_ENDPOINT?.trim() || DEFAULT_ROLLBAR_ENDPOINT;
  try {
    const url = new URL(raw.endsWith('/') ? raw : `${raw}/`);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
    return url;
  } catch {
    return {
      error: `ROLLBAR_ENDPOINT=${JSON.stringify(raw)} is not an http(s) URL; use e.g. ${DEFAULT_ROLLBAR_ENDPOINT}`,
    };
  }
}

export function deployBody(environment: string) {
  return {
    environment,
    revision: SETUP_REVISION,
    local_username: 'cruddur-observability',
    comment: 'cruddur-observability setup: token check (post_server_item), no code was deployed',
    status: 'succeeded',
  };
}

/** The token's own value never appears in output: Rollbar echoes a bad token in its message. */
function redact(message: string, token: string): string {
  if (!token) return message;
  return message.split(`: ${token}`).join('').split(token).join('<ROLLBAR_ACCESS_TOKEN>');
}

function missingToken(): StepResult {
  return {
    step: ROLLBAR_STEP,
    status: 'skipped',
    detail: `ROLLBAR_ACCESS_TOKEN is not set; ${WHERE_TO_SET}: ${WHICH_TOKEN}`,
  };
}

/** What a dry run prints for this step: the call it would make, or why it would be skipped. */
export function rollbarDryRun(opts: RollbarOptions): { line: string } | { result: StepResult } {
  if (!opts.env.ROLLBAR_ACCESS_TOKEN?.trim()) return { result: missingToken() };
  const base = rollbarBase(opts.env);
  if ('error' in base) return { result: { step: ROLLBAR_STEP, status: 'failed', detail: base.error } };
  const body = JSON.stringify(deployBody(opts.environment));
  return {
    line: `would call POST ${new URL('deploy/', base).href} ${body} (header X-Rollbar-Access-Token: $ROLLBAR_ACCESS_TOKEN)`,
  };
}

interface Answer {
  status: number;
  message: string;
}

/** Rollbar's 429 or 5xx, carried through withRetry so the last one can be reported. */
class RetryableAnswer extends Error {
  constructor(readonly answer: Answer) {
    super(`HTTP ${answer.status}`);
  }
}

/** Rollbar's throttling and server errors, and connections dropped mid-request, are worth another try. */
function classifyRollbarError(err: unknown): Retryability {
  if (err instanceof RetryableAnswer) return err.answer.status === 429 ? 'throttled' : 'transient';
  return ['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET'].includes(networkCode(err)) ? 'transient' : false;
}

function networkCode(err: unknown): string {
  const e = err as {
    name?: string;
    code?: string;
    cause?: { code?: string; name?: string; message?: string };
  };
  if (e?.name === 'TimeoutError') return 'timeout';
  return e?.cause?.code ?? e?.code ?? e?.cause?.name ?? 'network error';
}

export async function verifyRollbarToken(opts: RollbarOptions): Promise<StepResult> {
  const token = opts.env.ROLLBAR_ACCESS_TOKEN?.trim() ?? '';
  if (!token) return missingToken();
  const base = rollbarBase(opts.env);
  if ('error' in base) return { step: ROLLBAR_STEP, status: 'failed', detail: base.error };
  const url = new URL('deploy/', base);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const policy = opts.policy ?? DEFAULT_RETRY_POLICY;

  const attempts = Math.min(MAX_ATTEMPTS, policy.maxAttempts);
  const post = async (): Promise<Answer> => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-rollbar-access-token': token },
      body: JSON.stringify(deployBody(opts.environment)),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
    const text = await res.text();
    let message = '';
    try {
      const body = JSON.parse(text) as { message?: unknown };
      if (typeof body.message === 'string') message = body.message;
    } catch {
      message = text.slice(0, 200);
    }
    const answer = { status: res.status, message: redact(oneLine(message), token) };
    if (answer.status === 429 || answer.status >= 500) throw new RetryableAnswer(answer);
    return answer;
  };

  let answer: Answer;
  try {
    answer = (await withRetry(post, classifyRollbarError, { ...policy, maxAttempts: attempts })).value;
  } catch (err) {
    const last = err instanceof GaveUp ? err.last : err;
    if (last instanceof RetryableAnswer) {
      answer = last.answer;
    } else {
      const code = networkCode(last);
      const why =
        code === 'timeout'
          ? `no answer from ${url.origin} within ${(timeoutMs / 1000).toFixed(1)} s`
          : `could not reach ${url.origin} (${code})`;
      return {
        step: ROLLBAR_STEP,
        status: 'unreachable',
        detail: `${why}; check the network, and ROLLBAR_ENDPOINT if you set it (default ${DEFAULT_ROLLBAR_ENDPOINT})`,
      };
    }
  }

  const { status, message } = answer;
  const said = message ? `Rollbar says ${JSON.stringify(message)}` : `Rollbar answered HTTP ${status}`;
  if (status >= 200 && status < 300) {
    return { step: ROLLBAR_STEP, status: 'verified', detail: 'post_server_item' };
  }
  if (status === 403 && /insufficient privileges|scope/i.test(message)) {
    return {
      step: ROLLBAR_STEP,
      status: 'limited scope',
      detail: `${said}; the backend reports server-side errors, which needs ${WHICH_TOKEN}`,
    };
  }
  if (status === 401 || status === 403) {
    return {
      step: ROLLBAR_STEP,
      status: 'rejected',
      detail: `${said}; put ${WHICH_TOKEN} in ROLLBAR_ACCESS_TOKEN`,
    };
  }
  if (status === 404 || status === 405) {
    return {
      step: ROLLBAR_STEP,
      status: 'failed',
      detail: `${said} for POST ${url.href}; ROLLBAR_ENDPOINT should be Rollbar's API base, e.g. ${DEFAULT_ROLLBAR_ENDPOINT}`,
    };
  }
  if (status === 429 || status >= 500) {
    return {
      step: ROLLBAR_STEP,
      status: 'failed',
      detail: `${said} (HTTP ${status}) after ${attempts} attempts; run setup again later`,
    };
  }
  return { step: ROLLBAR_STEP, status: 'failed', detail: `${said} (HTTP ${status})` };
}
