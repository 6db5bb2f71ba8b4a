// The X-Ray half of `setup`: make the account's group and sampling rule match
// what the workspace declares, idempotently.
//
// - Group: found by name across every page of GetGroups; created when absent,
//   updated when its filter expression differs, left alone when equal.
// - Sampling rule: found by name across every page of GetSamplingRules;
//   created when absent; when present, the fields the rule file controls are
//   compared and only those that differ are sent, in one UpdateSamplingRule.
// - Creation never duplicates: X-Ray refuses a second group or rule of the
//   same name, and if that happens because something created it between our
//   read and our create, the step reads again and compares instead.
import {
  CreateGroupCommand,
  CreateSamplingRuleCommand,
  GetGroupsCommand,
  GetSamplingRulesCommand,
  UpdateGroupCommand,
  UpdateSamplingRuleCommand,
  type GroupSummary,
  type SamplingRule,
  type SamplingRuleUpdate,
  type XRayClient,
} from '@aws-sdk/client-xray';
import { formatBytes } from './http.js';
import { oneLine, showValue, type StepResult } from './report.js';
import { AttemptTimedOut, GaveUp, withRetry, type RetryPolicy, type Retryability } from './retry.js';
import type { RuleFields } from './rule-file.js';
import { XRAY_RULE_PATH } from '../render/xray-rule.js';

/** The IAM actions `setup` needs, for the permission message. */
const XRAY_ACTIONS = [
  'xray:GetGroups',
  'xray:CreateGroup',
  'xray:UpdateGroup',
  'xray:GetSamplingRules',
  'xray:CreateSamplingRule',
  'xray:UpdateSamplingRule',
];

/** Fields of a sampling rule compared and updated; Version cannot be updated (X-Ray only has version 1). */
const COMPARED_RULE_FIELDS = [
  'ResourceARN',
  'Priority',
  'FixedRate',
  'ReservoirSize',
  'ServiceName',
  'ServiceType',
  'Host',
  'HTTPMethod',
  'URLPath',
  'Attributes',
] as const;

type ComparedField = (typeof COMPARED_RULE_FIELDS)[number];

/** X-Ray's quotas (25 groups, 25 sampling rules) fit in a few pages; more means a server that never stops. */
const MAX_PAGES = 100;

// ------------------------------------------------------------ errors

const THROTTLING = new Set([
  'ThrottledException',
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'PriorRequestNotComplete',
]);
const TRANSIENT = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalFailure',
  'InternalServerError',
  'InternalServiceError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
]);
/** Network failures worth another try; a refused connection or unknown host is a configuration problem. */
const TRANSIENT_NETWORK = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ECONNABORTED',
  'ENETRESET',
]);
const CLOCK_SKEW = new Set(['RequestTimeTooSkewed', 'RequestExpired', 'RequestInTheFuture']);
/** What the connection codes mean to a user. */
const NETWORK_WORDS: Record<string, string> = {
  ECONNREFUSED: 'nothing listens there',
  ECONNRESET: 'the connection was closed without an answer',
  EPIPE: 'the connection was closed while sending',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'the host name could not be resolved now',
  ETIMEDOUT: 'no answer in time',
  EHOSTUNREACH: 'no route to the host',
  ENETUNREACH: 'no route to the network',
};

interface ErrorFacts {
  name: string;
  message: string;
  status?: number;
  code?: string;
  /** The answer's content type, when the SDK kept the raw answer. */
  contentType?: string;
  /** The SDK could not parse the answer (its "inspect the hidden field" case). */
  unparsable: boolean;
}

function facts(err: unknown): ErrorFacts {
  const e = (err ?? {}) as {
    name?: string;
    message?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number };
    $response?: { statusCode?: number; headers?: Record<string, string> };
    cause?: { code?: string };
  };
  const message = e.message ?? String(err);
  const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
  const contentType = e.$response?.headers?.['content-type'];
  return {
    name: e.name ?? 'Error',
    message: message.replace(/\s*Deserialization error: to see the raw response.*$/s, ''),
    ...(status !== undefined ? { status } : {}),
    ...(e.code ? { code: e.code } : e.cause?.code ? { code: e.cause.code } : {}),
    ...(contentType ? { contentType: contentType.split(';')[0]!.trim() } : {}),
    unparsable: /Deserialization error/.test(message),
  };
}

