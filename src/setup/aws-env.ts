// Region, credentials and endpoint for the X-Ray calls, resolved the standard
// SDK way but from an explicit `env` instead of process.env.
//
// The SDK's default credential chain (env, SSO, shared config/credentials
// files, credential_process, web identity, ECS container, EC2 instance role)
// and its region loader read process.env themselves and have no way to be
// handed another environment. So resolution runs once, up front, with
// process.env temporarily replaced by `env`, and the client that makes the
// calls is then built from the resolved values. Nothing else runs in
// between: the window is the resolution only.
import { XRayClient } from '@aws-sdk/client-xray';
import type { Env } from '../cli/io.js';
import { redactUserinfo } from './redact.js';
import { AttemptTimedOut, within } from './retry.js';

export interface StaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

type CredentialsOutcome =
  { ok: true; credentials: StaticCredentials } | { ok: false; missing: boolean; message: string };

export interface Endpoint {
  url: string;
  /** The variable it came from. */
  source: string;
}

/** Runs `fn` with process.env holding exactly `env`, then restores it. */
export async function withProcessEnv<T>(env: Env, fn: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  const replace = (next: Env) => {
    for (const k of Object.keys(process.env)) if (next[k] === undefined) delete process.env[k];
    for (const [k, v] of Object.entries(next)) if (v !== undefined) process.env[k] = v;
  };
  replace(env);
  try {
    return await fn();
  } finally {
    replace(saved);
  }
}

/**
 * The SDK warns once per process on Node < 22 that *future* SDK releases
 * will need Node 22. This package supports Node 20.19+, and a nine-line
 * warning in the middle of `setup` output is noise, so it is off unless the
 * user set the variable either way.
 */
function quietEnv(env: Env): Env {
  return env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED === undefined
    ? { ...env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' }
    : env;
}

/** AWS_ENDPOINT_URL_XRAY, then AWS_ENDPOINT_URL, unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true. */
export function configuredEndpoint(env: Env): Endpoint | { error: string } | undefined {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === 'true') return undefined;
  for (const source of ['AWS_ENDPOINT_URL_XRAY', 'AWS_ENDPOINT_URL']) {
    const raw = env[source]?.trim();
    if (!raw) continue;
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return {
        error: `${source}=${JSON.stringify(redactUserinfo(raw))} is not a URL; use e.g. http://127.0.0.1:4566`,
      };
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return {
        error: `${source} must be an http:// or https:// URL, not ${JSON.stringify(redactUserinfo(raw))}`,
      };
    }
    return { url: raw, source };
  }
  return undefined;
}

interface ResolvedRegion {
  region: string;
  /** Where it came from, for the output. */
  source: string;
}

/**
 * AWS_REGION, then AWS_DEFAULT_REGION (the AWS CLI's variable, which the
 * bootcamp's Gitpod set-up uses and the JS SDK alone would ignore), then the
 * region of the shared config profile (AWS_PROFILE), then the answer stored
 * in .yo-rc.json.
 */
export async function resolveRegion(env: Env, fallback: string, timeoutMs: number): Promise<ResolvedRegion> {
  for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION']) {
    const v = env[name]?.trim();
    if (v) return { region: v, source: name };
  }
  const fromProfile = await withProcessEnv(quietEnv(env), async () => {
    try {
      return await within(timeoutMs, () => new XRayClient({}).config.region());
    } catch {
      return undefined; // "Region is missing": no profile region
    }
  });
  if (fromProfile) return { region: fromProfile, source: `profile ${env.AWS_PROFILE ?? 'default'}` };
  return { region: fallback, source: '.yo-rc.json' };
}

/**
 * Resolves credentials through the SDK's default chain, within `timeoutMs`
 * (some providers make network calls: SSO, web identity, container and
 * instance roles). `missing` is true when no provider had any (the "set these
 * variables" case); otherwise `message` is the provider's own complaint (an
 * expired SSO session, a broken profile) or the timeout.
 */
export async function resolveCredentials(
  env: Env,
  region: string,
  timeoutMs: number,
): Promise<CredentialsOutcome> {
  return withProcessEnv(quietEnv(env), async () => {
    try {
      const identity = await within(timeoutMs, () => new XRayClient({ region }).config.credentials());
      const { accessKeyId, secretAccessKey, sessionToken, expiration } = identity;
      return {
        ok: true,
        credentials: {
          accessKeyId,
          secretAccessKey,
          ...(sessionToken ? { sessionToken } : {}),
          ...(expiration ? { expiration } : {}),
        },
      };
    } catch (err) {
      if (err instanceof AttemptTimedOut) {
        return {
          ok: false,
          missing: false,
          message:
            `no credentials within ${(timeoutMs / 1000).toFixed(1)} s: a provider of the chain ` +
            '(SSO, credential_process, web identity, a container or instance role) did not answer',
        };
      }
      const e = err as Error;
      const missing = e.name === 'CredentialsProviderError' && /from any providers/i.test(e.message);
      return { ok: false, missing, message: e.message };
    }
  });
}
