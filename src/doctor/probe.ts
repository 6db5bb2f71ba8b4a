// `backend` and `trace`: the end-to-end proof. One request with a trace id
// we chose and Sampled=1, so both tracing variants continue it and the
// sampling rules cannot drop it; then X-Ray is polled until that trace has
// landed and shows up under the group's filter, or the time runs out and the
// check says which link broke.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { BatchGetTracesCommand, GetTraceSummariesCommand, type GroupSummary } from '@aws-sdk/client-xray';
import { groupFilterExpression, SERVICE_ANNOTATION } from '../answers/names.js';
import { COMPOSE_PATH } from '../render/compose.js';
import { XRayCallError } from '../setup/xray.js';
import type { XRayAccess } from './aws-checks.js';
import type { Workspace } from './local-checks.js';
import type { CheckResult } from './report.js';

const HEALTH_TIMEOUT_MS = 5_000;
const PROBE_PATH = '/api/activities/home';

/** A new X-Ray trace id (1-<epoch seconds, 8 hex>-<24 hex>) and parent id (16 hex). */
function newProbeIds(now = Date.now()): { root: string; parent: string } {
  const seconds = Math.floor(now / 1000)
    .toString(16)
    .padStart(8, '0');
  return { root: `1-${seconds}-${randomBytes(12).toString('hex')}`, parent: randomBytes(8).toString('hex') };
}

function networkWhy(err: unknown): string {
  const e = err as { name?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') return `no answer within ${HEALTH_TIMEOUT_MS / 1000} s`;
  return e?.cause?.code ?? e?.cause?.message ?? (err as Error)?.message ?? String(err);
}

export async function checkBackend(url: string, ws: Workspace): Promise<CheckResult> {
  const target = new URL('api/health', url.endsWith('/') ? url : `${url}/`).href;
  const started = Date.now();
  try {
    const res = await fetch(target, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS), redirect: 'manual' });
    await res.arrayBuffer();
    if (res.status === 200) {
      return { id: 'backend', status: 'ok', message: `${target} answered 200 in ${Date.now() - started} ms` };
    }
    return {
      id: 'backend',
      status: 'fail',
      message: `${target} answered HTTP ${res.status}, not 200: is this the ${ws.answers.serviceName} backend?`,
      fix: `docker compose logs ${ws.answers.serviceName}   # or pass --url with the backend's address`,
    };
  } catch (err) {
    return {
      id: 'backend',
      status: 'fail',
      message: `${target} did not answer (${networkWhy(err)})`,
      fix:
        `docker compose up --build   # starts ${ws.answers.serviceName} and the collector\n` +
        `or: cd ${ws.answers.serviceName} && npm run dev; or pass --url with the backend's address`,
    };
  }
}

interface TraceProbeOptions {
  url: string;
  timeoutMs: number;
  /** The group as the `aws` check found it (its filter is what X-Ray applies). */
  group: GroupSummary | undefined;
  /** First wait between polls; doubles up to maxPollMs. */
  firstPollMs?: number;
  maxPollMs?: number;
}

function annotationValues(documents: string[]): string[] {
  const seen = new Set<string>();
  const walk = (doc: Record<string, unknown>) => {
    const v = (doc.annotations as Record<string, unknown> | undefined)?.[SERVICE_ANNOTATION];
    if (v !== undefined) seen.add(JSON.stringify(v));
    for (const sub of (doc.subsegments as Array<Record<string, unknown>> | undefined) ?? []) walk(sub);
  };
  for (const d of documents) {
    try {
      walk(JSON.parse(d) as Record<string, unknown>);
    } catch {
      // a document X-Ray could not give back whole says nothing about names
    }
  }
  return [...seen];
}

