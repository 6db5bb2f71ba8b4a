// `setup`: the post-install hooks. Creates or updates the X-Ray group and
// sampling rule the workspace declares, then verifies the Rollbar token.
// Free of Yeoman and of process globals: everything comes in through `opts`
// (the CLI passes process.env and answers from .yo-rc.json), every line goes
// out through `opts.log`, and the exit code is returned.
//
// Output: one line per step, `<step>: created | updated (<field> <old> -> <new>, ...)
// | unchanged | verified (...) | skipped: <why and how to fix> | failed: <operation:
// service message; what to do>`, plus an `x-ray:` line saying which region and
// endpoint were used (the usual reason "nothing appears" is the wrong region).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { XRayClient } from '@aws-sdk/client-xray';
import type { Answers } from '../answers/table.js';
import { groupFilterExpression, xrayGlob } from '../answers/names.js';
import type { Env } from '../cli/io.js';
import { configuredEndpoint, resolveCredentials, resolveRegion } from './aws-env.js';
import { exitCode, formatStep, type StepResult } from './report.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
import { rollbarDryRun, verifyRollbarToken } from './rollbar.js';
import { readRuleFile, RuleFileError, type RuleFields } from './rule-file.js';
import {
  createRuleRequest,
  ensureGroup,
  ensureSamplingRule,
  groupRequest,
  groupStepName,
  ruleStepName,
  XRayApi,
} from './xray.js';

export interface SetupOptions {
  /** The workspace root: holds aws/json/x-ray.json and, optionally, .env. */
  cwd: string;
  answers: Answers;
  /** The environment to use instead of process.env (credentials, region, endpoints, tokens). */
  env: Env;
  /** Exit non-zero when any step is skipped or fails. */
  strict: boolean;
  /** Print the calls that would be made; make none. */
  dryRun: boolean;
  log: (line: string) => void;
  /** Overrides of the retry policy (tests make it fast). */
  retry?: Partial<RetryPolicy>;
  /** Per-request timeout for the Rollbar check. Default 10 s. */
  rollbarTimeoutMs?: number;
}

const NO_AWS_CREDENTIALS =
  'no AWS credentials found; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for ' +
  'temporary credentials) with `gp env AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=...` in Gitpod ' +
  '(then `eval $(gp env -e)` in open terminals), as Codespaces secrets (GitHub Settings > Codespaces > Secrets), ' +
  'or in .env; or use a profile (AWS_PROFILE, `aws sso login`)';

/**
 * Variables from `<cwd>/.env` fill in what the environment lacks (the
 * environment wins), so a token put in .env for docker compose also reaches
 * setup. The caller's object is not changed.
 */
export async function withDotEnv(cwd: string, env: Env): Promise<Env> {
  let text: string;
  try {
    text = await readFile(join(cwd, '.env'), 'utf8');
  } catch {
    return env;
  }
  const merged: Record<string, string | undefined> = { ...env };
  for (const [k, v] of Object.entries(parseEnv(text))) {
    if (merged[k] === undefined || merged[k] === '') merged[k] = v;
  }
  return merged;
}

/** aws/json/x-ray.json's rule, or the failed step that reports why it cannot be used. */
async function loadRuleFile(
  cwd: string,
  answeredRuleName: string,
): Promise<{ ok: true; rule: RuleFields } | { ok: false; failure: StepResult }> {
  try {
    return { ok: true, rule: await readRuleFile(cwd) };
  } catch (err) {
    if (!(err instanceof RuleFileError)) throw err;
    return {
      ok: false,
      failure: { step: ruleStepName(answeredRuleName), status: 'failed', detail: err.message },
    };
  }
}

