// The checks that read only the workspace: `workspace`, `names`, `host`.
// Names come from the same places `render` and `config` use (the answers,
// names.ts, the compose renderer's keys), so a disagreement found here is
// one `config` would fix.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SERVICE_ANNOTATION, groupFilterExpression, xrayGlob } from '../answers/names.js';
import { UsageError, type Answers } from '../answers/table.js';
import { detectWorkspaceHost, isWorkspaceHost, type WorkspaceHost } from '../answers/workspace-host.js';
import { workspaceAnswers } from '../app/scaffold.js';
import type { Env } from '../cli/io.js';
import { fileTemplates } from '../files/templates.js';
import { FileParseError } from '../merge/errors.js';
import { parseJsonTree } from '../merge/jsonc.js';
import { formatOf } from '../merge/by-format.js';
import { isMap, type Json, type JsonMap } from '../merge/value.js';
import { parseYaml, yamlData } from '../merge/yaml.js';
import { COMPOSE_PATH } from '../render/compose.js';
import { renderWorkspace } from '../render/workspace.js';
import { readRuleFile, RuleFileError, type RuleFields } from '../setup/rule-file.js';
import { XRAY_RULE_PATH } from '../render/xray-rule.js';
import { GENERATOR_KEY, readYoRc } from '../state/yo-rc.js';
import type { CheckResult } from './report.js';

const CONFIG = 'npx cruddur-observability config';

/** What the later checks need from the workspace. */
export interface Workspace {
  answers: Answers;
  /** docker-compose.yml as data, when it parsed. */
  compose: JsonMap | undefined;
  /** aws/json/x-ray.json's rule, when it was valid. */
  rule: RuleFields | undefined;
}

function parseProblem(path: string, text: string, format: string): string | undefined {
  try {
    if (format === 'yaml') parseYaml(path, text);
    else if (format === 'json' || format === 'jsonc') parseJsonTree(path, text, format);
    return undefined;
  } catch (err) {
    if (err instanceof FileParseError) return err.message;
    throw err;
  }
}

export async function checkWorkspace(
  root: string,
  env: Env,
): Promise<{ result: CheckResult; workspace?: Workspace }> {
  let answers: Answers;
  try {
    answers = workspaceAnswers(root, env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    return {
      result: {
        id: 'workspace',
        status: 'fail',
        message: err.message,
        fix: 'cd into the workspace (where .yo-rc.json is), or create one: npx cruddur-observability <dir> --yes',
      },
    };
  }
  const stored = readYoRc(root)?.[GENERATOR_KEY] as Record<string, unknown> | undefined;
  const host: WorkspaceHost = isWorkspaceHost(stored?.host) ? stored.host : detectWorkspaceHost(env);
  const expected = renderWorkspace({ answers, host, templates: fileTemplates() });
  const missing: string[] = [];
  const broken: string[] = [];
  for (const file of expected) {
    const format = formatOf(file.path, answers.serviceName);
    if (format === 'text' || format === 'env') continue;
    const path = join(root, file.path);
    if (!existsSync(path) || !statSync(path).isFile()) {
      missing.push(file.path);
      continue;
    }
    const problem = parseProblem(file.path, readFileSync(path, 'utf8'), format);
    if (problem) broken.push(problem);
  }
  const composeText = existsSync(join(root, COMPOSE_PATH))
    ? readFileSync(join(root, COMPOSE_PATH), 'utf8')
    : '';
  const composeData: Json | undefined =
    composeText && !broken.some((b) => b.startsWith(COMPOSE_PATH)) ? yamlData(composeText) : undefined;
  let rule: RuleFields | undefined;
  if (!missing.includes(XRAY_RULE_PATH)) {
    try {
      rule = await readRuleFile(root);
    } catch (err) {
      if (!(err instanceof RuleFileError)) throw err;
      if (!broken.some((b) => b.startsWith(XRAY_RULE_PATH))) broken.push(err.message);
    }
  }
  const workspace: Workspace = { answers, compose: isMap(composeData) ? composeData : undefined, rule };
  if (broken.length > 0) {
    return {
      result: {
        id: 'workspace',
        status: 'fail',
        message: broken.join('; '),
        fix: `fix the file(s) named, then: ${CONFIG} --check`,
      },
      workspace,
    };
  }
  if (missing.length > 0) {
    return {
      result: {
        id: 'workspace',
        status: missing.includes(COMPOSE_PATH) || missing.includes(XRAY_RULE_PATH) ? 'fail' : 'warn',
        message: `generated file(s) missing: ${missing.join(', ')}`,
        fix: `${CONFIG} --restore`,
      },
      workspace,
    };
  }
  return {
    result: {
      id: 'workspace',
      status: 'ok',
      message: `${answers.tracing ?? 'xray'} workspace of service ${JSON.stringify(answers.serviceName)}; generated files present and parseable`,
    },
    workspace,
  };
}

function serviceEnv(service: JsonMap): Record<string, string> {
  const env = service.environment;
  if (isMap(env)) return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v ?? '')]));
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.flatMap((e) => {
        const m = /^([^=]+)=(.*)$/.exec(String(e));
        return m ? [[m[1]!, m[2]!]] : [];
      }),
    );
  }
  return {};
}

