// `setup`'s steps (setupSteps), after `app`'s install or on their own. Creates
// or updates the X-Ray group and sampling rule the workspace declares, then
// verifies the Rollbar token.
// Free of Yeoman and of process globals: everything comes in through `opts`
// (the CLI passes process.env and answers from .yo-rc.json), every line goes
// out through `opts.log`, and the exit code is returned.
//
// Output: one line per step, always, whatever the network does: `<step>: created
// | updated (<field> <old> -> <new>, ...) | unchanged | verified (...) |
// skipped: <why and how to fix> | failed | rejected | limited scope |
// unreachable: <what happened; what to do>`, plus an `x-ray:` line saying which
// region and endpoint were used (the usual reason "nothing appears" is the wrong
// region). No secret is printed: every line passes the Redactor.
//
// Exit code: 2 on bad input (an endpoint variable that is not a URL, a missing
// or invalid aws/json/x-ray.json: one line, no call made); 1 when a step failed
// (the service refused, or could not be reached or understood); 1 when a step
// was skipped (no credentials, no token) under --strict; 0 otherwise.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { UsageError, type Answers } from '../answers/table.js';
import { groupFilterExpression, xrayGlob } from '../answers/names.js';
import type { Env } from '../cli/io.js';
import { configuredEndpoint, resolveCredentials, resolveRegion, type Endpoint } from './aws-env.js';
import { Redactor, shownUrl } from './redact.js';
import { exitCode, formatStep, oneLine, type StepResult } from './report.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
import { rollbarBase, rollbarDryRun, ROLLBAR_STEP, verifyRollbarToken } from './rollbar.js';
import { readRuleFile, RuleFileError, type RuleFields } from './rule-file.js';
import { XRAY_RULE_PATH } from '../render/xray-rule.js';
import { createXRayClient } from './xray-client.js';
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
  /** Exit 1 also when a step is skipped (no credentials, no token). */
  strict: boolean;
  /** Print the calls that would be made; make none. */
  dryRun: boolean;
  log: (line: string) => void;
  /** Overrides of the retry policy and deadlines (tests make them short). */
  retry?: Partial<RetryPolicy>;
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

/**
 * The inputs setup needs, checked before any call: a problem is the user's
 * to fix (UsageError: one line, exit 2), not a step that failed.
 */
async function checkedInputs(cwd: string, env: Env): Promise<{ rule: RuleFields; rollbarUrl: URL }> {
  const endpoint = configuredEndpoint(env);
  if (endpoint && 'error' in endpoint) throw new UsageError(endpoint.error);
  const base = rollbarBase(env);
  if ('error' in base) throw new UsageError(base.error);
  try {
    return { rule: await readRuleFile(cwd), rollbarUrl: base };
  } catch (err) {
    if (err instanceof RuleFileError) throw new UsageError(err.message);
    throw err;
  }
}

/**
 * Runs one step and always yields its result: a step that throws (a defect,
 * not a service's answer) is still one `failed` line, never a missing one.
 */
async function settled(step: string, run: () => Promise<StepResult>): Promise<StepResult> {
  try {
    return await run();
  } catch (err) {
    return {
      step,
      status: 'failed',
      detail: `unexpected error: ${oneLine((err as Error)?.message ?? String(err))}`,
    };
  }
}

