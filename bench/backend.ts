// The generated backend's cost of instrumentation: GET /api/activities/home
// served by the instrumented backend (X-Ray + Rollbar, exactly as generated)
// against plain Express serving the same handler, with autocannon,
// alternating rounds, medians.
//
//   node --import tsx bench/backend.ts [--rounds N] [--duration S] [--node BIN] [--keep]
//
// --node BIN runs both servers with another Node (the generated Dockerfile's
// major, say); the bench itself stays on this one.
//
// Set-up, all on 127.0.0.1: a workspace generated into a temp dir, its
// backend installed from the registry and built; a UDP listener draining
// segments at AWS_XRAY_DAEMON_ADDRESS, with no TCP sampling proxy, so the SDK
// falls back to its local default rule (1 request a second, then 5%), the
// realistic case of a daemon that cannot reach X-Ray; Rollbar configured
// with a token and a local endpoint (nothing is reported on this route).
// Where `taskset` and two CPUs exist, the servers run on CPU 1 and this process
// (autocannon and the UDP listener) on CPU 0: unpinned, the scheduler now and
// then puts load generator and server on one core of a 2-core box, and rounds
// swing several times more than pinned (results.md, "Bench method").
// Besides the two servers as they come, the instrumented one is loaded with
// every request saying `Sampled=0`, then `Sampled=1` (plain Express gets the
// same header): what a request costs untraced and traced, from which any
// sampling rate's cost follows. Before the rounds, in-process.ts gives the same
// two costs without HTTP, steady enough to show a change of a few µs, beside
// what the SDK's API alone costs for the same trace.
// The `otel` series: the same workspace generated with `--tracing otel`,
// sampling as a default workspace would (the generated rule, reservoir then
// rate, served by a local sampling-proxy stand-in that the X-Ray remote
// sampler polls) and exporting to a local OTLP endpoint that accepts and
// discards; loaded in the same rounds as the two servers above. As for the
// xray server, it is loaded again with every request saying `Sampled=0`, then
// `Sampled=1` (with a Parent: OpenTelemetry's propagator continues nothing
// without one), and in process.
// Target: instrumented (and otel) requests/s >= 0.9x plain, p99 <= 1.2x.
import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import {
  defaultAnswers,
  npm,
  startListening,
  writeWorkspace,
  type BackendProcess,
} from '../test/support/backend.js';
import { startSamplingProxyFake, type SamplingProxyFake } from '../test/fakes/xray-daemon.js';
import { samplingRule } from '../src/answers/names.js';
import { CALLER, inProcessCost, type InProcessCost } from './in-process.js';
import { median } from './stats.js';

export interface BenchBackendOptions {
  /** Alternating rounds (each runs both servers). Default 7. */
  rounds?: number;
  /** Seconds of load per server per round. Default 5. */
  durationSec?: number;
  /** Seconds of unmeasured load on each server before the first round. Default 3. */
  warmupSec?: number;
  connections?: number;
  /** Keep the generated workspace (its path is printed). */
  keep?: boolean;
  /** Node binary for both servers; default: the one running the bench. */
  node?: string;
  log?: (line: string) => void;
}

export interface Figures {
  rps: number;
  p99: number;
  /** Server CPU time (user + system) per request, microseconds; NaN where /proc is not available. */
  cpuUsPerRequest?: number;
}