export async function runSetup(opts: SetupOptions): Promise<number> {
  const { answers, log } = opts;
  const env = await withDotEnv(opts.cwd, opts.env);
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...opts.retry };
  const results: StepResult[] = [];
  const emit = (r: StepResult) => {
    results.push(r);
    log(formatStep(r));
  };

  if (opts.dryRun) log('dry run: no calls are made');
  const filter = groupFilterExpression(answers.serviceName);
  const groupStep = groupStepName(answers.groupName);
  const ruleFile = await loadRuleFile(opts.cwd, answers.ruleName);
  const ruleStep = ruleFile.ok ? ruleStepName(ruleFile.rule.RuleName) : ruleFile.failure.step;
  if (ruleFile.ok && !xrayGlob(ruleFile.rule.ServiceName, answers.serviceName)) {
    log(
      `warning: aws/json/x-ray.json has ServiceName ${JSON.stringify(ruleFile.rule.ServiceName)} but the backend reports as ` +
        `${JSON.stringify(answers.serviceName)}; this rule will not govern its traces`,
    );
  }
  const rollbarEnvironment = env.ROLLBAR_ENVIRONMENT?.trim() || answers.rollbarEnvironment;

  const endpoint = configuredEndpoint(env);
  const region = await resolveRegion(env, answers.region);
  const where = endpoint && 'url' in endpoint ? endpoint.url : `https://xray.${region.region}.amazonaws.com`;
  log(
    `x-ray: region ${region.region} (${region.source})` +
      (endpoint && 'url' in endpoint ? `, endpoint ${endpoint.url} (${endpoint.source})` : ''),
  );

  if (opts.dryRun) {
    const g = groupRequest(answers.groupName, filter);
    log(`would call GetGroups {} (each page, until group ${answers.groupName} is found)`);
    log(`would call CreateGroup ${JSON.stringify(g)} (if the group is absent)`);
    log(`would call UpdateGroup ${JSON.stringify(g)} (if its filter expression differs)`);
    if (!ruleFile.ok) emit(ruleFile.failure);
    else {
      const { rule } = ruleFile;
      log(`would call GetSamplingRules {} (each page, until rule ${rule.RuleName} is found)`);
      log(`would call CreateSamplingRule ${JSON.stringify(createRuleRequest(rule))} (if the rule is absent)`);
      log(
        `would call UpdateSamplingRule {"SamplingRuleUpdate":{"RuleName":${JSON.stringify(rule.RuleName)}, ...}} ` +
          'with only the fields that differ (if any differ)',
      );
    }
    const r = rollbarDryRun({ env, environment: rollbarEnvironment });
    if ('line' in r) log(r.line);
    else emit(r.result);
    return exitCode(results, opts.strict);
  }

  if (endpoint && 'error' in endpoint) {
    emit({ step: groupStep, status: 'failed', detail: endpoint.error });
    emit(ruleFile.ok ? { step: ruleStep, status: 'failed', detail: endpoint.error } : ruleFile.failure);
  } else {
    const creds = await resolveCredentials(env, region.region);
    if (!creds.ok) {
      const why = creds.missing
        ? NO_AWS_CREDENTIALS
        : `AWS credentials could not be loaded: ${creds.message}`;
      emit({ step: groupStep, status: 'skipped', detail: why });
      emit(
        ruleFile.ok
          ? {
              step: ruleStep,
              status: 'skipped',
              detail: creds.missing
                ? 'no AWS credentials (see above)'
                : 'AWS credentials could not be loaded (see above)',
            }
          : ruleFile.failure,
      );
    } else {
      const client = new XRayClient({
        region: region.region,
        credentials: creds.credentials,
        ...(endpoint ? { endpoint: endpoint.url } : {}),
        useFipsEndpoint: env.AWS_USE_FIPS_ENDPOINT?.toLowerCase() === 'true',
        useDualstackEndpoint: env.AWS_USE_DUALSTACK_ENDPOINT?.toLowerCase() === 'true',
        // Retries are ours (retry.ts): one SDK attempt per call.
        maxAttempts: 1,
        requestHandler: { connectionTimeout: 5_000, requestTimeout: 20_000 },
      });
      try {
        emit(await ensureGroup(new XRayApi(client, policy, where), answers.groupName, filter));
        emit(
          ruleFile.ok
            ? await ensureSamplingRule(new XRayApi(client, policy, where), ruleFile.rule)
            : ruleFile.failure,
        );
      } finally {
        client.destroy();
      }
    }
  }

  emit(
    await verifyRollbarToken({
      env,
      environment: rollbarEnvironment,
      policy,
      ...(opts.rollbarTimeoutMs !== undefined ? { timeoutMs: opts.rollbarTimeoutMs } : {}),
    }),
  );
  return exitCode(results, opts.strict);
}
