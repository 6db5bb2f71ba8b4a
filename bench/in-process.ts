// What tracing costs a request in process, without HTTP or the network: the
// generated backend's own traced() and its /api/activities/home handler,
// driven with Node's real IncomingMessage and ServerResponse, sending
// segments to the bench's UDP listener. The server series in backend.ts
// carry the machine's phases; this figure is far steadier (results.md,
// "Bench method"), so a change of a few µs to the tracing path shows here
// where it drowns there. Beside it, the same trace made with the SDK's own
// API and nothing else (a segment with the request's HTTP data, a subsegment
// with the route's annotation and metadata, both closed and sent): what a
// backend using the SDK plainly pays for this trace, so what the template adds
// (sampling, naming, listeners) or saves (RequestSegment) shows against it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';

export interface InProcessCost {
  /** µs that tracing adds to a request that carries `Sampled=1`: segment, subsegment, serialising, the UDP send. */
  tracedUs: number;
  /** µs that traced() adds to a request that carries `Sampled=0`: the decision only. */
  untracedUs: number;
  /** µs per request of the same loop with the handler called directly, the baseline of all three. */
  baselineUs: number;
  /** µs that the same segment and subsegment cost made with the SDK's API alone: the SDK's floor. */
  sdkFloorUs: number;
}

// The handler is the generated route itself (activitiesRoutes registers it on
// anything with get()); only res.json is stood in, ending the response as
// Express would, so the segment is closed and sent.
const SCRIPT = `import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { traced } from './dist/src/observability/index.js';
import { activitiesRoutes } from './dist/src/routes/activities.js';
// After the backend's modules: they load the SDK in manual mode (xray-preload).
import AWSXRay from 'aws-xray-sdk-core';
import { homeActivities } from './dist/src/services/home-activities.js';

let handler;
activitiesRoutes({ get: (_path, h) => { handler = h; } });
const listener = (req, res) => {
  handler(req, {
    json(body) {
      res.statusCode = 200;
      res.setHeader('content-length', JSON.stringify(body).length);
      res.emit('finish');
    },
  });
};
const app = traced(listener);

// The SDK's floor: the same trace made with its API alone, around the route's work.
const ROOT_ID = '1-5759e988-bd862e3fe1be46a994272793';
const sdkOnly = (req, res) => {
  const segment = new AWSXRay.Segment('backend-express', ROOT_ID);
  segment.addIncomingRequestData(new AWSXRay.middleware.IncomingRequestData(req));
  const sub = segment.addNewSubsegment('mock-data');
  const now = new Date();
  const data = homeActivities(now);
  sub.addAnnotation('activities_count', data.length);
  sub.addMetadata('query', { now: now.toISOString(), results_size: data.length }, 'cruddur');
  sub.close();
  res.statusCode = 200;
  res.setHeader('content-length', JSON.stringify(data).length);
  segment.http.close(res);
  segment.close();
};

const ROOT = 'Root=1-5759e988-bd862e3fe1be46a994272793';
async function perRequest(serve, sampled, n) {
  const header = ROOT + ';Sampled=' + sampled;
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const req = new IncomingMessage(new Socket());
    req.method = 'GET';
    req.url = '/api/activities/home';
    req.headers = { host: '127.0.0.1:4567', 'user-agent': 'bench', 'x-amzn-trace-id': header };
    serve(req, new ServerResponse(req));
    // Let the UDP sends go out, as a server's event loop would.
    if (i % 100 === 99) await new Promise((ok) => setImmediate(ok));
  }
  return Number(process.hrtime.bigint() - start) / n / 1000;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const N = Number(process.env.N);
const base = [], traced1 = [], untraced = [], floor = [];
for (let round = -1; round < Number(process.env.ROUNDS); round++) {
  const b = await perRequest(listener, '0', N);
  const t = await perRequest(app, '1', N);
  const u = await perRequest(app, '0', N);
  const f = await perRequest(sdkOnly, '1', N);
  if (round < 0) continue; // warm-up
  base.push(b);
  traced1.push(t - b);
  untraced.push(u - b);
  floor.push(f - b);
}
console.log(JSON.stringify({
  tracedUs: median(traced1),
  untracedUs: median(untraced),
  baselineUs: median(base),
  sdkFloorUs: median(floor),
}));
`;

/**
 * Runs the script next to the built backend in `backendDir`, with `node`
 * launched by `launch` (pinned like the servers) and `env` (the daemon
 * address, at least). Asynchronously, so the caller's UDP listener keeps
 * draining the segments.
 */
export async function inProcessCost(
  backendDir: string,
  launch: (args: string[]) => [string, string[]],
  env: Record<string, string>,
  { requests = 20_000, rounds = 5 } = {},
): Promise<InProcessCost> {
  const file = 'bench-in-process.mjs';
  writeFileSync(join(backendDir, file), SCRIPT);
  const [command, args] = launch([file]);
  const run = await execa(command, args, {
    cwd: backendDir,
    env: { ...env, N: String(requests), ROUNDS: String(rounds) },
    extendEnv: false,
    timeout: 300_000,
    reject: false,
  });
  const last = run.stdout.trim().split('\n').at(-1) ?? '';
  if (run.exitCode !== 0 || !last.startsWith('{')) {
    throw new Error(
      `in-process bench failed (${run.timedOut ? 'timed out' : `exit ${run.exitCode}`}): ${run.stderr || run.stdout}`,
    );
  }
  return JSON.parse(last) as InProcessCost;
}