export function classifyAwsError(err: unknown): Retryability {
  const f = facts(err);
  if (f.code === 'ERESPONSETOOLARGE') return false;
  if (THROTTLING.has(f.name) || f.status === 429) return 'throttled';
  if (
    CLOCK_SKEW.has(f.name) ||
    (f.name === 'InvalidSignatureException' && /signature expired/i.test(f.message))
  ) {
    return 'clock-skew';
  }
  if (TRANSIENT.has(f.name) || (f.code && TRANSIENT_NETWORK.has(f.code))) return 'transient';
  if (f.status !== undefined && f.status >= 500 && f.status !== 501) return 'transient';
  if ((err as { $retryable?: unknown } | null)?.$retryable) return 'transient';
  return false;
}

/** An answer X-Ray would not give: a list that is not a list, a NextToken that comes round again. */
export class UnusableAnswer extends Error {
  override readonly name = 'UnusableAnswer';
}

/** An X-Ray call that failed for good: the operation, the service's words, and what to do. */
export class XRayCallError extends Error {
  override readonly name = 'XRayCallError';
  /** True when X-Ray gave no answer at all (no connection, no reply in time): the next step would fare no better. */
  readonly unreachable: boolean;
  constructor(
    readonly op: string,
    readonly failure: unknown,
    readonly where: string,
  ) {
    super(describeFailure(op, failure, where));
    this.unreachable = noAnswer(failure instanceof GaveUp ? failure.last : failure);
  }
}

function isAlreadyExists(err: unknown): boolean {
  const f = facts(err);
  return f.name === 'InvalidRequestException' && /already exists/i.test(f.message);
}

function isTimeout(err: unknown): boolean {
  const f = facts(err);
  // The SDK's handler also names a reset connection TimeoutError (code ECONNRESET): that one is not.
  return err instanceof AttemptTimedOut || f.code === 'ETIMEDOUT' || (f.name === 'TimeoutError' && !f.code);
}

function noAnswer(err: unknown): boolean {
  const f = facts(err);
  return isTimeout(err) || (f.status === undefined && f.code !== undefined && f.code !== 'ERESPONSETOOLARGE');
}

const CHECK_ENDPOINT = 'Check the network, AWS_REGION, and AWS_ENDPOINT_URL_XRAY if you set it';
const NOT_XRAY =
  'Something other than X-Ray answered: check AWS_ENDPOINT_URL_XRAY (or AWS_ENDPOINT_URL) if you set it, and any proxy or captive portal on the way';

/** The one-line "what happened" of a failure that is not the service's own error. */
function outsideWords(op: string, err: unknown, where: string): string | undefined {
  const f = facts(err);
  if (isTimeout(err)) return `${op}: no answer from X-Ray at ${where}`;
  if (f.code === 'ERESPONSETOOLARGE') {
    const limit = (err as { limit?: unknown }).limit;
    const size = typeof limit === 'number' ? `more than ${formatBytes(limit)}` : 'too much';
    return `${op}: X-Ray at ${where} answered with ${size}, far more than X-Ray sends. ${NOT_XRAY}`;
  }
  if (f.status === undefined && f.code) {
    const meaning = NETWORK_WORDS[f.code];
    return `${op}: could not reach X-Ray at ${where} (${f.code}${meaning ? `: ${meaning}` : ''})`;
  }
  if (err instanceof UnusableAnswer) {
    return `${op}: X-Ray at ${where} gave an answer X-Ray would not give (${err.message}). ${NOT_XRAY}`;
  }
  if (f.unparsable) {
    const what = f.contentType ? `${f.contentType} ` : '';
    return `${op}: X-Ray at ${where} answered HTTP ${f.status ?? '?'} with ${what}that is not X-Ray's JSON. ${NOT_XRAY}`;
  }
  if (f.name === 'Unknown' || f.message === 'UnknownError') {
    return `${op}: X-Ray at ${where} answered HTTP ${f.status ?? '?'} without saying what went wrong. ${NOT_XRAY}`;
  }
  if (!(err as { $metadata?: unknown } | null)?.$metadata) {
    // Neither the service's error nor the transport's: what the SDK or this
    // code made of an answer it could not use. Its words are internals.
    return `${op}: the answer from X-Ray at ${where} could not be used. ${NOT_XRAY}`;
  }
  return undefined;
}

