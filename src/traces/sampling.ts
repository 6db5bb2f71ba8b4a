// The X-Ray daemon's sampling proxy, answered locally: the SDK (and the
// OpenTelemetry X-Ray sampler) poll POST /GetSamplingRules every 5 minutes and
// POST /SamplingTargets every 10 s, then sample by the rules themselves. So
// the answers must be shaped as X-Ray's API returns them (xray-2016-04-12:
// SamplingRuleRecord, SamplingTargetDocument), or the SDK ignores a rule:
// it drops one without `Attributes: {}`, `Version: 1` or `ResourceARN: "*"`.
// A rule's reservoir is shared between the clients reporting statistics for
// it, as X-Ray shares it, and its FixedRate comes back with each target.
// Pure: the clock is passed in.
import { XRAY_BUILT_IN_NAME } from '../answers/names.js';
import type { RuleFields } from '../setup/rule-file.js';

export type SamplingRuleInput = RuleFields;

/** X-Ray's built-in rule, which every account has: 1 request a second, then 5%. */
export const DEFAULT_RULE: SamplingRuleInput = {
  RuleName: XRAY_BUILT_IN_NAME,
  Priority: 10000,
  FixedRate: 0.05,
  ReservoirSize: 1,
  ServiceName: '*',
  ServiceType: '*',
  Host: '*',
  HTTPMethod: '*',
  URLPath: '*',
  ResourceARN: '*',
  Version: 1,
};

/** The rules plus Default (unless one is named so), as the account would have them. */
function withDefaultRule(rules: SamplingRuleInput[]): SamplingRuleInput[] {
  return rules.some((r) => r.RuleName === DEFAULT_RULE.RuleName) ? rules : [...rules, DEFAULT_RULE];
}

/** How often a client reports statistics (seconds), as X-Ray answers. */
const TARGET_INTERVAL = 10;

interface SamplingAnswer {
  status: number;
  body: unknown;
}

interface RuleStatistics {
  requests: number;
  sampled: number;
  borrowed: number;
}

interface StatisticsDocument {
  RuleName: string;
  ClientID: string;
  RequestCount: number;
  SampledCount: number;
  BorrowCount: number;
}

const CLIENT_ID = /^[0-9a-f]{24}$/i;

function statisticsProblem(body: unknown): string | undefined {
  const docs = (body as { SamplingStatisticsDocuments?: unknown } | null)?.SamplingStatisticsDocuments;
  if (!Array.isArray(docs)) return 'SamplingStatisticsDocuments is required';
  if (docs.length > 25) return 'SamplingStatisticsDocuments may have at most 25 members';
  for (const [i, d] of docs.entries()) {
    const s = d as Partial<StatisticsDocument> | null;
    if (typeof s?.RuleName !== 'string' || s.RuleName.length < 1 || s.RuleName.length > 64)
      return `SamplingStatisticsDocuments.${i + 1}.RuleName must be 1-64 characters`;
    if (typeof s.ClientID !== 'string' || !CLIENT_ID.test(s.ClientID))
      return `SamplingStatisticsDocuments.${i + 1}.ClientID must be 24 hex characters`;
    for (const k of ['RequestCount', 'SampledCount'] as const)
      if (!Number.isInteger(s[k]) || (s[k] as number) < 0)
        return `SamplingStatisticsDocuments.${i + 1}.${k} must be a whole number >= 0`;
  }
  return undefined;
}

function invalid(message: string): SamplingAnswer {
  return { status: 400, body: { __type: 'InvalidRequestException', message } };
}

export class SamplingProxy {
  rules: SamplingRuleInput[];
  /** Per rule, what clients reported sampling. */
  readonly statistics = new Map<string, RuleStatistics>();
  /** Per rule, client id -> when it last reported (epoch seconds). */
  private readonly clients = new Map<string, Map<string, number>>();
  private loadedAt: number;

  /** `nowSec`: when the rules were read (their CreatedAt and ModifiedAt). */
  constructor(rules: SamplingRuleInput[], nowSec: number) {
    this.rules = withDefaultRule(rules);
    this.loadedAt = nowSec;
  }

