// The Rollbar half of `setup` (and of `doctor`): prove that
// ROLLBAR_ACCESS_TOKEN can do what the backend does with it, which is post
// server-side items.
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
// "Verified" needs Rollbar's own answer, not just a 2xx: a captive portal, a
// proxy or a wrong host answers 200 too. Rollbar answers an accepted deploy
// with JSON `{"data": {"deploy_id": <number>}}` (what Rollbar's own deploy
// clients read: rollbar-gem's Deploy.report, rollbar/github-deploy-action),
// its other calls with `{"err": 0, "result": {...}}`; both are accepted.
// Refusals are `{"err": 1, "message": "..."}`.
//
// Why not the `rollbar` package: it has no deploy call, turns every API error
// into `Error('Api error: ...')` without the HTTP status (needed to tell a
// rejected token from a limited one from an outage), and logs Rollbar's
// message itself, which for a bad token is "access token not found: <the
// token>" -- a secret in the terminal and CI log. Here the status is
// classified and the token is cut out of every message.
import type { Env } from '../cli/io.js';
import { formatBytes, requestText, ResponseTooLarge, type HttpAnswer } from './http.js';
import { shownUrl } from './redact.js';
import { oneLine, type StepResult } from './report.js';
import {
  AttemptTimedOut,
  DEFAULT_RETRY_POLICY,
  GaveUp,
  withRetry,
  type Retryability,
  type RetryPolicy,
} from './retry.js';

const DEFAULT_ROLLBAR_ENDPOINT = 'https://api.rollbar.com/api/1/';
export const ROLLBAR_STEP = 'rollbar token';
const SETUP_REVISION = 'cruddur-observability-setup';
const MAX_ATTEMPTS = 3;
/** Rollbar's answers to a deploy are tens of bytes; a page or a stream is not Rollbar. */
const MAX_ROLLBAR_ANSWER_BYTES = 64 * 1024;

const WHERE_TO_SET =
  'set it with `gp env ROLLBAR_ACCESS_TOKEN=...` in Gitpod (then `eval $(gp env -e)` in open terminals), ' +
  'as a Codespaces secret (GitHub Settings > Codespaces > Secrets), or in .env';
const WHICH_TOKEN =
  'a project access token with the post_server_item scope (Rollbar: Project > Settings > Project Access Tokens)';
const CHECK_ENDPOINT = `check the network, and ROLLBAR_ENDPOINT if you set it (default ${DEFAULT_ROLLBAR_ENDPOINT})`;

interface RollbarOptions {
  env: Env;
  /** Rollbar environment the deploy is recorded under (the backend's). */
  environment: string;
  /** Attempts (at most 3 here), per-attempt deadline and overall budget. */
  policy?: RetryPolicy;
}

/** What the check found; `outcome` is the step's status. */
interface TokenCheck {
  outcome: 'verified' | 'skipped' | 'rejected' | 'limited scope' | 'unreachable' | 'failed';
  /** One line: what Rollbar said and what to do (empty when verified). */
  detail: string;
  /** The deploy Rollbar recorded, when verified through a deploy answer. */
  deployId?: number;
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
      error: `ROLLBAR_ENDPOINT=${JSON.stringify(shownUrl(raw))} is not an http(s) URL; use e.g. ${DEFAULT_ROLLBAR_ENDPOINT}`,
    };
  }
}

function deployBody(environment: string) {
  return {
    environment,
    revision: SETUP_REVISION,
    local_username: 'cruddur-observability',
    comment: 'cruddur-observability setup: token check (post_server_item), no code was deployed',
    status: 'succeeded',
  };
}

/**
 * The token's own value never appears in output: Rollbar echoes a bad token in its message.
 * `token` is never empty here: checkRollbarToken returns MISSING before any call.
 */
function redact(message: string, token: string): string {
  return message.split(`: ${token}`).join('').split(token).join('<ROLLBAR_ACCESS_TOKEN>');
}

const MISSING: TokenCheck = {
  outcome: 'skipped',
  detail: `ROLLBAR_ACCESS_TOKEN is not set; ${WHERE_TO_SET}: ${WHICH_TOKEN}`,
};

/**
 * What a dry run prints for this step: the call it would make, or why it would be skipped.
 * `base` is rollbarBase(env) as already checked: setup refuses a bad ROLLBAR_ENDPOINT before any step.
 */
export function rollbarDryRun(
  opts: RollbarOptions & { base: URL },
): { line: string } | { result: StepResult } {
  if (!opts.env.ROLLBAR_ACCESS_TOKEN?.trim()) return { result: toStep(MISSING) };
  const body = JSON.stringify(deployBody(opts.environment));
  return {
    line: `would call POST ${shownUrl(new URL('deploy/', opts.base))} ${body} (header X-Rollbar-Access-Token: $ROLLBAR_ACCESS_TOKEN)`,
  };
}

/** Rollbar's 429 or 5xx, carried through withRetry so the last one can be reported. */
class RetryableAnswer extends Error {
  constructor(readonly answer: HttpAnswer) {
    super(`HTTP ${answer.status}`);
  }
}

const TRANSIENT_NETWORK = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ECONNABORTED']);

/** Rollbar's throttling and server errors, and connections dropped mid-request, are worth another try. */
function classifyRollbarError(err: unknown): Retryability {
  if (err instanceof RetryableAnswer) return err.answer.status === 429 ? 'throttled' : 'transient';
  return TRANSIENT_NETWORK.has(networkCode(err)) ? 'transient' : false;
}