export async function setupSteps(opts: SetupOptions): Promise<number> {
  const { answers } = opts;
  const env = await withDotEnv(opts.cwd, opts.env);
  const redactor = Redactor.fromEnv(env);
  const log = (line: string) => opts.log(redactor.line(line));
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...opts.retry };
  const results: StepResult[] = [];
  const emit = (r: StepResult) => {
    results.push(r);
    log(formatStep(r));
  };

  let rule: RuleFields;
  let rollbarUrl: URL;
  try {
    ({ rule, rollbarUrl } = await checkedInputs(opts.cwd, env));
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(redactor.line(err.message));
    throw err;
  }

  if (opts.dryRun) log('dry run: no calls are made');
  const filter = groupFilterExpression(answers.serviceName);
  const groupStep = groupStepName(answers.groupName);
  const ruleStep = ruleStepName(rule.RuleName);
  if (!xrayGlob(rule.ServiceName, answers.serviceName)) {
    log(
      `warning: ${XRAY_RULE_PATH} has ServiceName ${JSON.stringify(rule.ServiceName)} but the backend reports as ` +
        `${JSON.stringify(answers.serviceName)}; this rule will not govern its traces`,
    );
  }
  const rollbarEnvironment = env.ROLLBAR_ENVIRONMENT?.trim() || answers.rollbarEnvironment;

  const endpoint = configuredEndpoint(env) as Endpoint | undefined;
  const region = await resolveRegion(env, answers.region, policy.attemptTimeoutMs);
  const where = shownUrl(endpoint ? endpoint.url : `https://xray.${region.region}.amazonaws.com`);
  log(
    `x-ray: region ${region.region} (${region.source})` +
      (endpoint ? `, endpoint ${shownUrl(endpoint.url)} (${endpoint.source})` : ''),
  );

  if (opts.dryRun) {
    const g = groupRequest(answers.groupName, filter);
    log(`would call GetGroups {} (each page, until group ${answers.groupName} is found)`);
    log(`would call CreateGroup ${JSON.stringify(g)} (if the group is absent)`);
    log(`would call UpdateGroup ${JSON.stringify(g)} (if its filter expression differs)`);
    log(`would call GetSamplingRules {} (each page, until rule ${rule.RuleName} is found)`);
    log(`would call CreateSamplingRule ${JSON.stringify(createRuleRequest(rule))} (if the rule is absent)`);
    log(
      `would call UpdateSamplingRule {"SamplingRuleUpdate":{"RuleName":${JSON.stringify(rule.RuleName)}, ...}} ` +
        'with only the fields that differ (if any differ)',
    );
    const r = rollbarDryRun({ env, environment: rollbarEnvironment, base: rollbarUrl });
    if ('line' in r) log(r.line);
    else emit(r.result);
    return exitCode(results, opts.strict);
  }

  const creds = await resolveCredentials(env, region.region, policy.attemptTimeoutMs);
  if (!creds.ok) {
    const [status, why, see] = creds.missing
      ? (['skipped', NO_AWS_CREDENTIALS, 'no AWS credentials (see above)'] as const)
      : ([
          'failed',
          `AWS credentials could not be loaded: ${creds.message}`,
          'AWS credentials could not be loaded (see above)',
        ] as const);
    emit({ step: groupStep, status, detail: why });
    emit({ step: ruleStep, status, detail: see });
  } else {
    const client = createXRayClient({
      region: region.region,
      credentials: creds.credentials,
      ...(endpoint ? { endpoint: endpoint.url } : {}),
      useFipsEndpoint: env.AWS_USE_FIPS_ENDPOINT?.toLowerCase() === 'true',
      useDualstackEndpoint: env.AWS_USE_DUALSTACK_ENDPOINT?.toLowerCase() === 'true',
      attemptTimeoutMs: policy.attemptTimeoutMs,
    });
    // One XRayApi per step: its calls share the step's budget.
    const stepApi = () => new XRayApi(client, policy, where, { until: Date.now() + policy.budgetMs });
    try {
      const group = await settled(groupStep, () => ensureGroup(stepApi(), answers.groupName, filter));
      emit(group);
      // X-Ray gave no answer at all: the rule's calls would only wait as long again.
      emit(
        group.status === 'unreachable'
          ? {
              step: ruleStep,
              status: 'unreachable',
              detail: `not tried: X-Ray at ${where} did not answer (see above)`,
            }
          : await settled(ruleStep, () => ensureSamplingRule(stepApi(), rule)),
      );
    } finally {
      client.destroy();
    }
  }

  emit(
    await settled(ROLLBAR_STEP, () => verifyRollbarToken({ env, environment: rollbarEnvironment, policy })),
  );
  return exitCode(results, opts.strict);
}
