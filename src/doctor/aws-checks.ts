// The checks that ask X-Ray: `aws`, `group`, `rule`. Read calls only
// (GetGroups, GetSamplingRules), through setup's credential chain, endpoint
// handling, retries and one-line errors.
import type { GroupSummary, SamplingRule, XRayClient } from '@aws-sdk/client-xray';
import { groupFilterExpression } from '../answers/names.js';
import type { Env } from '../cli/io.js';
import { configuredEndpoint, resolveCredentials, resolveRegion } from '../setup/aws-env.js';
import { shownUrl } from '../setup/redact.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../setup/retry.js';
import type { RuleFields } from '../setup/rule-file.js';
import { XRAY_RULE_PATH } from '../render/xray-rule.js';
import { ruleChanges, XRayApi, XRayCallError } from '../setup/xray.js';
import { createXRayClient } from '../setup/xray-client.js';
import { forwardedHost, type Workspace } from './local-checks.js';
import type { CheckResult } from './report.js';
import { samplesNothing, shadowingRule, type MatchableRule, type SampledRequest } from './rule-match.js';

const SETUP = 'npx cruddur-observability setup';

export interface XRayAccess {
  api: XRayApi;
  client: XRayClient;
  region: string;
  /** Where the calls go, for messages. */
  where: string;
}

function failure(err: unknown): string {
  return err instanceof XRayCallError ? err.message : ((err as Error)?.message ?? String(err));
}

/** `aws`: credentials and region resolve, and X-Ray answers a read call (the group lookup the next check uses). */
export async function checkAws(
  ws: Workspace,
  env: Env,
  policy: Partial<RetryPolicy> = {},
): Promise<{ result: CheckResult; access?: XRayAccess; group?: GroupSummary | undefined }> {
  const endpoint = configuredEndpoint(env);
  if (endpoint && 'error' in endpoint) {
    return {
      result: {
        id: 'aws',
        status: 'fail',
        message: endpoint.error,
        fix: 'unset AWS_ENDPOINT_URL_XRAY or fix it',
      },
    };
  }
  const retry: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...policy };
  const region = await resolveRegion(env, ws.answers.region, retry.attemptTimeoutMs);
  const creds = await resolveCredentials(env, region.region, retry.attemptTimeoutMs);
  if (!creds.ok) {
    return {
      result: {
        id: 'aws',
        status: 'fail',
        message: creds.missing
          ? `no AWS credentials found (region ${region.region} from ${region.source})`
          : `AWS credentials could not be loaded: ${creds.message}`,
        fix:
          'gp env AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... && eval $(gp env -e)   # Gitpod\n' +
          'or Codespaces secrets, or .env in the workspace, or AWS_PROFILE with `aws sso login`',
      },
    };
  }
  const where = shownUrl(endpoint ? endpoint.url : `https://xray.${region.region}.amazonaws.com`);
  // setup's client: every answer bounded, every call under a deadline (each call its own budget).
  const client = createXRayClient({
    region: region.region,
    credentials: creds.credentials,
    ...(endpoint ? { endpoint: endpoint.url } : {}),
    attemptTimeoutMs: retry.attemptTimeoutMs,
  });
  const api = new XRayApi(client, retry, where);
  try {
    const group = await api.findGroup(ws.answers.groupName);
    return {
      result: {
        id: 'aws',
        status: 'ok',
        message: `credentials resolve; region ${region.region} (${region.source}); X-Ray answers at ${where}`,
      },
      access: { api, client, region: region.region, where },
      group,
    };
  } catch (err) {
    client.destroy();
    return {
      result: {
        id: 'aws',
        status: 'fail',
        message: `region ${region.region} (${region.source}): ${failure(err)}`,
        fix: 'fix the credentials or region named above, then run doctor again',
      },
    };
  }
}

export function checkGroup(ws: Workspace, group: GroupSummary | undefined): CheckResult {
  const name = ws.answers.groupName;
  const want = groupFilterExpression(ws.answers.serviceName);
  if (!group) {
    return {
      id: 'group',
      status: 'fail',
      message: `X-Ray has no group ${JSON.stringify(name)}`,
      fix: `${SETUP}   # creates it with the filter ${want}`,
    };
  }
  const have = (group.FilterExpression ?? '').trim();
  if (have !== want) {
    return {
      id: 'group',
      status: 'fail',
      message: `group ${JSON.stringify(name)} filters ${JSON.stringify(have)}, not ${JSON.stringify(want)}: the backend's traces miss it`,
      fix: `${SETUP}   # sets the filter to ${want}`,
    };
  }
  return { id: 'group', status: 'ok', message: `group ${JSON.stringify(name)} exists with filter ${want}` };
}