/** The backend's compose service, or undefined. */
function backendService(ws: Workspace): JsonMap | undefined {
  const services = ws.compose?.services;
  const service = isMap(services) ? services[ws.answers.serviceName] : undefined;
  return isMap(service) ? service : undefined;
}

/** The environment compose gives the backend, as written (interpolations unexpanded). */
export function backendEnv(ws: Workspace): Record<string, string> {
  const service = backendService(ws);
  return service ? serviceEnv(service) : {};
}

function buildContext(service: JsonMap): string | undefined {
  const build = service.build;
  if (typeof build === 'string') return build;
  if (isMap(build) && typeof build.context === 'string') return build.context;
  return undefined;
}

const normalDir = (p: string) => p.replace(/^\.\//, '').replace(/\/+$/, '');

/** The name the backend reports as: OTEL_SERVICE_NAME in compose, else service.ts's SERVICE_NAME. */
function backendReportsAs(root: string, ws: Workspace): { name: string; where: string } | undefined {
  const otel = backendEnv(ws).OTEL_SERVICE_NAME;
  if (otel) return { name: otel, where: `${COMPOSE_PATH} OTEL_SERVICE_NAME` };
  const file = join(ws.answers.serviceName, 'src', 'service.ts');
  if (!existsSync(join(root, file))) return undefined;
  const m = /SERVICE_NAME\s*=\s*("(?:[^"\\]|\\.)*"|'[^']*')/.exec(readFileSync(join(root, file), 'utf8'));
  if (!m) return undefined;
  const literal = m[1]!;
  return {
    name: literal.startsWith('"') ? (JSON.parse(literal) as string) : literal.slice(1, -1),
    where: `${file} SERVICE_NAME`,
  };
}