export function describeFailure(op: string, err: unknown, where: string): string {
  if (err instanceof GaveUp) {
    const f = facts(err.last);
    const secs = (err.elapsedMs / 1000).toFixed(1);
    const tries = `${err.attempts} attempt${err.attempts === 1 ? '' : 's'} over ${secs} s`;
    const outside = outsideWords(op, err.last, where);
    if (outside) return `${outside}; gave up after ${tries}. ${CHECK_ENDPOINT}`;
    const said = `${op}: ${f.name}: ${oneLine(f.message)}`;
    return err.reason === 'throttled'
      ? `${said}; X-Ray was still throttling after ${tries}. ` +
          'Something else in the account is calling X-Ray heavily; run setup again in a minute'
      : `${said}; still failing after ${tries}. ` +
          'X-Ray or the network is having trouble (see https://health.aws.amazon.com/); run setup again later';
  }
  const outside = outsideWords(op, err, where);
  if (outside) return noAnswer(err) ? `${outside}. ${CHECK_ENDPOINT}` : outside;
  const f = facts(err);
  const said = `${op}: ${f.name}: ${oneLine(f.message)}`;
  const action = `xray:${op}`;
  switch (f.name) {
    case 'AccessDeniedException':
    case 'AccessDenied':
    case 'UnauthorizedOperation':
    case 'UnauthorizedException':
      return (
        `${said}. Allow the IAM action ${action} for these credentials ` +
        `(setup needs ${XRAY_ACTIONS.join(', ')}; the AWSXrayFullAccess managed policy has them)`
      );
    case 'UnrecognizedClientException':
    case 'InvalidClientTokenId':
      return `${said}. AWS does not know this access key: check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or your profile)`;
    case 'InvalidSignatureException':
    case 'SignatureDoesNotMatch':
    case 'IncompleteSignatureException':
      return `${said}. The secret key does not match the access key: check AWS_SECRET_ACCESS_KEY (and the system clock)`;
    case 'ExpiredTokenException':
    case 'ExpiredToken':
    case 'TokenRefreshRequired':
      return `${said}. The session credentials have expired: refresh them (aws sso login, or a new AWS_SESSION_TOKEN)`;
    case 'RuleLimitExceededException':
      return (
        `${said}. The account has as many sampling rules as X-Ray allows: delete one you no longer use ` +
        '(aws xray delete-sampling-rule --rule-name NAME) and run setup again'
      );
    case 'InvalidRequestException':
      return op.includes('SamplingRule')
        ? `${said}. Fix ${XRAY_RULE_PATH} (or regenerate it with \`cruddur-observability config\`) and run setup again`
        : `${said}. Check the group name and filter expression in .yo-rc.json and run setup again`;
    default:
      if (f.status === 403) return `${said}. The credentials may lack the IAM action ${action}`;
      return `${said}. Fix the cause above and run setup again`;
  }
}

// ------------------------------------------------------------ calls

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A view of X-Ray in which every call is retried per the policy, each
 * attempt under its deadline, and fails as an XRayCallError. The time budget
 * is each call's own (policy.budgetMs), or, given `until`, one deadline that
 * every call shares (setup makes one XRayApi per step, so a step gives up
 * after budgetMs in all).
 */
export class XRayApi {
  retries = { throttled: 0, transient: 0 };

  constructor(
    private readonly client: XRayClient,
    private readonly policy: RetryPolicy,
    /** The endpoint as it may be shown (shownUrl), for "could not reach" messages. */
    private readonly where: string,
    private readonly budget: { until?: number } = {},
  ) {}

  /**
   * Runs `send` under the policy. `send` must pass `abortSignal` on to
   * `client.send` so that a timed-out attempt's request is torn down; the
   * deadline holds even if it does not (withRetry races it).
   */
  async call<T>(op: string, send: (client: XRayClient, abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      const { value, retries } = await withRetry(
        (signal) => send(this.client, signal),
        classifyAwsError,
        this.policy,
        { until: this.budget.until ?? Date.now() + this.policy.budgetMs },
      );
      this.retries.throttled += retries.throttled;
      this.retries.transient += retries.transient;
      return value;
    } catch (err) {
      throw new XRayCallError(op, err, this.where);
    }
  }

  /**
   * A create or update: like `call`, and the answer must carry the object
   * X-Ray returns for it (`field`), so that an endpoint answering anything
   * with 200 is not taken for a success.
   */
  async write(
    op: string,
    field: string,
    send: (client: XRayClient, abortSignal: AbortSignal) => Promise<object>,
  ): Promise<void> {
    const out = (await this.call(op, send)) as Record<string, unknown>;
    if (!isObject(out[field])) {
      throw new XRayCallError(op, new UnusableAnswer(`no ${field} in the answer`), this.where);
    }
  }

  retryNote(): string | undefined {
    const { throttled, transient } = this.retries;
    const parts = [
      throttled ? `${throttled} throttled call${throttled > 1 ? 's' : ''} retried` : '',
      transient ? `${transient} failed call${transient > 1 ? 's' : ''} retried` : '',
    ].filter(Boolean);
    return parts.length ? parts.join(', ') : undefined;
  }