export async function checkTrace(
  ws: Workspace,
  access: XRayAccess,
  opts: TraceProbeOptions,
): Promise<CheckResult> {
  const { answers } = ws;
  const ids = newProbeIds();
  const header = `Root=${ids.root};Parent=${ids.parent};Sampled=1`;
  const started = Date.now();
  const probeUrl = new URL(PROBE_PATH.slice(1), opts.url.endsWith('/') ? opts.url : `${opts.url}/`).href;
  try {
    const res = await fetch(probeUrl, {
      headers: { 'x-amzn-trace-id': header },
      signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS),
      redirect: 'manual',
    });
    await res.arrayBuffer();
    if (res.status >= 500) {
      return {
        id: 'trace',
        status: 'fail',
        message: `the probe ${probeUrl} answered HTTP ${res.status}; trace ${ids.root}`,
        fix: `docker compose logs ${answers.serviceName}`,
      };
    }
  } catch (err) {
    return {
      id: 'trace',
      status: 'fail',
      message: `the backend did not answer the probe ${probeUrl} (${networkWhy(err)})`,
      fix: `docker compose up --build`,
    };
  }

  const filter = opts.group?.FilterExpression?.trim() || groupFilterExpression(answers.serviceName);
  const deadline = started + opts.timeoutMs;
  let wait = opts.firstPollMs ?? 500;
  const maxWait = opts.maxPollMs ?? 5_000;
  let landedAt: number | undefined;
  let documents: string[] = [];
  const windowStart = new Date(started - 60_000);
  try {
    for (;;) {
      if (landedAt === undefined) {
        const out = await access.api.call('BatchGetTraces', (c, abortSignal) =>
          c.send(new BatchGetTracesCommand({ TraceIds: [ids.root] }), { abortSignal }),
        );
        const trace = out.Traces?.find((t) => t.Id === ids.root);
        if (trace?.Segments?.length) {
          landedAt = Date.now();
          documents = trace.Segments.map((s) => s.Document ?? '');
        }
      }
      if (landedAt !== undefined) {
        const summaries = await access.api.call('GetTraceSummaries', (c, abortSignal) =>
          c.send(
            new GetTraceSummariesCommand({
              StartTime: windowStart,
              EndTime: new Date(Date.now() + 60_000),
              FilterExpression: filter,
            }),
            { abortSignal },
          ),
        );
        if (summaries.TraceSummaries?.some((s) => s.Id === ids.root)) {
          const secs = ((landedAt - started) / 1000).toFixed(1);
          return {
            id: 'trace',
            status: 'ok',
            message: `probe trace ${ids.root} landed in X-Ray in ${secs} s and is in group ${JSON.stringify(answers.groupName)}`,
          };
        }
      }
      if (Date.now() + wait > deadline) break;
      await sleep(wait);
      wait = Math.min(maxWait, wait * 2);
    }
  } catch (err) {
    return {
      id: 'trace',
      status: 'fail',
      message: `while polling X-Ray for trace ${ids.root}: ${err instanceof XRayCallError ? err.message : (err as Error).message}`,
      fix: 'fix the cause above, then run doctor again',
    };
  }
  const secs = (opts.timeoutMs / 1000).toFixed(0);
  if (landedAt === undefined) {
    const collector = answers.tracing === 'otel' ? 'cloudwatch-agent' : 'xray-daemon';
    return {
      id: 'trace',
      status: 'fail',
      message:
        `the backend answered the probe, but no segment of trace ${ids.root} reached X-Ray in ${access.region} within ${secs} s: ` +
        `${collector} is not delivering (not running, no credentials, or another region than ${access.region})`,
      fix:
        `docker compose logs ${collector}   # look for credential or region errors\n` +
        `check that AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION reach it (${COMPOSE_PATH}), then: docker compose up -d`,
    };
  }
  const carried = annotationValues(documents);
  return {
    id: 'trace',
    status: 'fail',
    message:
      `probe trace ${ids.root} landed, but not in group ${JSON.stringify(answers.groupName)} (filter ${filter}) within ${secs} s; ` +
      (carried.length
        ? `its segments carry ${SERVICE_ANNOTATION} = ${carried.join(', ')}`
        : `its segments carry no ${SERVICE_ANNOTATION} annotation`),
    fix: `npx cruddur-observability config && npx cruddur-observability setup   # make the names and the filter agree`,
  };
}
