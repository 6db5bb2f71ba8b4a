// End to end: the built bin's `traces` against the generated backend (really
// installed, built and started) and against hand-sent datagrams and OTLP
// JSON. Every daemon listens on 127.0.0.1 with a free port (`:0`), read back
// from its start-up line; every wait has a deadline.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SERVICE_ANNOTATION, samplingRule } from '../src/answers/names.js';
import helpers from 'yeoman-test';
import { BIN, cleanEnv, generatorPath, runBin, runYeoman } from './support/cli.js';
import {
  defaultAnswers,
  httpGet,
  killAllBackends,
  npm,
  startBackend,
  waitFor,
  writeWorkspace,
  type BackendProcess,
} from './support/backend.js';

const answers = defaultAnswers();
const SERVICE = answers.serviceName;
const RULE = samplingRule(answers).SamplingRule;
let workspace = '';
let backendDir = '';

interface TraceLine {
  trace_id: string;
  duration: number;
  segments: Array<Record<string, unknown> & { subsegments?: Array<Record<string, unknown>> }>;
}

interface TracesProcess {
  child: ChildProcess;
  port: number;
  otlpPort: number | undefined;
  stdout(): string;
  stderr(): string;
  /** The --json lines so far. */
  traces(): TraceLine[];
  exited: Promise<number | string>;
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

const running = new Set<ChildProcess>();

async function startTraces(cwd: string, args: string[] = []): Promise<TracesProcess> {
  const child = spawn(
    process.execPath,
    [BIN, 'traces', '--listen', '127.0.0.1:0', '--otlp', '127.0.0.1:0', ...args],
    { cwd, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.add(child);
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve(code ?? signal ?? 'unknown');
    }),
  );
  const ports = await waitFor(() => {
    const m = /segments on udp 127\.0\.0\.1:(\d+)/.exec(err);
    const o = /OTLP\/HTTP JSON on http:\/\/127\.0\.0\.1:(\d+)\/v1\/traces/.exec(err);
    return m ? { port: Number(m[1]), otlpPort: o ? Number(o[1]) : undefined } : undefined;
  }, `traces to listen (stderr so far: ${err})`);
  return {
    child,
    ...ports,
    stdout: () => out,
    stderr: () => err,
    traces: () =>
      out
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as TraceLine),
    exited,
    async stop(signal = 'SIGINT') {
      child.kill(signal);
      const timeout = new Promise<string>((resolve) => setTimeout(resolve, 10_000, 'timeout').unref());
      const code = await Promise.race([exited, timeout]);
      if (code === 'timeout') child.kill('SIGKILL');
      return code;
    },
  };
}

let counter = 0;
function freshTraceId(): string {
  const time = Math.floor(Date.now() / 1000).toString(16);
  return `1-${time}-${`${process.pid.toString(16)}f${(++counter).toString(16)}`.padStart(24, '0').slice(-24)}`;
}

function hexId(n: number): string {
  return n.toString(16).padStart(16, '0');
}