export interface BenchBackendResult {
  /** Medians over the rounds. */
  plain: Figures;
  instrumented: Figures;
  /**
   * The instrumented backend with every request carrying `Sampled=0` from the
   * caller: what instrumentation costs a request that is not traced. Beside
   * `instrumented`, it splits the gap into the unsampled path and the sampled
   * requests' share.
   */
  unsampled: Figures;
  /** Plain Express sent the same header, the baseline for `unsampled` (the header itself costs parsing). */
  plainWithHeader: Figures;
  /**
   * The instrumented backend with every request carrying `Sampled=1`: every
   * request traced. Beside `unsampled`, it gives what tracing one request
   * costs, a difference large enough to stand out of this machine's noise.
   */
  traced: Figures;
  /**
   * Server CPU per request, microseconds, medians of the per-round
   * differences: `traced` - `unsampled` (tracing one request) and `unsampled`
   * - `plainWithHeader` (a request that is not traced).
   */
  costUs: { tracedRequest: number; untracedRequest: number };
  /** The `otel` variant as generated, default sampling, exporting to a local OTLP sink. */
  otel: Figures;
  /** The `otel` server with every request saying `Sampled=0`, then `Sampled=1`: as `unsampled` and `traced`. */
  otelUnsampled: Figures;
  otelTraced: Figures;
  /** As costUs, for otel: `otelTraced` - `otelUnsampled`, and `otelUnsampled` - `plainWithHeader`. */
  otelCostUs: { tracedRequest: number; untracedRequest: number };
  /** The otel costs in process: see in-process.ts. */
  otelInProcess: InProcessCost;
  /** Paired ratios to plain Express, as rpsRatio and p99Ratio. */
  otelRpsRatio: number;
  otelP99Ratio: number;
  /** OTLP export requests the sink received during the measured otel series. */
  otelExports: number;
  otelSamplingRule: string;
  /** The same two costs in process, without HTTP, and the SDK's own cost for the trace: see in-process.ts. */
  inProcess: InProcessCost;
  /** Median over the rounds of unsampled.rps / plainWithHeader.rps within each round. */
  unsampledRpsRatio: number;
  /**
   * Median over the rounds of (instrumented / plain) within each round: the
   * two servers of a round run back to back, so a change in the machine's
   * load between rounds (other work on a shared 2-core box) cancels out.
   */
  rpsRatio: number;
  p99Ratio: number;
  /** instrumented.rps / plain.rps and instrumented.p99 / plain.p99 (ratios of the medians), for comparison. */
  ratioOfMedians: { rps: number; p99: number };
  rounds: number;
  durationSec: number;
  connections: number;
  /** Per round, for the record. */
  samples: Record<Series, Figures[]>;
  /** Segments the UDP listener received during the measured rounds, and the share of requests they are. */
  segments: number;
  sampledShare: number;
  samplingRules: string;
  /** Node running the servers. */
  node: string;
  /** How servers and load generator were placed on CPUs. */
  placement: string;
}

/** The part of autocannon's API used here (it ships no types). */
interface AutocannonResult {
  requests: { average: number; total: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: {
  url: string;
  connections: number;
  duration: number;
  timeout: number;
  headers?: Record<string, string>;
}) => Promise<AutocannonResult> & AutocannonRun;
/** A running load: each response with its latency in (fractional) milliseconds. */
interface AutocannonRun {
  on(event: 'response', listener: (client: unknown, status: number, bytes: number, ms: number) => void): void;
}

/** The 99th percentile, nearest rank. */
function p99Of(values: number[]): number {
  const sorted = Float64Array.from(values).sort();
  return sorted.length ? (sorted[Math.ceil(sorted.length * 0.99) - 1] as number) : NaN;
}

const PATH = '/api/activities/home';
const SAMPLING_RULES =
  'SDK local default (no daemon sampling proxy answered): 1 request/s reservoir, then 5%';

// Plain Express with the same handler and data as the generated route, minus
// observability. Written next to the backend so it resolves the same express.
const PLAIN_SERVER = `import express from 'express';
import { homeActivities } from './dist/src/services/home-activities.js';
const app = express();
app.disable('x-powered-by');
app.get('${PATH}', (_req, res) => {
  res.json(homeActivities());
});
const server = app.listen(Number(process.env.PORT), process.env.HOST, () => {
  console.log('plain listening on port ' + server.address().port);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

/**
 * A caller that decided: not sampled, or sampled. CALLER (in-process.ts, whose
 * scripts send the same header) is the one form both variants continue; plain
 * Express gets the same header as the servers it is the baseline of.
 */
const NOT_SAMPLED = { 'x-amzn-trace-id': `${CALLER};Sampled=0` };
const SAMPLED = { 'x-amzn-trace-id': `${CALLER};Sampled=1` };

/** Each series: which server it loads and what every request carries. */
const SERIES_SPEC = {
  plain: { server: 'plain', headers: {} },
  instrumented: { server: 'instrumented', headers: {} },
  plainWithHeader: { server: 'plain', headers: NOT_SAMPLED },
  unsampled: { server: 'instrumented', headers: NOT_SAMPLED },
  traced: { server: 'instrumented', headers: SAMPLED },
  otel: { server: 'otel', headers: {} },
  otelUnsampled: { server: 'otel', headers: NOT_SAMPLED },
  otelTraced: { server: 'otel', headers: SAMPLED },
} as const satisfies Record<
  string,
  { server: 'plain' | 'instrumented' | 'otel'; headers: Record<string, string> }
>;
type Series = keyof typeof SERIES_SPEC;
const SERIES = Object.keys(SERIES_SPEC) as Series[];

/** An OTLP/HTTP endpoint that accepts every export and discards it, counting requests. */
async function startOtlpSink(): Promise<{ url: string; exports: () => number; server: Server }> {
  let exports = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      exports++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/v1/traces`, exports: () => exports, server };
}