export function checkNames(root: string, ws: Workspace): CheckResult {
  const want = ws.answers.serviceName;
  const problems: string[] = [];
  const services = ws.compose?.services;
  const service = backendService(ws);
  if (!service) {
    const names = isMap(services) ? Object.keys(services).join(', ') : 'none';
    problems.push(`${COMPOSE_PATH} has no service ${JSON.stringify(want)} (services: ${names})`);
  } else {
    const context = buildContext(service);
    if (context === undefined || normalDir(context) !== want) {
      problems.push(
        `${COMPOSE_PATH} builds ${JSON.stringify(want)} from ${JSON.stringify(context ?? '(no build)')}, not "./${want}"`,
      );
    }
  }
  if (!existsSync(join(root, want, 'package.json'))) {
    problems.push(`there is no backend directory ${want}/ (no ${want}/package.json)`);
  }
  const reports = backendReportsAs(root, ws);
  if (reports && reports.name !== want) {
    problems.push(`the backend reports as ${JSON.stringify(reports.name)} (${reports.where})`);
  }
  if (ws.rule && !xrayGlob(ws.rule.ServiceName, want)) {
    problems.push(`${XRAY_RULE_PATH} has ServiceName ${JSON.stringify(ws.rule.ServiceName)}`);
  }
  if (problems.length > 0) {
    return {
      id: 'names',
      status: 'fail',
      message: `.yo-rc.json says serviceName ${JSON.stringify(want)}, but ${problems.join('; ')}`,
      fix: `${CONFIG}   # re-renders every file from .yo-rc.json, keeping your edits`,
    };
  }
  return {
    id: 'names',
    status: 'ok',
    message:
      `${JSON.stringify(want)} everywhere: compose service and build ./${want}, ` +
      `${reports ? reports.where : 'the backend'}, rule ServiceName, group filter ${groupFilterExpression(want)}`,
  };
}

/** `${VAR}`, `${VAR:-default}` and `${VAR-default}` as compose expands them. */
export function interpolate(text: string, env: Env): string {
  return text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}/g,
    (_m, name: string, op, fallback) => {
      const v = env[name];
      // The default is captured inside the same optional group as `op`: whenever
      // `op` matched, `fallback` is a string (empty for `${VAR:-}`).
      if (op === ':-') return v ? v : fallback;
      if (op === '-') return v !== undefined ? v : fallback;
      return v ?? '';
    },
  );
}

/** The host name this workspace gives a forwarded port now, if it forwards ports publicly. */
export function forwardedHost(env: Env, port: number): string | undefined {
  switch (detectWorkspaceHost(env)) {
    case 'gitpod':
      return env.GITPOD_WORKSPACE_CLUSTER_HOST
        ? `${port}-${env.GITPOD_WORKSPACE_ID}.${env.GITPOD_WORKSPACE_CLUSTER_HOST}`
        : undefined;
    case 'codespaces':
      return env.CODESPACE_NAME && env.GITHUB_CODESPACES_PORT_FORWARDING_DOMAIN
        ? `${env.CODESPACE_NAME}-${port}.${env.GITHUB_CODESPACES_PORT_FORWARDING_DOMAIN}`
        : undefined;
    default:
      return undefined;
  }
}

export function checkHost(ws: Workspace, env: Env): CheckResult {
  const { answers } = ws;
  const composeEnv = backendEnv(ws);
  const here = forwardedHost(env, answers.port);
  if (composeEnv.AWS_XRAY_URL === undefined) {
    return {
      id: 'host',
      status: 'ok',
      message: `segments are named by service.name ${JSON.stringify(answers.serviceName)}; no AWS_XRAY_URL to match`,
    };
  }
  const pattern = interpolate(composeEnv.AWS_XRAY_URL, env);
  if (!here) {
    return {
      id: 'host',
      status: 'ok',
      message: `no public host forwards port ${answers.port} here; segments are named ${JSON.stringify(answers.serviceName)}`,
    };
  }
  if (pattern && xrayGlob(pattern, here)) {
    return {
      id: 'host',
      status: 'ok',
      message: `AWS_XRAY_URL ${JSON.stringify(pattern)} matches ${here}: its segments are named by that host`,
    };
  }
  return {
    id: 'host',
    status: 'warn',
    message:
      `AWS_XRAY_URL ${JSON.stringify(pattern)} (${COMPOSE_PATH}: ${composeEnv.AWS_XRAY_URL}) does not match ${here}, ` +
      `the host this workspace forwards port ${answers.port} on; segments are named ${JSON.stringify(answers.serviceName)} ` +
      `instead (traces still reach the group through annotation.${SERVICE_ANNOTATION})`,
    fix: `${CONFIG}   # renders AWS_XRAY_URL for this workspace`,
  };
}
