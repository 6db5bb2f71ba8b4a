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
import { oneLine, showValue, type StepResult } from './report.js';
import { GaveUp, withRetry, type RetryPolicy, type Retryability } from './retry.js';
import type { RuleFields } from './rule-file.js';

/** The IAM actions `setup` needs, for the permission message. */
export const XRAY_ACTIONS = [
  'xray:GetGroups',
  'xray:CreateGroup',
  'xray:UpdateGroup',
  'xray:GetSamplingRules',
  'xray:CreateSamplingRule',
  'xray:UpdateSamplingRule',
];

/** Fields of a sampling rule compared and updated; Version cannot be updated (X-Ray only has version 1). */
export const COMPARED_RULE_FIELDS = [
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

const MAX_PAGES = 1000;

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

interface ErrorFacts {
  name: string;
  message: string;
  status?: number;
  code?: string;
}

function facts(err: unknown): ErrorFacts {
  const e = (err ?? {}) as {
    name?: string;
    message?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number };
    cause?: { code?: string };
  };
  return {
    name: e.name ?? 'Error',
    message: e.message ?? String(err),
    ...(e.$metadata?.httpStatusCode !== undefined ? { status: e.$metadata.httpStatusCode } : {}),
    ...(e.code ? { code: e.code } : e.cause?.code ? { code: e.cause.code } : {}),
  };
}

export function classifyAwsError(err: unknown): Retryability {
  const f = facts(err);
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

/** An X-Ray call that failed for good: the operation, the service's words, and what to do. */
export class XRayCallError extends Error {
  override readonly name = 'XRayCallError';
  constructor(
    readonly op: string,
    readonly failure: unknown,
    readonly where: string,
  ) {
    super(describeFailure(op, failure, where));
  }
}

function isAlreadyExists(err: unknown): boolean {
  const f = facts(err);
  return f.name === 'InvalidRequestException' && /already exists/i.test(f.message);
}

export function describeFailure(op: string, err: unknown, where: string): string {
  if (err instanceof GaveUp) {
    const f = facts(err.last);
    const secs = (err.waitedMs / 1000).toFixed(1);
    const said = `${op}: ${f.name}: ${oneLine(f.message)}`;
    return err.reason === 'throttled'
      ? `${said}; X-Ray was still throttling after ${err.attempts} attempts over ${secs} s. ` +
          'Something else in the account is calling X-Ray heavily; run setup again in a minute'
      : `${said}; still failing after ${err.attempts} attempts over ${secs} s. ` +
          'X-Ray or the network is having trouble (see https://health.aws.amazon.com/); run setup again later';
  }
  const f = facts(err);
  if (!f.status && f.code) {
    return (
      `${op}: could not reach X-Ray at ${where} (${f.code}). ` +
      'Check the network, AWS_REGION, and AWS_ENDPOINT_URL_XRAY if you set it'
    );
  }
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
        ? `${said}. Fix aws/json/x-ray.json (or regenerate it with \`cruddur-observability config\`) and run setup again`
        : `${said}. Check the group name and filter expression in .yo-rc.json and run setup again`;
    default:
      if (f.status === 403) return `${said}. The credentials may lack the IAM action ${action}`;
      return `${said}. Fix the cause above and run setup again`;
  }
}

// ------------------------------------------------------------ calls

/** One step's view of X-Ray: every call retried per the policy, failures as XRayCallError. */
export class XRayApi {
  retries = { throttled: 0, transient: 0 };

  constructor(
    private readonly client: XRayClient,
    private readonly policy: RetryPolicy,
    /** The endpoint, for "could not reach" messages. */
    private readonly where: string,
  ) {}

  async call<T>(op: string, send: (client: XRayClient) => Promise<T>): Promise<T> {
    try {
      const { value, retries } = await withRetry(() => send(this.client), classifyAwsError, this.policy);
      this.retries.throttled += retries.throttled;
      this.retries.transient += retries.transient;
      return value;
    } catch (err) {
      throw new XRayCallError(op, err, this.where);
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
      (token) =>
        this.call('GetGroups', (c) => c.send(new GetGroupsCommand(token ? { NextToken: token } : {}))),
      (out) => out.Groups?.find((g) => g.GroupName === name),
    );
  }

  findSamplingRule(name: string): Promise<SamplingRule | undefined> {
    return this.findInPages(
      (token) =>
        this.call('GetSamplingRules', (c) =>
          c.send(new GetSamplingRulesCommand(token ? { NextToken: token } : {})),
        ),
      (out) => out.SamplingRuleRecords?.find((r) => r.SamplingRule?.RuleName === name)?.SamplingRule,
    );
  }

  /** Fetches page after page (at most MAX_PAGES) until `pick` finds something or the pages run out. */
  private async findInPages<Page extends { NextToken?: string }, T>(
    fetchPage: (token: string | undefined) => Promise<Page>,
    pick: (page: Page) => T | undefined,
  ): Promise<T | undefined> {
    let token: string | undefined;
    for (let n = 0; n < MAX_PAGES; n++) {
      const page = await fetchPage(token);
      const hit = pick(page);
      if (hit) return hit;
      if (!page.NextToken || page.NextToken === token) return undefined;
      token = page.NextToken;
    }
    return undefined;
  }
}

function withNote(result: StepResult, api: XRayApi): StepResult {
  const note = api.retryNote();
  if (!note) return result;
  return { ...result, detail: result.detail ? `${result.detail}; ${note}` : note };
}

function failed(step: string, err: unknown, api: XRayApi): StepResult {
  const detail = err instanceof XRayCallError ? err.message : oneLine((err as Error)?.message ?? String(err));
  return withNote({ step, status: 'failed', detail }, api);
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
  if (groupName === 'Default') {
    return {
      step,
      status: 'skipped',
      detail: '"Default" is X-Ray\'s built-in group and cannot be changed; choose another --group-name',
    };
  }
  const req = groupRequest(groupName, filterExpression);
  return createOrUpdate(api, step, {
    find: () => api.findGroup(groupName),
    create: () => api.call('CreateGroup', (c) => c.send(new CreateGroupCommand(req))),
    async reconcile(existing) {
      if ((existing.FilterExpression ?? '').trim() === filterExpression) return { step, status: 'unchanged' };
      await api.call('UpdateGroup', (c) => c.send(new UpdateGroupCommand(req)));
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

export interface FieldChange {
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
      api.call('CreateSamplingRule', (c) => c.send(new CreateSamplingRuleCommand(createRuleRequest(want)))),
    async reconcile(existing) {
      const changes = ruleChanges(want, existing);
      if (!changes.length) return { step, status: 'unchanged' };
      if (want.RuleName === 'Default') {
        const fixed = changes.filter((c) => c.field !== 'FixedRate' && c.field !== 'ReservoirSize');
        if (fixed.length) {
          return {
            step,
            status: 'failed',
            detail:
              `X-Ray's Default rule only lets FixedRate and ReservoirSize change, not ${fixed.map((c) => c.field).join(', ')}; ` +
              'give the rule another name in aws/json/x-ray.json (--rule-name)',
          };
        }
      }
      await api.call('UpdateSamplingRule', (c) =>
        c.send(new UpdateSamplingRuleCommand(updateRuleRequest(want.RuleName, changes))),
      );
      const detail = changes.map((c) => `${c.field} ${showValue(c.from)} -> ${showValue(c.to)}`).join(', ');
      return { step, status: 'updated', detail };
    },
  });
}
