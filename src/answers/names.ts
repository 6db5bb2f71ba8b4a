// "Names agree": every name that ties the backend's traces to the X-Ray group
// and the sampling rule is derived here, from the answers, and nowhere else.
// The bootcamp lost days to these disagreeing.
//
// Under dynamic naming a segment is named by the request's Host in Gitpod and
// by the service name elsewhere, so neither the group nor the rule can match
// on the segment name alone without matching every service in the account.
// Instead:
// - every segment the backend sends carries the annotation
//   `service_name = <service-name>`, and the group filters on it;
// - the backend asks the sampler with its service name (not the dynamic
//   segment name), so the rule's ServiceName is exactly <service-name>.
import type { Answers } from './table.js';

/** Annotation key on every segment; X-Ray keys allow [A-Za-z0-9_]. */
export const SERVICE_ANNOTATION = 'service_name';

/** Below the default rule (10000), above anything a user is likely to add. */
export const RULE_PRIORITY = 9000;

export function groupFilterExpression(serviceName: string): string {
  return `annotation.${SERVICE_ANNOTATION} = ${JSON.stringify(serviceName)}`;
}

/** The body of aws/json/x-ray.json, as `aws xray create-sampling-rule` takes it. */
export interface SamplingRuleDocument {
  SamplingRule: {
    RuleName: string;
    ResourceARN: string;
    Priority: number;
    FixedRate: number;
    ReservoirSize: number;
    ServiceName: string;
    ServiceType: string;
    Host: string;
    HTTPMethod: string;
    URLPath: string;
    Version: number;
  };
}

export function samplingRule(
  a: Pick<Answers, 'ruleName' | 'serviceName' | 'samplingRate' | 'reservoirSize'>,
): SamplingRuleDocument {
  return {
    SamplingRule: {
      RuleName: a.ruleName,
      ResourceARN: '*',
      Priority: RULE_PRIORITY,
      FixedRate: a.samplingRate,
      ReservoirSize: a.reservoirSize,
      ServiceName: a.serviceName,
      ServiceType: '*',
      Host: '*',
      HTTPMethod: '*',
      URLPath: '*',
      Version: 1,
    },
  };
}

/**
 * X-Ray's glob (`*` any run, `?` one character), over the whole string and
 * case-insensitive, as sampling rules and dynamic naming match names.
 */
export function xrayGlob(pattern: string, text: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '[\\s\\S]*')
    .replace(/\?/g, '[\\s\\S]');
  return new RegExp(`^${re}$`, 'i').test(text);
}
