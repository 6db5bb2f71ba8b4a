// npm run bench: start-up time and peak memory of the bin's commands, as
// differences from the `node -e 0` floor measured in the same run with
// alternating repetitions, plus `yo cruddur-observability` beside `yo code`,
// plus the generated backend's cost of instrumentation, plus cold `npx` of
// the published packages from a local registry beside create-vite's
// (bench/registry.ts). Prints the figures and records them in
// bench/results.md. Nothing here is asserted in tests.
//
//   npm run bench [-- --no-yo] [-- --no-backend] [-- --no-registry]
//   npm run bench -- registry (the registry series alone)
//   BENCH_REGISTRY_ROUNDS=N (cold npx rounds, default 5)
//   BENCH_REPS=N (CLI repetitions, default 11)
//   BENCH_NODE=/path/to/node (runs the backend bench's servers on that Node)
//   BENCH_ROUNDS=N, BENCH_DURATION=S (backend bench rounds and seconds per series; default 7 and 5)
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './stats.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'packages/cruddur-observability/bin.js');
const YO = join(ROOT, 'node_modules/.bin/yo');
const TIME = '/usr/bin/time';
const args = new Set(process.argv.slice(2));
const REPS = Number(process.env.BENCH_REPS ?? 11);
const REGISTRY_ROUNDS = Number(process.env.BENCH_REGISTRY_ROUNDS ?? 5);
const onlyRegistry = args.has('registry');
/** The CLI, yo and backend series; `registry` runs the registry series alone. */
const cliSeries = !onlyRegistry;

interface Row {
  name: string;
  /** Target above the floor, ms; undefined: compared otherwise. */
  targetMs?: number;
  targetMiB?: number;
  /** Prepares a fresh state for one repetition and returns the command. */
  command: (rep: number) => { argv: string[]; cwd: string; env?: Record<string, string> };
  ms: number[];
  kib: number[];
}

const work = mkdtempSync(join(tmpdir(), 'cruddur-bench-'));
chmodSync(work, 0o777);
const benchEnv = { PATH: process.env.PATH ?? '', HOME: work, AWS_EC2_METADATA_DISABLED: 'true' };

// A workspace for `config` (nothing changed) and a home for yo, which drops
// root to `nobody` and needs somewhere writable.
if (cliSeries) {
  spawnSync(process.execPath, [BIN, join(work, 'configured'), '--yes', '--skip-install', '--skip-hooks'], {
    env: benchEnv,
  });
}

function row(name: string, command: Row['command'], targetMs?: number, targetMiB?: number): Row {
  return { name, command, targetMs, targetMiB, ms: [], kib: [] };
}

const rows: Row[] = cliSeries
  ? [
      row('node -e 0 (floor)', () => ({ argv: [process.execPath, '-e', '0'], cwd: work })),
      row(
        'cruddur-observability --help',
        () => ({ argv: [process.execPath, BIN, '--help'], cwd: work }),
        60,
        60,
      ),
      row(
        'cruddur-observability --version',
        () => ({ argv: [process.execPath, BIN, '--version'], cwd: work }),
        60,
        60,
      ),
      row(
        'cruddur-observability app <dir> --yes --skip-install --skip-hooks',
        (rep) => ({
          argv: [
            process.execPath,
            BIN,
            'app',
            join(work, `app-${rep}`),
            '--yes',
            '--skip-install',
            '--skip-hooks',
          ],
          cwd: work,
        }),
        150,
        80,
      ),
      row(
        'cruddur-observability config --yes (nothing changed)',
        () => ({ argv: [process.execPath, BIN, 'config', '--yes'], cwd: join(work, 'configured') }),
        150,
        80,
      ),
    ]
  : [];

const withYo = cliSeries && existsSync(YO) && !args.has('--no-yo');
if (withYo) {
  const yoDir = (rep: number, what: string) => {
    const dir = join(work, `yo-${what}-${rep}`);
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o777);
    return dir;
  };
  rows.push(
    row('yo cruddur-observability (through yo)', (rep) => ({
      argv: [
        YO,
        join(ROOT, 'packages/generator-cruddur-observability/generators/app/index.js'),
        'ws',
        '--yes',
        '--skip-install',
        '--skip-hooks',
      ],
      cwd: yoDir(rep, 'ours'),
    })),
    row('yo code (generator-code, TypeScript, no install)', (rep) => ({
      argv: [
        YO,
        'code',
        'ext',
        '--quick',
        '-t',
        'ts',
        '--extensionDisplayName',
        'ext',
        '--extensionId',
        'ext',
        '--extensionDescription',
        'bench',
        '--pkgManager',
        'npm',
        '--bundler',
        'unbundled',
        '--gitInit=false',
        '--skip-install',
      ],
      cwd: yoDir(rep, 'code'),
    })),
  );
}

