// `cruddur-observability doctor`: "why don't I see my traces / my errors?"
// Walks the chain in a fixed order, one line per check, and proves its end
// with one probe trace. Read-only: X-Ray gets only Get/BatchGet calls, the
// disk is not written, the backend gets one health request and one probe.
//
// Exit codes: 0 no check failed (warnings allowed); 1 one did; 2 bad input.
import { resolve } from 'node:path';
import { UsageError } from '../answers/table.js';
import type { Invocation } from '../cli/args.js';
import type { Env, Io } from '../cli/io.js';
import { withDotEnv } from '../setup/setup.js';
import { verifyRollbarToken } from '../setup/rollbar.js';
import type { RetryPolicy } from '../setup/retry.js';
import { checkAws, checkGroup, checkRule, type XRayAccess } from './aws-checks.js';
import { checkHost, checkNames, checkWorkspace } from './local-checks.js';
import { checkBackend, checkTrace } from './probe.js';
import { doctorExitCode, doctorJson, formatCheck, type CheckId, type CheckResult } from './report.js';

const DEFAULT_TIMEOUT_S = 60;

interface DoctorOptions {
  json: boolean;
  timeoutMs: number;
  /** The backend's base URL; default http://127.0.0.1:<port>. */
  url: string | undefined;
  /** Test seams: faster polling and retries. */
  pollMs?: { first: number; max: number };
  retry?: Partial<RetryPolicy>;
}

function doctorOptions(inv: Invocation): DoctorOptions {
  const rawTimeout = inv.values.get('timeout');
  const timeoutS = rawTimeout === undefined ? DEFAULT_TIMEOUT_S : Number(rawTimeout);
  if (
    rawTimeout !== undefined &&
    (!/^\d+(\.\d+)?$/.test(rawTimeout.trim()) || !(timeoutS > 0) || timeoutS > 3600)
  ) {
    throw new UsageError(
      `--timeout must be a number of seconds from 1 to 3600, not ${JSON.stringify(rawTimeout)}`,
    );
  }
  const url = inv.values.get('url');
  if (url !== undefined) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (parsed && (parsed.username || parsed.password)) {
      throw new UsageError("--url must not carry a user or password; give the backend's plain base URL");
    }
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
      throw new UsageError(
        `--url must be the backend's http(s) base URL, e.g. http://127.0.0.1:4567, not ${JSON.stringify(url)}`,
      );
    }
  }
  return { json: inv.flags.has('json'), timeoutMs: timeoutS * 1000, url };
}

const skip = (id: CheckId, why: string): CheckResult => ({ id, status: 'skip', message: why });

/** Every check, in the contract's order; each result is handed to `emit` as soon as it is known. */
async function runChecks(
  root: string,
  env: Env,
  opts: DoctorOptions,
  emit: (r: CheckResult) => void,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const add = (r: CheckResult) => {
    results.push(r);
    emit(r);
  };
  const fullEnv = await withDotEnv(root, env);
  const { result: wsResult, workspace: ws } = await checkWorkspace(root, fullEnv);
  add(wsResult);
  if (!ws) {
    for (const id of ['names', 'host', 'aws', 'group', 'rule', 'backend', 'trace', 'rollbar'] as const) {
      add(skip(id, 'needs a generated workspace (see workspace)'));
    }
    return results;
  }
  add(
    ws.compose
      ? checkNames(root, ws)
      : skip('names', 'docker-compose.yml is missing or broken (see workspace)'),
  );
  add(
    ws.compose
      ? checkHost(ws, fullEnv)
      : skip('host', 'docker-compose.yml is missing or broken (see workspace)'),
  );

  const aws = await checkAws(ws, fullEnv, opts.retry);
  add(aws.result);
  const access: XRayAccess | undefined = aws.access;
  try {
    add(access ? checkGroup(ws, aws.group) : skip('group', 'X-Ray cannot be asked (see aws)'));
    add(access ? await checkRule(ws, access, fullEnv) : skip('rule', 'X-Ray cannot be asked (see aws)'));
    const url = opts.url ?? `http://127.0.0.1:${ws.answers.port}`;
    const backend = await checkBackend(url, ws);
    add(backend);
    if (backend.status !== 'ok') add(skip('trace', 'no probe: the backend did not answer (see backend)'));
    else if (!access) add(skip('trace', 'no probe: X-Ray cannot be asked where it landed (see aws)'));
    else {
      add(
        await checkTrace(ws, access, {
          url,
          timeoutMs: opts.timeoutMs,
          group: aws.group,
          ...(opts.pollMs ? { firstPollMs: opts.pollMs.first, maxPollMs: opts.pollMs.max } : {}),
        }),
      );
    }
  } finally {
    access?.client.destroy();
  }

  const rollbar = await verifyRollbarToken({
    env: fullEnv,
    environment: fullEnv.ROLLBAR_ENVIRONMENT?.trim() || ws.answers.rollbarEnvironment,
  });
  add(
    rollbar.status === 'verified'
      ? { id: 'rollbar', status: 'ok', message: `token verified (${rollbar.detail})` }
      : rollbar.status === 'skipped'
        ? {
            id: 'rollbar',
            status: 'warn',
            message: `errors are not reported: ${rollbar.detail}`,
            fix: 'gp env ROLLBAR_ACCESS_TOKEN=...   # or a Codespaces secret, or .env',
          }
        : {
            id: 'rollbar',
            status: 'fail',
            message: `${rollbar.status}: ${rollbar.detail}`,
            fix: 'put a project access token with the post_server_item scope in ROLLBAR_ACCESS_TOKEN',
          },
  );
  return results;
}

export async function runDoctor(
  inv: Invocation,
  io: Io,
  seams: Partial<DoctorOptions> = {},
): Promise<number> {
  const opts = { ...doctorOptions(inv), ...seams };
  const root = resolve(io.cwd);
  const results = await runChecks(root, io.env, opts, (r) => {
    if (!opts.json) for (const line of formatCheck(r)) io.out(line);
  });
  if (opts.json) io.out(doctorJson(results));
  return doctorExitCode(results);
}
