// Reads aws/json/x-ray.json, the sampling rule as `aws xray
// create-sampling-rule --cli-input-json` takes it, and checks it against the
// limits of X-Ray's API model (SamplingRule in xray-2016-04-12: required
// members, lengths, ranges) so a bad edit is reported as one line naming the
// file and the field, not as a service error.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { withoutBom } from '../files/bom.js';
import { XRAY_NAME_LENGTH, xrayNameProblem, type SamplingRuleDocument } from '../answers/names.js';
import { XRAY_RULE_PATH } from '../render/xray-rule.js';

/** The fields of a sampling rule that the file sets: what the generator writes, plus optional Attributes. */
export type RuleFields = SamplingRuleDocument['SamplingRule'] & { Attributes?: Record<string, string> };

export class RuleFileError extends Error {
  override readonly name = 'RuleFileError';
}

type Check =
  { kind: 'string'; min: number; max: number } | { kind: 'int' | 'number'; min: number; max?: number };

// From the Smithy model's SamplingRule shape (all required except RuleName,
// which X-Ray needs to create a rule anyway, and Attributes).
const FIELDS: Record<Exclude<keyof RuleFields, 'Attributes'>, Check> = {
  RuleName: { kind: 'string', ...XRAY_NAME_LENGTH },
  ResourceARN: { kind: 'string', min: 0, max: 500 },
  Priority: { kind: 'int', min: 1, max: 9999 },
  FixedRate: { kind: 'number', min: 0, max: 1 },
  ReservoirSize: { kind: 'int', min: 0, max: 2_147_483_647 },
  ServiceName: { kind: 'string', min: 0, max: 64 },
  ServiceType: { kind: 'string', min: 0, max: 64 },
  Host: { kind: 'string', min: 0, max: 64 },
  HTTPMethod: { kind: 'string', min: 0, max: 10 },
  URLPath: { kind: 'string', min: 0, max: 128 },
  Version: { kind: 'int', min: 1, max: 2_147_483_647 },
};

function problem(field: string, check: Check, value: unknown): string | undefined {
  if (value === undefined || value === null) return `SamplingRule.${field} is missing`;
  if (check.kind === 'string') {
    if (typeof value !== 'string') return `SamplingRule.${field} must be a string`;
    const n = [...value].length;
    if (n < check.min || n > check.max) {
      return `SamplingRule.${field} must be ${check.min}-${check.max} characters (X-Ray's limit), not ${n}`;
    }
    return undefined;
  }
  const whole = check.kind === 'int';
  if (typeof value !== 'number' || !Number.isFinite(value) || (whole && !Number.isInteger(value))) {
    return `SamplingRule.${field} must be ${whole ? 'a whole number' : 'a number'}`;
  }
  if (value < check.min || (check.max !== undefined && value > check.max)) {
    return `SamplingRule.${field} must be from ${check.min} to ${check.max}, not ${value}`;
  }
  return undefined;
}

/** Reads and checks the rule file in `cwd`; throws RuleFileError with a one-line message naming the file. */
export async function readRuleFile(cwd: string): Promise<RuleFields> {
  let text: string;
  try {
    text = await readFile(join(cwd, XRAY_RULE_PATH), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new RuleFileError(
      code === 'ENOENT'
        ? `${XRAY_RULE_PATH} not found in ${cwd}; run \`cruddur-observability config --restore\` to recreate it`
        : `${XRAY_RULE_PATH} could not be read: ${(err as Error).message}`,
    );
  }
  let doc: unknown;
  try {
    doc = JSON.parse(withoutBom(text));
  } catch (err) {
    throw new RuleFileError(`${XRAY_RULE_PATH} is not valid JSON: ${(err as Error).message}`);
  }
  const rule = (doc as { SamplingRule?: unknown } | null)?.SamplingRule;
  if (typeof rule !== 'object' || rule === null || Array.isArray(rule)) {
    throw new RuleFileError(`${XRAY_RULE_PATH} must be an object with a "SamplingRule" object`);
  }
  const r = rule as Record<string, unknown>;
  for (const [field, check] of Object.entries(FIELDS)) {
    const p = problem(field, check, r[field]);
    if (p) throw new RuleFileError(`${XRAY_RULE_PATH}: ${p}`);
  }
  const reserved = xrayNameProblem(r.RuleName as string, 'sampling rule');
  if (reserved)
    throw new RuleFileError(`${XRAY_RULE_PATH}: SamplingRule.RuleName ${reserved} (config --rule-name)`);
  const attrs = r.Attributes;
  if (attrs !== undefined) {
    if (typeof attrs !== 'object' || attrs === null || Array.isArray(attrs)) {
      throw new RuleFileError(`${XRAY_RULE_PATH}: SamplingRule.Attributes must be an object of strings`);
    }
    const entries = Object.entries(attrs);
    if (entries.length > 5)
      throw new RuleFileError(`${XRAY_RULE_PATH}: SamplingRule.Attributes may have at most 5 entries`);
    for (const [k, v] of entries) {
      if (
        typeof v !== 'string' ||
        [...k].length < 1 ||
        [...k].length > 32 ||
        [...v].length < 1 ||
        [...v].length > 32
      ) {
        throw new RuleFileError(
          `${XRAY_RULE_PATH}: SamplingRule.Attributes keys and values must be strings of 1-32 characters`,
        );
      }
    }
  }
  const out = {} as Record<string, unknown>;
  for (const field of Object.keys(FIELDS)) out[field] = r[field];
  if (attrs !== undefined) out.Attributes = { ...(attrs as Record<string, string>) };
  return out as unknown as RuleFields;
}