  findGroup(name: string): Promise<GroupSummary | undefined> {
    return this.findInPages(
      'GetGroups',
      'Groups',
      (token) =>
        this.call('GetGroups', (c, abortSignal) =>
          c.send(new GetGroupsCommand(token ? { NextToken: token } : {}), { abortSignal }),
        ),
      (g) => (g.GroupName === name ? (g as GroupSummary) : undefined),
    );
  }

  findSamplingRule(name: string): Promise<SamplingRule | undefined> {
    return this.findInPages(
      'GetSamplingRules',
      'SamplingRuleRecords',
      (token) =>
        this.call('GetSamplingRules', (c, abortSignal) =>
          c.send(new GetSamplingRulesCommand(token ? { NextToken: token } : {}), { abortSignal }),
        ),
      (r) =>
        isObject(r.SamplingRule) && r.SamplingRule.RuleName === name
          ? (r.SamplingRule as unknown as SamplingRule)
          : undefined,
    );
  }

  /** Every sampling rule of the account, every page read (a NextToken that comes round again fails). */
  async listSamplingRules(): Promise<SamplingRule[]> {
    const rules: SamplingRule[] = [];
    await this.findInPages(
      'GetSamplingRules',
      'SamplingRuleRecords',
      (token) =>
        this.call('GetSamplingRules', (c, abortSignal) =>
          c.send(new GetSamplingRulesCommand(token ? { NextToken: token } : {}), { abortSignal }),
        ),
      (r) => {
        if (isObject(r.SamplingRule)) rules.push(r.SamplingRule as unknown as SamplingRule);
        return undefined;
      },
    );
    return rules;
  }

  /**
   * Fetches page after page until `pick` finds something or the pages run
   * out. The answer is checked as it is used: the list must be a list, and a
   * NextToken that comes round again stops the listing at once (it would
   * never end), as does a listing longer than MAX_PAGES.
   */
  private async findInPages<T>(
    op: string,
    listField: string,
    fetchPage: (token: string | undefined) => Promise<object>,
    pick: (item: Record<string, unknown>) => T | undefined,
  ): Promise<T | undefined> {
    const unusable = (why: string) => new XRayCallError(op, new UnusableAnswer(why), this.where);
    const seen = new Set<string>();
    let token: string | undefined;
    for (let n = 1; ; n++) {
      const page = (await fetchPage(token)) as Record<string, unknown>;
      const items = page[listField];
      // X-Ray always lists its Default group and rule, so the first page is never without its list.
      if (n === 1 && (items === undefined || items === null)) throw unusable(`no ${listField} list`);
      if (items !== undefined && items !== null && !Array.isArray(items)) {
        throw unusable(`${listField} is not a list`);
      }
      for (const item of items ?? []) {
        const hit = isObject(item) ? pick(item) : undefined;
        if (hit) return hit;
      }
      const next = page.NextToken;
      if (next === undefined || next === null || next === '') return undefined;
      if (typeof next !== 'string') throw unusable('NextToken is not a string');
      if (next === token || seen.has(next)) {
        throw unusable(`page ${n} gave a NextToken an earlier page gave, so the listing would never end`);
      }
      if (n >= MAX_PAGES) throw unusable(`more than ${MAX_PAGES} pages`);
      seen.add(next);
      token = next;
    }
  }
}

function withNote(result: StepResult, api: XRayApi): StepResult {
  const note = api.retryNote();
  if (!note) return result;
  return { ...result, detail: result.detail ? `${result.detail}; ${note}` : note };
}

function failed(step: string, err: unknown, api: XRayApi): StepResult {
  if (err instanceof XRayCallError) {
    return withNote({ step, status: err.unreachable ? 'unreachable' : 'failed', detail: err.message }, api);
  }
  return withNote({ step, status: 'failed', detail: oneLine((err as Error)?.message ?? String(err)) }, api);
}

/**
 * The shape the group and the rule share: look it up; create it if absent
 * (and, if someone else created it since we looked, look again once and
 * compare theirs); otherwise let `reconcile` compare and update it.
 */
async function createOrUpdate<T>(
  api: XRayApi,
  step: string,
  resource: {
    find: () => Promise<T | undefined>;
    create: () => Promise<unknown>;
    /** unchanged, updated (after its Update call) or refused. */
    reconcile: (existing: T) => Promise<StepResult>;
  },
): Promise<StepResult> {
  try {
    for (let round = 1; ; round++) {
      const existing = await resource.find();
      if (existing) return withNote(await resource.reconcile(existing), api);
      try {
        await resource.create();
        return withNote({ step, status: 'created' }, api);
      } catch (err) {
        if (round === 1 && err instanceof XRayCallError && isAlreadyExists(err.failure)) continue;
        throw err;
      }
    }
  } catch (err) {
    return failed(step, err, api);
  }
}