interface Placement {
  /** Command and arguments that run `node args` where the servers go. */
  launch: (node: string, args: string[]) => [string, string[]];
  description: string;
}

/** Pins this process (every thread) to CPU 0 and servers to CPU 1, where it can; see the header. */
function placeOnCpus(): Placement {
  const unpinned: Placement = {
    launch: (node, args) => [node, args],
    description: 'not pinned (needs taskset and 2 CPUs)',
  };
  if (availableParallelism() < 2) return unpinned;
  const self = spawnSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
  if (self.error || self.status !== 0) return unpinned;
  return {
    launch: (node, args) => ['taskset', ['-c', '1', node, ...args]],
    description: 'servers pinned to CPU 1, load generator and UDP listener to CPU 0',
  };
}

/** Stops a server, SIGKILL after 10 s; a server that would not stop is not the bench's result. */
function stopServer(server: BackendProcess | undefined): Promise<unknown> {
  return server ? server.stop('SIGTERM', 10_000).catch(() => undefined) : Promise.resolve();
}

const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used so far, from /proc; NaN elsewhere. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

async function load(
  server: BackendProcess,
  durationSec: number,
  connections: number,
  headers: Record<string, string> = {},
): Promise<Figures & { total: number }> {
  const port = server.port;
  const cpuBefore = cpuSeconds(server.child.pid);
  const run = autocannon({
    url: `http://127.0.0.1:${port}${PATH}`,
    connections,
    duration: durationSec,
    timeout: 10,
    headers,
  });
  // autocannon's own percentiles come from a histogram of whole
  // milliseconds: 1 ms against 2 ms on a fast Node reads as a 2x p99.
  const latencies: number[] = [];
  run.on('response', (_client, status, _bytes, ms) => {
    if (status >= 200 && status < 300) latencies.push(ms);
  });
  const result = await run;
  if (result.non2xx || result.errors || result.timeouts) {
    throw new Error(
      `load on port ${port}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`,
    );
  }
  const cpu = cpuSeconds(server.child.pid) - cpuBefore;
  return {
    rps: result.requests.average,
    p99: p99Of(latencies),
    cpuUsPerRequest: (cpu / result.requests.total) * 1e6,
    total: result.requests.total,
  };
}