function asMatchable(r: SamplingRule): MatchableRule {
  return {
    RuleName: r.RuleName ?? '',
    Priority: r.Priority ?? 10000,
    FixedRate: r.FixedRate ?? 0,
    ReservoirSize: r.ReservoirSize ?? 0,
    ServiceName: r.ServiceName ?? '*',
    ServiceType: r.ServiceType ?? '*',
    Host: r.Host ?? '*',
    HTTPMethod: r.HTTPMethod ?? '*',
    URLPath: r.URLPath ?? '*',
    ResourceARN: r.ResourceARN ?? '*',
    ...(r.Attributes ? { Attributes: r.Attributes } : {}),
  };
}

/** The backend's routes as the sampler sees them, under each Host a request may carry. */
function backendRequests(ws: Workspace, env: Env): SampledRequest[] {
  const { serviceName, port } = ws.answers;
  const hosts = [forwardedHost(env, port), `localhost:${port}`, `127.0.0.1:${port}`].filter(
    (h): h is string => h !== undefined,
  );
  const paths = ['/api/activities/home', '/api/health', '/rollbar/test'];
  return paths.flatMap((urlPath) =>
    hosts.map((host) => ({ serviceName, serviceType: '', host, method: 'GET', urlPath, resourceArn: '' })),
  );
}

const describeRule = (r: MatchableRule) =>
  `${JSON.stringify(r.RuleName)} (priority ${r.Priority}, reservoir ${r.ReservoirSize}/s, rate ${r.FixedRate})`;

export async function checkRule(ws: Workspace, access: XRayAccess, env: Env): Promise<CheckResult> {
  const file: RuleFields | undefined = ws.rule;
  const name = file?.RuleName ?? ws.answers.ruleName;
  let rules: SamplingRule[];
  try {
    rules = await access.api.listSamplingRules();
  } catch (err) {
    return {
      id: 'rule',
      status: 'fail',
      message: failure(err),
      fix: 'fix the cause above, then run doctor again',
    };
  }
  const ours = rules.find((r) => r.RuleName === name);
  if (!ours) {
    return {
      id: 'rule',
      status: 'fail',
      message: `X-Ray has no sampling rule ${JSON.stringify(name)}: the Default rule (1/s, then 5 %) decides`,
      fix: `${SETUP}   # creates it from ${XRAY_RULE_PATH}`,
    };
  }
  const shadow = shadowingRule(rules.map(asMatchable), name, backendRequests(ws, env));
  if (shadow) {
    const r = shadow.rule;
    const req = shadow.request;
    return {
      id: 'rule',
      status: samplesNothing(r) ? 'fail' : 'warn',
      message:
        `rule ${describeRule(r)} is evaluated before ${JSON.stringify(name)} (priority ${ours.Priority}) and takes ` +
        `${req.serviceName}'s ${req.method} ${req.urlPath} (Host ${req.host})` +
        (samplesNothing(r) ? ': it traces none of them' : ': it decides what is traced, not your rule'),
      fix:
        `give ${JSON.stringify(name)} a lower Priority than ${r.Priority} in ${XRAY_RULE_PATH}, then: ${SETUP}\n` +
        `or narrow ${JSON.stringify(r.RuleName)}: aws xray update-sampling-rule --sampling-rule-update '{"RuleName":${JSON.stringify(r.RuleName)},"ServiceName":"..."}'`,
    };
  }
  const changes = file ? ruleChanges(file, ours) : [];
  if (changes.length > 0) {
    return {
      id: 'rule',
      status: 'warn',
      message: `rule ${JSON.stringify(name)} differs from ${XRAY_RULE_PATH}: ${changes
        .map((c) => `${c.field} ${JSON.stringify(c.from)} (file: ${JSON.stringify(c.to)})`)
        .join(', ')}`,
      fix: `${SETUP}   # updates the fields that differ`,
    };
  }
  return {
    id: 'rule',
    status: 'ok',
    message: `rule ${describeRule(asMatchable(ours))} matches ${XRAY_RULE_PATH} and decides the backend's requests`,
  };
}
