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

/**
 * X-Ray's built-in group and sampling rule, in every account: the group
 * cannot be created, changed or deleted, the rule only re-rated, so neither
 * can be ours. The answers, setup's reading of aws/json/x-ray.json and the
 * X-Ray stand-in in the tests all take it from here.
 */
export const XRAY_BUILT_IN_NAME = 'Default';

/** X-Ray's length limit on group and rule names (the API model's GroupName and RuleName). */
export const XRAY_NAME_LENGTH = { min: 1, max: 32 } as const;

/** Why a group or rule name cannot be ours: X-Ray's limit or its built-in name; undefined when it can. */
export function xrayNameProblem(name: string, kind: 'group' | 'sampling rule'): string | undefined {
  const n = [...name].length;
  if (n < XRAY_NAME_LENGTH.min || n > XRAY_NAME_LENGTH.max) {
    return `must be ${XRAY_NAME_LENGTH.min}-${XRAY_NAME_LENGTH.max} characters (X-Ray's limit), not ${n}`;
  }
  if (name.toLowerCase() === XRAY_BUILT_IN_NAME.toLowerCase()) {
    return `"${name}" is reserved by X-Ray (its built-in ${kind}); choose another name`;
  }
  return undefined;
}

/** Annotation key on every segment; X-Ray keys allow [A-Za-z0-9_]. */
export const SERVICE_ANNOTATION = 'service_name';

/** Below the default rule (10000), above anything a user is likely to add. */
const RULE_PRIORITY = 9000;

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