export async function benchBackend(opts: BenchBackendOptions = {}): Promise<BenchBackendResult> {
  const rounds = opts.rounds ?? 7;
  const durationSec = opts.durationSec ?? 5;
  const warmupSec = opts.warmupSec ?? 3;
  const connections = opts.connections ?? 10;
  const log = opts.log ?? ((line: string) => console.log(line));
  const node = opts.node ?? process.execPath;
  const nodeVersion = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout?.trim();
  if (!nodeVersion) throw new Error(`--node ${node}: not a Node binary that runs here`);

  const dir = mkdtempSync(join(tmpdir(), 'cruddur-backend-bench-'));
  const answers = defaultAnswers();
  const backendDir = join(dir, answers.serviceName);
  const otelAnswers = defaultAnswers({ tracing: 'otel' });
  const otelDir = join(dir, 'otel', otelAnswers.serviceName);
  const otelRule = samplingRule(otelAnswers).SamplingRule;
  const udp = createSocket('udp4');
  let plain: BackendProcess | undefined;
  let instrumented: BackendProcess | undefined;
  let otel: BackendProcess | undefined;
  let proxy: SamplingProxyFake | undefined;
  let sink: Awaited<ReturnType<typeof startOtlpSink>> | undefined;
  try {
    writeWorkspace(dir, answers, 'gitpod');
    writeWorkspace(join(dir, 'otel'), otelAnswers, 'gitpod');
    for (const where of [backendDir, otelDir]) {
      log(`bench: generated ${where}; installing and building`);
      await npm(['install', '--no-audit', '--no-fund', '--prefer-offline'], where, 300_000);
      await npm(['run', 'build'], where, 180_000);
    }
    writeFileSync(join(backendDir, 'bench-plain.mjs'), PLAIN_SERVER);

    let segments = 0;
    udp.on('message', () => segments++);
    await new Promise<void>((ok) => udp.bind(0, '127.0.0.1', () => ok()));
    const base = { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', NODE_ENV: 'production' };
    // Rollbar for both observed servers: a token and a local endpoint (nothing is reported on this route).
    const rollbar = {
      ROLLBAR_ACCESS_TOKEN: 'bench-token-not-a-secret',
      ROLLBAR_ENVIRONMENT: 'bench',
      ROLLBAR_ENDPOINT: 'http://127.0.0.1:9/api/1/',
    };
    const placement = placeOnCpus();
    const launch = (args: string[]) => placement.launch(node, args);
    log(
      `bench: servers on Node ${nodeVersion}; ${placement.description}; fresh processes each round, ` +
        `warmed up ${warmupSec} s each`,
    );
    const instrumentedEnv = {
      ...base,
      AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${udp.address().port}`,
      AWS_XRAY_URL: `*${answers.port}-bench.example.test*`,
      ...rollbar,
    };

    proxy = await startSamplingProxyFake([otelRule]);
    sink = await startOtlpSink();
    const otelEnv = {
      ...base,
      OTEL_SERVICE_NAME: otelAnswers.serviceName,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: sink.url,
      OTEL_TRACES_SAMPLER: 'xray',
      OTEL_TRACES_SAMPLER_ARG: `endpoint=${proxy.url}`,
      ...rollbar,
    };
    const otelSamplingRule = `the generated rule from the sampling proxy: ${otelRule.ReservoirSize} request/s reservoir, then ${otelRule.FixedRate * 100}%`;

    const inProcess = await inProcessCost('xray', backendDir, launch, instrumentedEnv);
    log(
      `bench: in process: tracing one request adds ${inProcess.tracedUs.toFixed(1)} us, ` +
        `a request not traced ${inProcess.untracedUs.toFixed(2)} us, to the handler's ${inProcess.baselineUs.toFixed(1)} us; ` +
        `the same trace made with the SDK's API alone adds ${inProcess.sdkFloorUs.toFixed(1)} us`,
    );
    const otelInProcess = await inProcessCost('otel', otelDir, launch, otelEnv);
    log(
      `bench: in process, otel: tracing one request adds ${otelInProcess.tracedUs.toFixed(1)} us, ` +
        `a request not traced ${otelInProcess.untracedUs.toFixed(2)} us, one decided by the generated rule ` +
        `${otelInProcess.byRuleUs?.toFixed(2)} us on average, to the handler's ${otelInProcess.baselineUs.toFixed(1)} us; ` +
        `the same spans made with the API alone add ${otelInProcess.sdkFloorUs.toFixed(1)} us`,
    );

    const samples = Object.fromEntries(SERIES.map((s) => [s, [] as Figures[]])) as Record<Series, Figures[]>;
    let otelExports = 0;
    let instrumentedRequests = 0;
    let measuredSegments = 0;
    let tracedRequests = 0;
    let tracedSegments = 0;
    for (let round = 0; round < rounds; round++) {
      // Fresh processes every round: two processes running identical code
      // differ measurably (memory layout, JIT decisions; results.md), a bias
      // that a median over rounds only removes if each round draws anew.
      plain = await startListening(...launch(['bench-plain.mjs']), backendDir, base, 20_000);
      instrumented = await startListening(
        ...launch(['dist/src/server.js']),
        backendDir,
        instrumentedEnv,
        20_000,
      );
      otel = await startListening(...launch(['dist/src/server.js']), otelDir, otelEnv, 20_000);
      await load(plain, warmupSec, connections);
      await load(instrumented, warmupSec, connections);
      await load(otel, warmupSec, connections);
      await new Promise((ok) => setTimeout(ok, 100)); // the warm-up's last datagrams
      // Rotate who goes first, so drift in the machine's load hits all alike.
      const order = SERIES.map((_, k) => SERIES[(k + round) % SERIES.length] as Series);
      for (const which of order) {
        const { server: name, headers } = SERIES_SPEC[which];
        const server = { plain, instrumented, otel }[name];
        const before = segments;
        const exportsBefore = sink.exports();
        const figures = await load(server, durationSec, connections, headers);
        samples[which].push({ rps: figures.rps, p99: figures.p99, cpuUsPerRequest: figures.cpuUsPerRequest });
        // Let the last datagrams of the series arrive before counting them.
        await new Promise((ok) => setTimeout(ok, 100));
        if (which === 'otel') otelExports += sink.exports() - exportsBefore;
        if (which === 'instrumented') {
          instrumentedRequests += figures.total;
          measuredSegments += segments - before;
        } else if (which === 'traced') {
          tracedRequests += figures.total;
          tracedSegments += segments - before;
        } else if (segments !== before) {
          throw new Error(
            `${segments - before} segments arrived during the ${which} series, which traces nothing`,
          );
        }
      }
      const describe = (which: Series) => {
        const f = samples[which].at(-1) as Figures;
        return `${which} ${f.rps.toFixed(0)} req/s p99 ${f.p99.toFixed(2)} ms ${f.cpuUsPerRequest?.toFixed(1)} us CPU/req`;
      };
      log(`bench: round ${round + 1}/${rounds}: ${SERIES.map(describe).join('; ')}`);
      await Promise.all([stopServer(plain), stopServer(instrumented), stopServer(otel)]);
    }

    const medians = (xs: Figures[]): Figures => ({
      rps: median(xs.map((s) => s.rps)),
      p99: median(xs.map((s) => s.p99)),
      cpuUsPerRequest: median(xs.map((s) => s.cpuUsPerRequest ?? NaN)),
    });
    const plainFigures = medians(samples.plain);
    const instrumentedFigures = medians(samples.instrumented);
    const paired = (which: Series, key: 'rps' | 'p99', baseline: Series = 'plain') =>
      median(samples[which].map((s, i) => s[key] / (samples[baseline][i] as Figures)[key]));
    const cpuDifference = (which: Series, baseline: Series) =>
      median(
        samples[which].map(
          (s, i) => (s.cpuUsPerRequest ?? NaN) - ((samples[baseline][i] as Figures).cpuUsPerRequest ?? NaN),
        ),
      );
    const result: BenchBackendResult = {
      plain: plainFigures,
      instrumented: instrumentedFigures,
      unsampled: medians(samples.unsampled),
      plainWithHeader: medians(samples.plainWithHeader),
      traced: medians(samples.traced),
      costUs: {
        tracedRequest: cpuDifference('traced', 'unsampled'),
        untracedRequest: cpuDifference('unsampled', 'plainWithHeader'),
      },
      inProcess,
      otel: medians(samples.otel),
      otelUnsampled: medians(samples.otelUnsampled),
      otelTraced: medians(samples.otelTraced),
      otelCostUs: {
        tracedRequest: cpuDifference('otelTraced', 'otelUnsampled'),
        untracedRequest: cpuDifference('otelUnsampled', 'plainWithHeader'),
      },
      otelInProcess,
      otelRpsRatio: paired('otel', 'rps'),
      otelP99Ratio: paired('otel', 'p99'),
      otelExports,
      otelSamplingRule,
      unsampledRpsRatio: paired('unsampled', 'rps', 'plainWithHeader'),
      rpsRatio: paired('instrumented', 'rps'),
      p99Ratio: paired('instrumented', 'p99'),
      ratioOfMedians: {
        rps: instrumentedFigures.rps / plainFigures.rps,
        p99: instrumentedFigures.p99 / plainFigures.p99,
      },
      rounds,
      durationSec,
      connections,
      samples,
      segments: measuredSegments,
      sampledShare: instrumentedRequests ? measuredSegments / instrumentedRequests : 0,
      samplingRules: SAMPLING_RULES,
      node: nodeVersion,
      placement: placement.description,
    };
    log(
      `bench: medians: plain ${plainFigures.rps.toFixed(0)} req/s p99 ${plainFigures.p99.toFixed(2)} ms; ` +
        `instrumented ${instrumentedFigures.rps.toFixed(0)} req/s p99 ${instrumentedFigures.p99.toFixed(2)} ms; ` +
        `paired ratios: req/s ${result.rpsRatio.toFixed(3)} (target >= 0.9), p99 ${result.p99Ratio.toFixed(3)} ` +
        `(target <= 1.2); ratios of medians ${result.ratioOfMedians.rps.toFixed(3)}, ${result.ratioOfMedians.p99.toFixed(3)}; ` +
        `server CPU per request ${plainFigures.cpuUsPerRequest?.toFixed(1)} vs ` +
        `${instrumentedFigures.cpuUsPerRequest?.toFixed(1)} us; nothing sampled (Sampled=0 from the caller): ` +
        `req/s ${result.unsampledRpsRatio.toFixed(3)} of plain sent the same header, ` +
        `${result.unsampled.cpuUsPerRequest?.toFixed(1)} vs ${result.plainWithHeader.cpuUsPerRequest?.toFixed(1)} us CPU/req`,
    );
    log(
      `bench: otel ${result.otel.rps.toFixed(0)} req/s p99 ${result.otel.p99.toFixed(2)} ms ` +
        `${result.otel.cpuUsPerRequest?.toFixed(1)} us CPU/req; paired ratios: req/s ${result.otelRpsRatio.toFixed(3)} ` +
        `(target >= 0.9), p99 ${result.otelP99Ratio.toFixed(3)} (target <= 1.2); ${otelExports} OTLP exports; ${proxy.samplingRequests.length} sampling-proxy requests; ` +
        `sampling: ${otelSamplingRule}`,
    );
    log(
      `bench: otel: tracing one request costs ${result.otelCostUs.tracedRequest.toFixed(1)} us of server CPU, ` +
        `a request not traced ${result.otelCostUs.untracedRequest.toFixed(1)} us`,
    );
    const predicted = result.costUs.untracedRequest + result.sampledShare * result.costUs.tracedRequest;
    log(
      `bench: tracing one request costs ${result.costUs.tracedRequest.toFixed(1)} us of server CPU ` +
        `(every request sent Sampled=1: ${tracedSegments} segments for ${tracedRequests} requests), ` +
        `a request not traced ${result.costUs.untracedRequest.toFixed(1)} us; at ${(result.sampledShare * 100).toFixed(2)}% ` +
        `sampled that predicts +${predicted.toFixed(1)} us per request, measured ` +
        `+${((instrumentedFigures.cpuUsPerRequest ?? NaN) - (plainFigures.cpuUsPerRequest ?? NaN)).toFixed(1)} us`,
    );
    log(
      `bench: ${measuredSegments} segments for ${instrumentedRequests} instrumented requests ` +
        `(${(result.sampledShare * 100).toFixed(2)}% sampled; rules: ${SAMPLING_RULES}); ${connections} connections, ` +
        `${durationSec} s per server per round, servers on Node ${nodeVersion}; ${placement.description}`,
    );
    return result;
  } finally {
    await Promise.all([stopServer(plain), stopServer(instrumented), stopServer(otel)]);
    udp.close();
    await proxy?.close();
    sink?.server.closeAllConnections();
    sink?.server.close();
    if (opts.keep) log(`bench: kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const option = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const value = (flag: string) => {
    const raw = option(flag);
    return raw === undefined ? undefined : Number(raw);
  };
  const deadline = setTimeout(() => {
    console.error('bench: gave up after 20 minutes');
    process.exit(2);
  }, 20 * 60_000);
  deadline.unref();
  benchBackend({
    rounds: value('--rounds'),
    durationSec: value('--duration'),
    node: option('--node'),
    keep: argv.includes('--keep'),
  })
    .then((r) => {
      const met = (rps: number, p99: number) => (rps >= 0.9 && p99 <= 1.2 ? 'met' : 'NOT met');
      console.log(
        `bench: target xray ${met(r.rpsRatio, r.p99Ratio)}, otel ${met(r.otelRpsRatio, r.otelP99Ratio)}`,
      );
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    });
}