  /**
   * New rules (the rule file was edited): answered from now on, and
   * LastRuleModification moves, so a client fetches them again at its next
   * SamplingTargets call instead of in up to 5 minutes.
   */
  replaceRules(rules: SamplingRuleInput[], nowSec: number): void {
    this.rules = withDefaultRule(rules);
    this.loadedAt = Math.max(nowSec, this.loadedAt + 0.001);
  }

  /** Answers one request to the proxy; `body` is the request's text. */
  handle(method: string, path: string, body: string, nowSec: number): SamplingAnswer {
    if (method !== 'POST' || (path !== '/GetSamplingRules' && path !== '/SamplingTargets'))
      return {
        status: 404,
        body: {
          message: `${method} ${path}: the sampling proxy answers POST /GetSamplingRules and /SamplingTargets`,
        },
      };
    let parsed: unknown;
    try {
      parsed = JSON.parse(body || '{}');
    } catch {
      return invalid('the request body is not JSON');
    }
    return path === '/GetSamplingRules' ? this.samplingRules() : this.samplingTargets(parsed, nowSec);
  }

  samplingRules(): SamplingAnswer {
    return {
      status: 200,
      body: {
        SamplingRuleRecords: this.rules.map((rule) => ({
          SamplingRule: {
            ...rule,
            RuleARN: `arn:aws:xray:local:000000000000:sampling-rule/${rule.RuleName}`,
            Attributes: rule.Attributes ?? {},
          },
          CreatedAt: this.loadedAt,
          ModifiedAt: this.loadedAt,
        })),
      },
    };
  }

  samplingTargets(body: unknown, nowSec: number): SamplingAnswer {
    const problem = statisticsProblem(body);
    if (problem) return invalid(problem);
    const docs = (body as { SamplingStatisticsDocuments: StatisticsDocument[] }).SamplingStatisticsDocuments;
    const targets: unknown[] = [];
    const unprocessed: unknown[] = [];
    for (const doc of docs) {
      const rule = this.rules.find((r) => r.RuleName === doc.RuleName);
      if (!rule) {
        unprocessed.push({ RuleName: doc.RuleName, ErrorCode: '400', Message: 'Unknown rule' });
        continue;
      }
      const stats = this.statistics.get(rule.RuleName) ?? { requests: 0, sampled: 0, borrowed: 0 };
      stats.requests += doc.RequestCount;
      stats.sampled += doc.SampledCount;
      stats.borrowed += Number.isInteger(doc.BorrowCount) ? doc.BorrowCount : 0;
      this.statistics.set(rule.RuleName, stats);
      targets.push({
        RuleName: rule.RuleName,
        FixedRate: rule.FixedRate,
        ReservoirQuota: this.quota(rule, doc.ClientID, nowSec),
        ReservoirQuotaTTL: nowSec + TARGET_INTERVAL,
        Interval: TARGET_INTERVAL,
      });
    }
    return {
      status: 200,
      body: {
        SamplingTargetDocuments: targets,
        LastRuleModification: this.loadedAt,
        UnprocessedStatistics: unprocessed,
      },
    };
  }

  /**
   * The client's share of the rule's reservoir: the clients that reported
   * within two intervals split it, the remainder going to the first by id,
   * so together they take at most ReservoirSize a second.
   */
  private quota(rule: SamplingRuleInput, clientId: string, nowSec: number): number {
    const seen = this.clients.get(rule.RuleName) ?? new Map<string, number>();
    this.clients.set(rule.RuleName, seen);
    seen.set(clientId, nowSec);
    for (const [id, at] of seen) if (nowSec - at > 2 * TARGET_INTERVAL) seen.delete(id);
    const active = [...seen.keys()].sort();
    const share = Math.floor(rule.ReservoirSize / active.length);
    return share + (active.indexOf(clientId) < rule.ReservoirSize % active.length ? 1 : 0);
  }
}