// ------------------------------------------------------------ group

export function groupStepName(groupName: string): string {
  return `x-ray group ${groupName}`;
}

/** The input of both CreateGroup and UpdateGroup. */
export function groupRequest(groupName: string, filterExpression: string) {
  return { GroupName: groupName, FilterExpression: filterExpression };
}

export async function ensureGroup(
  api: XRayApi,
  groupName: string,
  filterExpression: string,
): Promise<StepResult> {
  const step = groupStepName(groupName);
  const req = groupRequest(groupName, filterExpression);
  return createOrUpdate(api, step, {
    find: () => api.findGroup(groupName),
    create: () =>
      api.write('CreateGroup', 'Group', (c, abortSignal) =>
        c.send(new CreateGroupCommand(req), { abortSignal }),
      ),
    async reconcile(existing) {
      if ((existing.FilterExpression ?? '').trim() === filterExpression) return { step, status: 'unchanged' };
      await api.write('UpdateGroup', 'Group', (c, abortSignal) =>
        c.send(new UpdateGroupCommand(req), { abortSignal }),
      );
      return {
        step,
        status: 'updated',
        detail: `FilterExpression ${showValue(existing.FilterExpression)} -> ${showValue(filterExpression)}`,
      };
    },
  });
}

// ------------------------------------------------------------ sampling rule

export function ruleStepName(ruleName: string): string {
  return `x-ray sampling rule ${ruleName}`;
}

function sameAttributes(
  a: Record<string, string> | undefined,
  b: Record<string, string> | undefined,
): boolean {
  const ea = Object.entries(a ?? {}).sort(([x], [y]) => x.localeCompare(y));
  const eb = Object.entries(b ?? {}).sort(([x], [y]) => x.localeCompare(y));
  return ea.length === eb.length && ea.every(([k, v], i) => eb[i]![0] === k && eb[i]![1] === v);
}

interface FieldChange {
  field: ComparedField;
  from: unknown;
  to: unknown;
}

/** The fields where the existing rule differs from the file; a file without Attributes means none. */
export function ruleChanges(want: RuleFields, have: SamplingRule): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of COMPARED_RULE_FIELDS) {
    if (field === 'Attributes') {
      if (!sameAttributes(want.Attributes, have.Attributes)) {
        changes.push({ field, from: have.Attributes ?? {}, to: want.Attributes ?? {} });
      }
      continue;
    }
    const to = want[field];
    const from = have[field];
    const equal =
      typeof to === 'number' && typeof from === 'number' ? Math.abs(to - from) < 1e-12 : to === from;
    if (!equal) changes.push({ field, from, to });
  }
  return changes;
}

export function createRuleRequest(want: RuleFields) {
  const { Attributes, ...rest } = want;
  return {
    SamplingRule: { ...rest, ...(Attributes && Object.keys(Attributes).length ? { Attributes } : {}) },
  };
}

export function updateRuleRequest(
  ruleName: string,
  changes: FieldChange[],
): { SamplingRuleUpdate: SamplingRuleUpdate } {
  const update: Record<string, unknown> = { RuleName: ruleName };
  for (const c of changes) update[c.field] = c.to;
  return { SamplingRuleUpdate: update as SamplingRuleUpdate };
}

export async function ensureSamplingRule(api: XRayApi, want: RuleFields): Promise<StepResult> {
  const step = ruleStepName(want.RuleName);
  return createOrUpdate(api, step, {
    find: () => api.findSamplingRule(want.RuleName),
    create: () =>
      api.write('CreateSamplingRule', 'SamplingRuleRecord', (c, abortSignal) =>
        c.send(new CreateSamplingRuleCommand(createRuleRequest(want)), { abortSignal }),
      ),
    async reconcile(existing) {
      const changes = ruleChanges(want, existing);
      if (!changes.length) return { step, status: 'unchanged' };
      await api.write('UpdateSamplingRule', 'SamplingRuleRecord', (c, abortSignal) =>
        c.send(new UpdateSamplingRuleCommand(updateRuleRequest(want.RuleName, changes)), { abortSignal }),
      );
      const detail = changes.map((c) => `${c.field} ${showValue(c.from)} -> ${showValue(c.to)}`).join(', ');
      return { step, status: 'updated', detail };
    },
  });
}