const haveTime = existsSync(TIME);

function measure(r: Row, rep: number): void {
  const { argv, cwd, env } = r.command(rep);
  const memFile = join(work, 'mem.txt');
  const full = haveTime ? [TIME, '-f', '%M', '-o', memFile, ...argv] : argv;
  const start = process.hrtime.bigint();
  const res = spawnSync(full[0]!, full.slice(1), {
    cwd,
    env: { ...benchEnv, ...env },
    stdio: 'ignore',
    timeout: 120_000,
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (res.status !== 0) throw new Error(`${r.name} exited ${res.status} (${argv.join(' ')})`);
  r.ms.push(ms);
  if (haveTime) r.kib.push(Number(readFileSync(memFile, 'utf8').trim().split('\n').pop()));
}

if (rows.length) {
  console.log(
    `${REPS} alternating repetitions of ${rows.length} commands${haveTime ? '' : ' (no /usr/bin/time: memory not measured)'}...`,
  );
}
for (let rep = 0; rep < REPS; rep++) for (const r of rows) measure(r, rep);

const floor = rows.length ? median(rows[0]!.ms) : NaN;
const lines: string[] = rows.length
  ? [
      '| command | median | above floor | target | peak memory | target | verdict |',
      '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
    ]
  : [];
for (const r of rows) {
  const med = median(r.ms);
  const above = med - floor;
  const mib = r.kib.length ? median(r.kib) / 1024 : NaN;
  const timeOk = r.targetMs === undefined || above <= r.targetMs;
  const memOk = r.targetMiB === undefined || Number.isNaN(mib) || mib <= r.targetMiB;
  const verdict = r.targetMs === undefined ? '' : timeOk && memOk ? 'met' : 'NOT met';
  lines.push(
    `| \`${r.name}\` | ${med.toFixed(0)} ms | ${r === rows[0] ? '' : `${above >= 0 ? '+' : ''}${above.toFixed(0)} ms`} | ${
      r.targetMs === undefined ? '' : `≤ ${r.targetMs} ms`
    } | ${Number.isNaN(mib) ? 'n/a' : `${mib.toFixed(0)} MiB`} | ${r.targetMiB === undefined ? '' : `≤ ${r.targetMiB} MiB`} | ${verdict} |`,
  );
}
if (withYo) {
  const ours = median(rows.find((r) => r.name.startsWith('yo cruddur'))!.ms);
  const code = median(rows.find((r) => r.name.startsWith('yo code'))!.ms);
  lines.push(
    '',
    `yo cruddur-observability / yo code: ${(ours / code).toFixed(2)}× the time (target ≤ 1.00×: ${ours <= code ? 'met' : 'NOT met'})`,
  );
}

if (cliSeries && !args.has('--no-backend')) {
  const { benchBackend } = await import('./backend.js');
  const number = (raw: string | undefined) => (raw === undefined ? undefined : Number(raw));
  const b = await benchBackend({
    node: process.env.BENCH_NODE,
    rounds: number(process.env.BENCH_ROUNDS),
    durationSec: number(process.env.BENCH_DURATION),
  });
  const cpu = (f: { cpuUsPerRequest?: number }) =>
    f.cpuUsPerRequest === undefined || Number.isNaN(f.cpuUsPerRequest)
      ? 'n/a'
      : `${f.cpuUsPerRequest.toFixed(0)} µs`;
  lines.push(
    '',
    `Generated backend, GET /api/activities/home, instrumented (xray) and otel vs plain Express (${b.rounds} alternating rounds of ${b.durationSec} s per series, ` +
      `${b.connections} connections, medians; ` +
      `servers on Node ${b.node}, ${b.placement}; ${(b.sampledShare * 100).toFixed(1)}% of requests sampled):`,
    '',
    '| server | requests/s | p99 | server CPU per request |',
    '| --- | ---: | ---: | ---: |',
    `| plain Express | ${b.plain.rps.toFixed(0)} | ${b.plain.p99.toFixed(2)} ms | ${cpu(b.plain)} |`,
    `| instrumented | ${b.instrumented.rps.toFixed(0)} | ${b.instrumented.p99.toFixed(2)} ms | ${cpu(b.instrumented)} |`,
    `| plain Express, sent \`Sampled=0\` | ${b.plainWithHeader.rps.toFixed(0)} | ${b.plainWithHeader.p99.toFixed(2)} ms | ${cpu(b.plainWithHeader)} |`,
    `| instrumented, sent \`Sampled=0\` (nothing traced) | ${b.unsampled.rps.toFixed(0)} (${b.unsampledRpsRatio.toFixed(2)}× the line above) | ${b.unsampled.p99.toFixed(2)} ms | ${cpu(b.unsampled)} |`,
    `| instrumented, sent \`Sampled=1\` (every request traced) | ${b.traced.rps.toFixed(0)} | ${b.traced.p99.toFixed(2)} ms | ${cpu(b.traced)} |`,
    `| otel (\`--tracing otel\`, ${b.otelSamplingRule}) | ${b.otel.rps.toFixed(0)} | ${b.otel.p99.toFixed(2)} ms | ${cpu(b.otel)} |`,
    `| otel, sent \`Sampled=0\` (nothing traced) | ${b.otelUnsampled.rps.toFixed(0)} | ${b.otelUnsampled.p99.toFixed(2)} ms | ${cpu(b.otelUnsampled)} |`,
    `| otel, sent \`Sampled=1\` (every request traced) | ${b.otelTraced.rps.toFixed(0)} | ${b.otelTraced.p99.toFixed(2)} ms | ${cpu(b.otelTraced)} |`,
    `| ratio, instrumented (xray) | ${b.rpsRatio.toFixed(2)}× (target ≥ 0.90×) | ${b.p99Ratio.toFixed(2)}× (target ≤ 1.20×) | |`,
    `| ratio, otel | ${b.otelRpsRatio.toFixed(2)}× (target ≥ 0.90×) | ${b.otelP99Ratio.toFixed(2)}× (target ≤ 1.20×) | |`,
    '',
    `Server CPU (medians of per-round differences): tracing one request ${b.costUs.tracedRequest.toFixed(0)} µs ` +
      `(\`Sampled=1\` − \`Sampled=0\`), a request not traced ${b.costUs.untracedRequest.toFixed(1)} µs ` +
      `(\`Sampled=0\` − plain Express sent the same header); otel: ${b.otelCostUs.tracedRequest.toFixed(0)} µs and ` +
      `${b.otelCostUs.untracedRequest.toFixed(1)} µs. The share of a route's time that tracing ` +
      `takes is about (untraced + sampled share × traced) / the route's own CPU per request.`,
    '',
    `In process (the generated traced() and route driven without HTTP; steadier than the server series): ` +
      `tracing one request adds ${b.inProcess.tracedUs.toFixed(1)} µs, a request not traced ` +
      `${b.inProcess.untracedUs.toFixed(2)} µs, to the ${b.inProcess.baselineUs.toFixed(1)} µs of the handler called directly. ` +
      `The same trace made with the SDK's API alone (segment with HTTP data, subsegment with annotation and metadata, ` +
      `closed and sent) adds ${b.inProcess.sdkFloorUs.toFixed(1)} µs: the SDK's floor for this trace.`,
    '',
    `In process, otel: tracing one request adds ${b.otelInProcess.tracedUs.toFixed(1)} µs, a request not traced ` +
      `${b.otelInProcess.untracedUs.toFixed(2)} µs, a request without a trace header, decided by the generated rule, ` +
      `${b.otelInProcess.byRuleUs?.toFixed(2)} µs on average, to the ${b.otelInProcess.baselineUs.toFixed(1)} µs of the handler. ` +
      `The same two spans made with the OpenTelemetry API alone on a provider set up as the template's add ` +
      `${b.otelInProcess.sdkFloorUs.toFixed(1)} µs.`,
  );
}

if (!args.has('--no-registry')) {
  const { benchRegistry, registryLines } = await import('./registry.js');
  console.log(`${REGISTRY_ROUNDS} alternating rounds of cold npx against a local registry...`);
  if (lines.length) lines.push('');
  lines.push(...registryLines(await benchRegistry({ rounds: REGISTRY_ROUNDS, bin: BIN })));
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
const report = [
  `## ${new Date().toISOString().slice(0, 10)} — ${machine}${onlyRegistry ? ' — distribution (`npm run bench -- registry`)' : ''}`,
  '',
  ...lines,
  '',
].join('\n');
console.log('\n' + report);

const results = join(ROOT, 'bench/results.md');
const header =
  '# Benchmark results\n\nAppended by `npm run bench`; newest last. Compare rows across dates to see a regression.\n\n';
const previous = existsSync(results) ? readFileSync(results, 'utf8') : header;
writeFileSync(results, previous + report + '\n');
rmSync(work, { recursive: true, force: true });