function networkCode(err: unknown): string {
  return (err as { code?: unknown } | null)?.code?.toString() ?? 'network error';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

type Reading =
  | { kind: 'accepted'; deployId?: number }
  | { kind: 'refused'; message: string }
  | { kind: 'foreign'; what: string };

/** Whether an answer is Rollbar's, and what it says. */
function read(answer: HttpAnswer): Reading {
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    const what = answer.text.trim() ? answer.contentType || 'a body' : 'an empty body';
    return { kind: 'foreign', what: `${what} that is not JSON` };
  }
  if (!isObject(body)) return { kind: 'foreign', what: 'JSON that is not an object' };
  const ok = answer.status >= 200 && answer.status < 300;
  if (ok && isObject(body.data) && typeof body.data.deploy_id === 'number') {
    return { kind: 'accepted', deployId: body.data.deploy_id };
  }
  if (ok && body.err === 0 && isObject(body.result)) return { kind: 'accepted' };
  if (body.err !== undefined && body.err !== 0 && typeof body.message === 'string') {
    return { kind: 'refused', message: body.message };
  }
  return { kind: 'foreign', what: "JSON that is not Rollbar's answer" };
}

/**
 * Posts the token-check deploy and says what Rollbar made of it. Never
 * throws; every outcome, hostile ones included (no answer, a closed
 * connection, an HTML page, an endless body), is a TokenCheck with one line.
 */
async function checkRollbarToken(opts: RollbarOptions): Promise<TokenCheck> {
  const token = opts.env.ROLLBAR_ACCESS_TOKEN?.trim() ?? '';
  if (!token) return MISSING;
  const base = rollbarBase(opts.env);
  if ('error' in base) return { outcome: 'failed', detail: base.error };
  const url = new URL('deploy/', base);
  const at = shownUrl(url.origin);
  const policy = opts.policy ?? DEFAULT_RETRY_POLICY;
  const attempts = Math.min(MAX_ATTEMPTS, policy.maxAttempts);

  const post = async (signal: AbortSignal): Promise<HttpAnswer> => {
    const answer = await requestText(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        'x-rollbar-access-token': token,
      },
      body: JSON.stringify(deployBody(opts.environment)),
      signal,
      maxBodyBytes: MAX_ROLLBAR_ANSWER_BYTES,
    });
    if (answer.status === 429 || answer.status >= 500) throw new RetryableAnswer(answer);
    return answer;
  };

  let answer: HttpAnswer;
  let tries = '';
  try {
    answer = (await withRetry(post, classifyRollbarError, { ...policy, maxAttempts: attempts })).value;
  } catch (err) {
    const last = err instanceof GaveUp ? err.last : err;
    if (err instanceof GaveUp) {
      tries = ` after ${err.attempts} attempt${err.attempts === 1 ? '' : 's'} over ${(err.elapsedMs / 1000).toFixed(1)} s`;
    }
    if (last instanceof RetryableAnswer) {
      answer = last.answer;
    } else if (last instanceof ResponseTooLarge) {
      return {
        outcome: 'failed',
        detail: `${at} answered with more than ${formatBytes(last.limit)}, which is not Rollbar's API; ${CHECK_ENDPOINT}`,
      };
    } else {
      const why =
        last instanceof AttemptTimedOut
          ? `no answer from ${at} within ${(policy.attemptTimeoutMs / 1000).toFixed(1)} s`
          : `could not reach ${at} (${networkCode(last)})`;
      return { outcome: 'unreachable', detail: `${why}${tries}; ${CHECK_ENDPOINT}` };
    }
  }

  const { status } = answer;
  const reading = read(answer);
  if (reading.kind === 'accepted') {
    return {
      outcome: 'verified',
      detail: '',
      ...(reading.deployId !== undefined ? { deployId: reading.deployId } : {}),
    };
  }
  if (status === 404 || status === 405) {
    return {
      outcome: 'failed',
      detail: `${at} answered HTTP ${status} to POST ${shownUrl(url)}; ROLLBAR_ENDPOINT should be Rollbar's API base, e.g. ${DEFAULT_ROLLBAR_ENDPOINT}`,
    };
  }
  if (reading.kind === 'foreign') {
    return {
      outcome: 'failed',
      detail:
        `${at} answered HTTP ${status} with ${reading.what}, so this is not Rollbar's API ` +
        `(a captive portal, a proxy, or a wrong ROLLBAR_ENDPOINT?); ${CHECK_ENDPOINT}`,
    };
  }
  const message = redact(oneLine(reading.message), token);
  const said = `Rollbar says ${JSON.stringify(message)}`;
  if (status === 403 && /insufficient privileges|scope/i.test(message)) {
    return {
      outcome: 'limited scope',
      detail: `${said}; the backend reports server-side errors, which needs ${WHICH_TOKEN}`,
    };
  }
  if (status === 401 || status === 403) {
    return { outcome: 'rejected', detail: `${said}; put ${WHICH_TOKEN} in ROLLBAR_ACCESS_TOKEN` };
  }
  if (status === 429 || status >= 500) {
    return { outcome: 'failed', detail: `${said} (HTTP ${status})${tries}; run setup again later` };
  }
  return { outcome: 'failed', detail: `${said} (HTTP ${status})` };
}

/** Rollbar's step always says why (or, verified, the scope it proved). */
type RollbarStep = StepResult & { detail: string };

function toStep(check: TokenCheck): RollbarStep {
  if (check.outcome === 'verified')
    return { step: ROLLBAR_STEP, status: 'verified', detail: 'post_server_item' };
  return { step: ROLLBAR_STEP, status: check.outcome, detail: check.detail };
}

export async function verifyRollbarToken(opts: RollbarOptions): Promise<RollbarStep> {
  return toStep(await checkRollbarToken(opts));
}