async function send(port: number, ...payloads: Array<Buffer | string | object>): Promise<void> {
  const socket = createSocket('udp4');
  try {
    for (const p of payloads) {
      const raw = Buffer.isBuffer(p)
        ? p
        : Buffer.from(typeof p === 'string' ? p : `{"format":"json","version":1}\n${JSON.stringify(p)}`);
      await new Promise<void>((resolve, reject) =>
        socket.send(raw, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())),
      );
    }
  } finally {
    socket.close();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function traceOf(t: TracesProcess, traceId: string, what = traceId): Promise<TraceLine> {
  return waitFor(() => t.traces().find((l) => l.trace_id === traceId), `the trace of ${what}`);
}

function backendEnv(daemonPort: number): Record<string, string> {
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemonPort}`,
    AWS_XRAY_URL: '',
  };
}

/** A workspace root with only aws/json/x-ray.json, holding `rule`. */
function ruleDir(rule: typeof RULE): string {
  const dir = mkdtempSync(join(tmpdir(), 'cruddur-traces-rule-'));
  mkdirSync(join(dir, 'aws/json'), { recursive: true });
  writeFileSync(join(dir, 'aws/json/x-ray.json'), JSON.stringify({ SamplingRule: rule }, null, 2));
  return dir;
}

const dirs: string[] = [];
before(
  async () => {
    workspace = mkdtempSync(join(tmpdir(), 'cruddur-traces-e2e-'));
    writeWorkspace(workspace, answers, 'local');
    backendDir = join(workspace, SERVICE);
    await npm(['install', '--no-audit', '--no-fund', '--prefer-offline'], backendDir, 300_000);
    await npm(['run', 'build'], backendDir, 180_000);
  },
  { timeout: 600_000 },
);

after(() => {
  killAllBackends();
  for (const child of running) child.kill('SIGKILL');
  for (const dir of [workspace, ...dirs]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('traces --json with the generated backend', () => {
  let traces: TracesProcess;
  let backend: BackendProcess;
  before(async () => {
    traces = await startTraces(workspace, ['--json']);
    backend = await startBackend(backendDir, backendEnv(traces.port));
  });
  after(async () => {
    await backend?.stop();
    await traces?.stop();
  });

  test('GET /api/activities/home: the segment, its HTTP data and annotation, the mock-data subsegment with its annotation and metadata', async () => {
    const traceId = freshTraceId();
    const res = await httpGet(backend.port, '/api/activities/home', {
      'x-amzn-trace-id': `Root=${traceId};Sampled=1`,
    });
    assert.equal(res.status, 200);
    const activities = JSON.parse(res.body) as unknown[];
    const line = await traceOf(traces, traceId, 'GET /api/activities/home');
    assert.deepEqual(Object.keys(line), ['trace_id', 'duration', 'segments']);
    assert.equal(line.segments.length, 1);
    const [segment] = line.segments as [TraceLine['segments'][number]];
    assert.equal(segment.name, SERVICE);
    assert.equal(segment.trace_id, traceId);
    const http = segment.http as { request: Record<string, unknown>; response: Record<string, unknown> };
    assert.equal(http.request.method, 'GET');
    assert.match(String(http.request.url), /^http:\/\/127\.0\.0\.1:\d+\/api\/activities\/home$/);
    assert.equal(http.response.status, 200);
    assert.deepEqual(segment.annotations, { [SERVICE_ANNOTATION]: SERVICE });
    assert.equal(segment.subsegments?.length, 1);
    const mock = segment.subsegments![0]!;
    assert.equal(mock.name, 'mock-data');
    assert.deepEqual(mock.annotations, { activities_count: activities.length });
    assert.equal(
      (mock.metadata as { cruddur: { query: { results_size: number } } }).cruddur.query.results_size,
      activities.length,
    );
    const start = Number(segment.start_time);
    const end = Number(segment.end_time);
    assert.ok(
      Math.abs(line.duration - (end - start)) < 1e-5,
      `duration ${line.duration} is end - start in seconds`,
    );
    assert.ok(line.duration > 0 && line.duration < 5);
    assert.doesNotMatch(traces.stdout(), /traces:/, 'stdout carries only the JSON lines');
  });

  test('the sampling proxy serves the workspace rule and Default to the backend', async () => {
    // The SDK fetches the rules on its first sampling decision.
    assert.equal((await httpGet(backend.port, '/api/health')).status, 200);
    await waitFor(() => /sampling rules sent to/.test(traces.stderr()), 'the backend to fetch the rules');
    assert.match(
      traces.stderr(),
      new RegExp(`sampling rules sent to 127\\.0\\.0\\.1:\\d+ \\(${RULE.RuleName}, Default\\)`),
    );
  });
});

describe('sampling by the workspace rule (reservoir 0)', () => {
  for (const [rate, expected] of [
    [0, 0],
    [1, 1],
  ] as const) {
    test(`FixedRate ${rate}: ${expected ? 'every request is traced' : 'no request is traced'}`, async () => {
      const dir = ruleDir({ ...RULE, ReservoirSize: 0, FixedRate: rate });
      dirs.push(dir);
      const traces = await startTraces(dir, ['--json']);
      const backend = await startBackend(backendDir, backendEnv(traces.port));
      try {
        // The SDK fetches the rules on its first decision, and samples by
        // its local default until it has them.
        assert.equal((await httpGet(backend.port, '/api/health')).status, 200);
        await waitFor(() => /sampling rules sent to/.test(traces.stderr()), 'the backend to fetch the rules');
        await sleep(300);
        const ids: string[] = [];
        for (let i = 0; i < 10; i++) {
          const traceId = freshTraceId();
          ids.push(traceId);
          const res = await httpGet(backend.port, '/api/activities/home', {
            'x-amzn-trace-id': `Root=${traceId};Sampled=?`,
          });
          assert.equal(res.status, 200);
          assert.equal(res.headers['x-amzn-trace-id'], `Root=${traceId};Sampled=${expected}`);
        }
        if (expected) {
          for (const id of ids) await traceOf(traces, id);
        } else {
          await sleep(1_500);
        }
        assert.equal(traces.traces().filter((l) => ids.includes(l.trace_id)).length, expected ? 10 : 0);
      } finally {
        await backend.stop();
        await traces.stop();
      }
    });
  }
});

describe('traces --json with hand-sent datagrams', () => {
  let traces: TracesProcess;
  before(async () => {
    traces = await startTraces(workspace, ['--json']);
  });
  after(async () => {
    await traces?.stop();
  });

  test('an in-progress segment and a subsegment sent on its own wait for the completed segment, then come out as one trace', async () => {
    const traceId = freshTraceId();
    const now = Date.now() / 1000;
    const segment = { name: 'api', id: hexId(1), trace_id: traceId, start_time: now };
    await send(
      traces.port,
      { ...segment, in_progress: true },
      {
        type: 'subsegment',
        name: 'db',
        id: hexId(2),
        parent_id: hexId(1),
        trace_id: traceId,
        start_time: now + 0.001,
        end_time: now + 0.002,
      },
    );
    await sleep(1_200);
    assert.equal(traces.traces().filter((l) => l.trace_id === traceId).length, 0, 'not while in progress');
    await send(traces.port, { ...segment, end_time: now + 0.01 });
    const line = await traceOf(traces, traceId);
    assert.equal(line.segments.length, 1);
    assert.equal(
      line.segments[0]!.in_progress,
      undefined,
      'the completed version replaced the in-progress one',
    );
    assert.deepEqual(
      line.segments[0]!.subsegments?.map((s) => s.name),
      ['db'],
    );
    assert.equal(line.duration, 0.01);
  });

  test('malformed datagrams are counted and reported, and the daemon keeps going', async () => {
    await send(
      traces.port,
      Buffer.from('no header here'),
      '{"format":"json","version":1}\n{not json',
      '{"format":"json","version":1}\n{"name":"x","id":"1","trace_id":"nope","start_time":1}',
    );
    const traceId = freshTraceId();
    const now = Date.now() / 1000;
    await send(traces.port, {
      name: 'after',
      id: hexId(3),
      trace_id: traceId,
      start_time: now,
      end_time: now + 0.001,
    });
    await traceOf(traces, traceId);
    assert.match(traces.stderr(), /malformed datagram from 127\.0\.0\.1:\d+ \(14 bytes\): no header line/);
  });

  test('OTLP/HTTP JSON: a SERVER span and its child are drawn as a segment and subsegment', async () => {
    const traceHex = `${Math.floor(Date.now() / 1000).toString(16)}${'ab'.repeat(12)}`;
    const ns = (s: number) => String(BigInt(Math.round(s * 1e6)) * 1000n);
    const now = Date.now() / 1000;
    const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
    const body = {
      resourceSpans: [
        {
          resource: { attributes: [str('service.name', SERVICE)] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: traceHex,
                  spanId: hexId(11),
                  name: 'GET /api/activities/home',
                  kind: 2,
                  startTimeUnixNano: ns(now),
                  endTimeUnixNano: ns(now + 0.004),
                  attributes: [
                    str('http.request.method', 'GET'),
                    str('url.full', 'http://localhost:4567/api/activities/home'),
                    { key: 'http.response.status_code', value: { intValue: '200' } },
                    str(SERVICE_ANNOTATION, SERVICE),
                    {
                      key: 'aws.xray.annotations',
                      value: { arrayValue: { values: [{ stringValue: SERVICE_ANNOTATION }] } },
                    },
                  ],
                },
                {
                  traceId: traceHex,
                  spanId: hexId(12),
                  parentSpanId: hexId(11),
                  name: 'mock-data',
                  kind: 1,
                  startTimeUnixNano: ns(now + 0.001),
                  endTimeUnixNano: ns(now + 0.002),
                  attributes: [{ key: 'activities_count', value: { intValue: '3' } }],
                },
              ],
            },
          ],
        },
      ],
    };
    const res = await fetch(`http://127.0.0.1:${traces.otlpPort}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.equal(res.status, 200);
    const traceId = `1-${traceHex.slice(0, 8)}-${traceHex.slice(8)}`;
    const line = await traceOf(traces, traceId, 'the OTLP spans');
    const [segment] = line.segments;
    assert.equal(segment!.name, SERVICE);
    assert.deepEqual(segment!.annotations, { [SERVICE_ANNOTATION]: SERVICE });
    assert.deepEqual((segment!.http as { response: unknown }).response, { status: 200 });
    assert.equal(segment!.subsegments?.[0]?.name, 'mock-data');
    assert.deepEqual(segment!.subsegments?.[0]?.metadata, { default: { activities_count: 3 } });
    const protobuf = await fetch(`http://127.0.0.1:${traces.otlpPort}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: new Uint8Array([1, 2, 3]),
    });
    assert.equal(protobuf.status, 415);
    assert.match(await protobuf.text(), /OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http\/json/);
  });

  test('SIGINT with a trace still pending: it is printed as incomplete (stderr in --json), the counts, exit 0', async () => {
    const traceId = freshTraceId();
    await send(traces.port, {
      name: 'slow',
      id: hexId(21),
      trace_id: traceId,
      start_time: Date.now() / 1000,
      in_progress: true,
    });
    await sleep(300);
    assert.equal(await traces.stop('SIGINT'), 0);
    const incomplete = traces
      .stderr()
      .split('\n')
      .find((l) => l.includes(traceId));
    assert.ok(incomplete, traces.stderr());
    const json = JSON.parse(incomplete.replace(/^traces: incomplete /, '')) as {
      incomplete: string;
      segments: unknown[];
    };
    assert.equal(json.incomplete, 'slow is in progress');
    assert.equal(json.segments.length, 1);
    assert.ok(!traces.stdout().includes(traceId), 'stdout carries only completed traces');
    assert.match(traces.stderr(), /; 3 malformed datagrams$/m, 'the malformed datagrams counted');
  });
});

describe('traces without --json, and its errors', () => {
  test('a waterfall on stdout, without ANSI colour when stdout is not a TTY', async () => {
    const traces = await startTraces(workspace);
    try {
      const traceId = freshTraceId();
      const now = Date.now() / 1000;
      await send(traces.port, {
        name: SERVICE,
        id: hexId(31),
        trace_id: traceId,
        start_time: now,
        end_time: now + 0.02,
        http: { request: { method: 'GET', url: 'http://localhost:4567/api/x' }, response: { status: 500 } },
        fault: true,
        cause: { exceptions: [{ type: 'Error', message: 'kaboom' }] },
        subsegments: [{ name: 'mock-data', id: hexId(32), start_time: now + 0.005, end_time: now + 0.006 }],
      });
      const text = await waitFor(() => traces.stdout().includes(traceId) && traces.stdout(), 'the waterfall');
      await sleep(100);
      const lines = traces.stdout().trimEnd().split('\n');
      assert.match(lines[0]!, new RegExp(`^trace ${traceId} {2}20\\.0ms {2}2 segments$`));
      assert.match(lines[1]!, /^backend-express +\+0µs +20\.0ms \|█+\| .*FAULT: Error: kaboom$/);
      assert.match(lines[2]!, /^ {2}mock-data +\+5\.00ms +1\.00ms \| +█+ +\|$/);
      assert.ok(!text.includes('\u001b['), 'no ANSI codes');
    } finally {
      await traces.stop('SIGTERM');
    }
  });

  test('a port in use, or a bad --listen: one line, exit 2', async () => {
    const first = await startTraces(workspace, ['--json']);
    try {
      const busy = runBin(['traces', '--listen', `127.0.0.1:${first.port}`], { cwd: workspace });
      assert.equal(busy.status, 2);
      assert.equal(busy.stdout, '');
      assert.match(
        busy.stderr,
        new RegExp(
          `^cruddur-observability: traces: --listen 127\\.0\\.0\\.1:${first.port} \\(UDP\\) is in use .*\\n$`,
        ),
      );
    } finally {
      await first.stop();
    }
    for (const bad of ['127.0.0.1', '127.0.0.1:99999', 'not a host:2000']) {
      const r = runBin(['traces', '--listen', bad], { cwd: workspace });
      assert.equal(r.status, 2, bad);
      assert.match(r.stderr, /^cruddur-observability: --listen ".*" is not <host:port> .*\n$/, bad);
    }
  });
});

test('yo cruddur-observability:traces: the same command through Yeoman, its flags checked, stopped by SIGINT', async () => {
  const generator = generatorPath('traces');
  const options = (o: Record<string, unknown>) => o;
  const bad = runYeoman('traces', ['--listen', 'nope'], { cwd: workspace });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^cruddur-observability: --listen "nope" is not <host:port> .*\n$/);
  const listeners = process.listenerCount('SIGINT');
  // Awaiting (then) is what starts a yeoman-test run.
  const run = Promise.resolve(
    helpers.run(generator).withOptions(options({ listen: '127.0.0.1:0', otlp: '127.0.0.1:0', json: true })),
  );
  // In-process: the generator is waiting for SIGINT once it listens for it.
  await waitFor(() => process.listenerCount('SIGINT') > listeners, 'the generator to wait for SIGINT');
  await sleep(500);
  process.emit('SIGINT');
  await run;
  assert.equal(process.listenerCount('SIGINT'), listeners, 'its signal handlers are removed');
  assert.equal(process.exitCode ?? 0, 0);
});
