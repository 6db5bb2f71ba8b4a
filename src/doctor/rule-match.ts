// X-Ray's choice of sampling rule for a request, as the service and the SDKs
// make it: rules in ascending Priority (ties by RuleName), the first whose
// every field matches the request wins. ServiceName, ServiceType, Host,
// HTTPMethod, URLPath and ResourceARN are globs (`*` any run, `?` one
// character, case-insensitive); a rule with Attributes matches only requests
// that carry them, and the backend sends none.
import { xrayGlob, type SamplingRuleDocument } from '../answers/names.js';

/** A rule as X-Ray stores it: the rule file's fields, with Attributes. */
export type MatchableRule = Omit<SamplingRuleDocument['SamplingRule'], 'Version'> & {
  Attributes?: Record<string, string>;
};

/** What the backend asks the sampler with for one request. */
export interface SampledRequest {
  serviceName: string;
  /** Empty: no plugin sets an origin (a container, a workspace). */
  serviceType: string;
  host: string;
  method: string;
  urlPath: string;
  /** Empty: not running on a resource with an ARN. */
  resourceArn: string;
}

export function ruleMatches(rule: MatchableRule, req: SampledRequest): boolean {
  if (rule.Attributes && Object.keys(rule.Attributes).length > 0) return false;
  return (
    xrayGlob(rule.ServiceName, req.serviceName) &&
    xrayGlob(rule.ServiceType, req.serviceType) &&
    xrayGlob(rule.Host, req.host) &&
    xrayGlob(rule.HTTPMethod, req.method) &&
    xrayGlob(rule.URLPath, req.urlPath) &&
    xrayGlob(rule.ResourceARN, req.resourceArn)
  );
}

/** X-Ray's evaluation order. */
function evaluationOrder<R extends MatchableRule>(rules: readonly R[]): R[] {
  return [...rules].sort((a, b) =>
    a.Priority !== b.Priority ? a.Priority - b.Priority : a.RuleName < b.RuleName ? -1 : 1,
  );
}

/** The rule that decides `req`, if any does. */
export function decidingRule<R extends MatchableRule>(
  rules: readonly R[],
  req: SampledRequest,
): R | undefined {
  return evaluationOrder(rules).find((r) => ruleMatches(r, req));
}

interface Shadowing<R extends MatchableRule> {
  rule: R;
  request: SampledRequest;
}

/**
 * A rule evaluated before `ours` that takes one of `requests`: the first such
 * rule for the first request it takes, or undefined when `ours` decides all.
 */
export function shadowingRule<R extends MatchableRule>(
  rules: readonly R[],
  ours: string,
  requests: readonly SampledRequest[],
): Shadowing<R> | undefined {
  const order = evaluationOrder(rules);
  const ourIndex = order.findIndex((r) => r.RuleName === ours);
  if (ourIndex < 0) return undefined;
  for (const request of requests) {
    const rule = order.find((r) => ruleMatches(r, request));
    if (rule && order.indexOf(rule) < ourIndex) return { rule, request };
  }
  return undefined;
}

/** A rule that traces nothing: no reservoir and no rate. */
export function samplesNothing(rule: MatchableRule): boolean {
  return rule.ReservoirSize === 0 && rule.FixedRate === 0;
}
