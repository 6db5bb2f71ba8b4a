// `doctor` end to end: a workspace made by the bin, its backend really
// installed, built and running, the X-Ray daemon stand-in forwarding what it
// receives into the X-Ray API stand-in (PutTraceSegments, as the real daemon
// does), the Rollbar stand-in. Each broken link is made for real and doctor
// must name it, exit as the contract says, and make no write call.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe } from 'node:test';
import { groupFilterExpression } from '../src/answers/names.js';
import { parseInvocation } from '../src/cli/args.js';
import type { Io } from '../src/cli/io.js';
import { runDoctor } from '../src/doctor/command.js';
import { CHECK_IDS } from '../src/doctor/report.js';
import { startRollbarFake, type RollbarFake } from './fakes/rollbar-api.js';
import { startXRayFake, type XRayFake } from './fakes/xray-api.js';
import { startXrayDaemonFake, type XrayDaemonFake } from './fakes/xray-daemon.js';
import { killAllBackends, npm, startBackend, type BackendProcess } from './support/backend.js';
import { cleanEnv, runBin, tempDir } from './support/cli.js';
import { needingSpecs } from './support/specs.js';

const { test, before, after } = needingSpecs('doctor (needs the X-Ray Smithy model for the X-Ray stand-in)');
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const KEY = 'AKIADOCTORTEST000001';
const SECRET = 'doctor-test-secret-canary';
const DAEMON_KEY = 'AKIADAEMONTEST000001';
const DAEMON_SECRET = 'daemon-test-secret';
const TOKEN = 'doctorrollbartoken0123456789abcd';
const SERVICE = 'backend-express';
const GROUP = 'Ws';
const WRITE_OPS = /^(Create|Update|Delete|Put|Tag|Untag)/;

let dir = '';
let xray: XRayFake;
let daemon: XrayDaemonFake;
let dropping: XrayDaemonFake;
let rollbar: RollbarFake;
let backend: BackendProcess;
let blind: BackendProcess;

function doctorEnv(over: Record<string, string | undefined> = {}): Record<string, string> {
  const all: Record<string, string | undefined> = {
    ...cleanEnv(),
    AWS_ACCESS_KEY_ID: KEY,
    AWS_SECRET_ACCESS_KEY: SECRET,
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_XRAY: xray.endpoint,
    AWS_CONFIG_FILE: join(dir, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-aws-credentials'),
    ROLLBAR_ACCESS_TOKEN: TOKEN,
    ROLLBAR_ENDPOINT: rollbar.baseUrl,
    ...over,
  };
  return Object.fromEntries(Object.entries(all).filter((e): e is [string, string] => e[1] !== undefined));
}

interface Run {
  code: number;
  out: string[];
  err: string[];
  /** The first line of each check, by id. */
  line: (id: string) => string;
  /** X-Ray calls doctor made (signed with its key), by operation. */
  ops: string[];
}

async function doctor(args: string[], env = doctorEnv()): Promise<Run> {
  const before = xray.calls.length;
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { cwd: dir, env, out: (l) => out.push(l), err: (l) => err.push(l), interactive: false };
  const code = await runDoctor(parseInvocation(['doctor', ...args]), io, {
    pollMs: { first: 50, max: 200 },
    // budgetMs covers the attempts too (setup's deadlines): room for a slow first call under load.
    retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20, budgetMs: 10_000 },
  });
  const ops = xray.calls
    .slice(before)
    .filter((c) => c.accessKeyId === KEY)
    .map((c) => c.op);
  return {
    code,
    out,
    err,
    ops,
    line: (id) => out.find((l) => l.split(':')[0]!.split(' ')[1] === id) ?? `(no ${id} line)`,
  };
}

function assertReadOnly(run: Run): void {
  const writes = run.ops.filter((op) => WRITE_OPS.test(op));
  assert.deepEqual(writes, [], 'doctor made no write call');
  const all = run.out.join('\n') + run.err.join('\n');
  for (const secret of [SECRET, TOKEN]) assert.ok(!all.includes(secret), 'no secret value in the output');
}

/** Edits a workspace file for one test and restores it after. */
async function withEdited<T>(path: string, edit: (text: string) => string, fn: () => Promise<T>): Promise<T> {
  const file = join(dir, path);
  const original = readFileSync(file, 'utf8');
  writeFileSync(file, edit(original));
  try {
    return await fn();
  } finally {
    writeFileSync(file, original);
  }
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('doctor', () => {
  before(
    async () => {
      dir = tempDir('cruddur-doctor-');
      const made = runBin(
        ['app', '.', '--yes', '--skip-install', '--skip-hooks', '--group-name', GROUP, '--rule-name', GROUP],
        {
          cwd: dir,
        },
      );
      assert.equal(made.status, 0, made.stderr);
      const rule = JSON.parse(readFileSync(join(dir, 'aws/json/x-ray.json'), 'utf8')).SamplingRule;
      xray = await startXRayFake({
        credentials: { [KEY]: SECRET, [DAEMON_KEY]: DAEMON_SECRET },
        groups: [{ GroupName: GROUP, FilterExpression: groupFilterExpression(SERVICE) }],
        samplingRules: [rule],
      });
      const forwardTo = {
        endpoint: xray.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: DAEMON_KEY, secretAccessKey: DAEMON_SECRET },
      };
      daemon = await startXrayDaemonFake({ samplingRules: [rule], forwardTo });
      dropping = await startXrayDaemonFake({ samplingRules: [rule], forwardTo, dropSegments: true });
      rollbar = await startRollbarFake({ tokens: { [TOKEN]: ['post_server_item'] } });
      const backendDir = join(dir, SERVICE);
      await npm(['install', '--no-audit', '--no-fund', '--prefer-offline'], backendDir, 300_000);
      await npm(['run', 'build'], backendDir, 180_000);
      const env = (daemonAddress: string) => ({
        PATH: process.env.PATH ?? '',
        PORT: '0',
        HOST: '127.0.0.1',
        AWS_XRAY_DAEMON_ADDRESS: daemonAddress,
        ROLLBAR_ENVIRONMENT: 'doctor',
      });
      backend = await startBackend(backendDir, env(daemon.address));
      blind = await startBackend(backendDir, env(dropping.address));
    },
    { timeout: 600_000 },
  );

  after(async () => {
    killAllBackends();
    await daemon?.close();
    await dropping?.close();
    await rollbar?.close();
    await xray?.close();
  });

  const url = () => `http://127.0.0.1:${backend.port}`;

  test('a healthy workspace: every check ok, the probe trace lands in the group, exit 0', async () => {
    const run = await doctor(['--url', url(), '--timeout', '20']);
    assert.equal(run.code, 0, run.out.join('\n'));
    assert.deepEqual(
      run.out.filter((l) => !l.startsWith(' ')).map((l) => l.split(':')[0]),
      CHECK_IDS.map((id) => `ok ${id}`),
      'one line per check, in the contract order',
    );
    assert.match(
      run.line('trace'),
      /^ok trace: probe trace 1-[0-9a-f]{8}-[0-9a-f]{24} landed in X-Ray in \d+\.\d s and is in group "Ws"$/,
    );
    const traceId = /(1-[0-9a-f]{8}-[0-9a-f]{24})/.exec(run.line('trace'))![1]!;
    const docs = xray.state.traces.documentsOf(traceId);
    assert.ok(docs.some((d) => (d.annotations as Record<string, unknown>)?.service_name === SERVICE));
    assert.deepEqual(
      new Set(run.ops),
      new Set(['GetGroups', 'GetSamplingRules', 'BatchGetTraces', 'GetTraceSummaries']),
    );
    assertReadOnly(run);
  });

  test('--json prints exactly one object {ok, checks} on stdout', async () => {
    const run = await doctor(['--url', url(), '--timeout', '20', '--json']);
    assert.equal(run.out.length, 1);
    const report = JSON.parse(run.out[0]!) as {
      ok: boolean;
      checks: Array<{ id: string; status: string; message: string }>;
    };
    assert.equal(report.ok, true);
    assert.deepEqual(
      report.checks.map((c) => c.id),
      [...CHECK_IDS],
    );
    assert.ok(report.checks.every((c) => c.status === 'ok' && c.message.length > 0));
  });

  test('the daemon drops segments: trace fails naming the collector, exit 1', async () => {
    const run = await doctor(['--url', `http://127.0.0.1:${blind.port}`, '--timeout', '2']);
    assert.equal(run.code, 1);
    assert.match(run.line('backend'), /^ok backend:/);
    assert.match(
      run.line('trace'),
      /^fail trace: the backend answered the probe, but no segment of trace 1-\S+ reached X-Ray in us-east-1 within 2 s: xray-daemon is not delivering/,
    );
    assert.ok(
      run.out.some((l) => l.includes('docker compose logs xray-daemon')),
      'the fix is a command',
    );
    assert.ok(dropping.documents().length > 0, 'the backend did send to that daemon');
    assertReadOnly(run);
  });

  test('a group filter that misses: group fails with both filters, the trace lands outside it, exit 1', async () => {
    const group = xray.state.groups.get(GROUP)!;
    const original = group.FilterExpression;
    group.FilterExpression = 'annotation.service_name = "other"';
    try {
      const run = await doctor(['--url', url(), '--timeout', '3']);
      assert.equal(run.code, 1);
      assert.equal(
        run.line('group'),
        `fail group: group "Ws" filters "annotation.service_name = \\"other\\"", not "annotation.service_name = \\"${SERVICE}\\"": the backend's traces miss it`,
      );
      assert.match(
        run.line('trace'),
        new RegExp(
          `^fail trace: probe trace \\S+ landed, but not in group "Ws" .*its segments carry service_name = "${SERVICE}"`,
        ),
      );
      assertReadOnly(run);
    } finally {
      group.FilterExpression = original;
    }
  });

  test('a higher-priority rule that traces nothing shadows the generated one: rule fails naming it, exit 1', async () => {
    const now = Date.now() / 1000;
    xray.state.samplingRules.set('Quiet', {
      SamplingRule: {
        RuleName: 'Quiet',
        RuleARN: 'arn:aws:xray:us-east-1:123456789012:sampling-rule/Quiet',
        ResourceARN: '*',
        Priority: 100,
        FixedRate: 0,
        ReservoirSize: 0,
        ServiceName: 'backend-*',
        ServiceType: '*',
        Host: '*',
        HTTPMethod: 'GET',
        URLPath: '/api/*',
        Version: 1,
        Attributes: {},
      },
      CreatedAt: now,
      ModifiedAt: now,
    });
    try {
      const run = await doctor(['--url', url(), '--timeout', '20']);
      assert.equal(run.code, 1);
      assert.match(
        run.line('rule'),
        /^fail rule: rule "Quiet" \(priority 100, reservoir 0\/s, rate 0\) is evaluated before "Ws" \(priority 9000\) and takes backend-express's GET \/api\/activities\/home .*: it traces none of them$/,
      );
      assertReadOnly(run);
    } finally {
      xray.state.samplingRules.delete('Quiet');
    }
  });

  test('a lower-priority or non-matching rule is not named', async () => {
    const now = Date.now() / 1000;
    const base = {
      ResourceARN: '*',
      FixedRate: 0,
      ReservoirSize: 0,
      ServiceType: '*',
      Host: '*',
      HTTPMethod: '*',
      URLPath: '*',
      Version: 1,
      Attributes: {},
    };
    xray.state.samplingRules.set('Other', {
      SamplingRule: {
        ...base,
        RuleName: 'Other',
        RuleARN: 'arn:x:Other',
        Priority: 10,
        ServiceName: 'payments',
      },
      CreatedAt: now,
      ModifiedAt: now,
    });
    xray.state.samplingRules.set('Later', {
      SamplingRule: { ...base, RuleName: 'Later', RuleARN: 'arn:x:Later', Priority: 9500, ServiceName: '*' },
      CreatedAt: now,
      ModifiedAt: now,
    });
    try {
      const run = await doctor(['--url', url(), '--timeout', '20']);
      assert.match(run.line('rule'), /^ok rule: rule "Ws"/);
      assert.equal(run.code, 0);
    } finally {
      xray.state.samplingRules.delete('Other');
      xray.state.samplingRules.delete('Later');
    }
  });

  test('the backend is down: backend fails naming the URL it tried, trace is skipped, exit 1', async () => {
    const port = await closedPort();
    const run = await doctor(['--url', `http://127.0.0.1:${port}`, '--timeout', '2']);
    assert.equal(run.code, 1);
    assert.match(
      run.line('backend'),
      new RegExp(
        `^fail backend: http://127\\.0\\.0\\.1:${port}/api/health did not answer \\(ECONNREFUSED\\)`,
      ),
    );
    assert.equal(run.line('trace'), 'skip trace: no probe: the backend did not answer (see backend)');
    assert.ok(!run.ops.includes('BatchGetTraces'), 'no probe, no polling');
  });

  test('no AWS credentials: aws fails with where to set them; group, rule and trace are skipped, exit 1', async () => {
    const run = await doctor(
      ['--url', url(), '--timeout', '2'],
      doctorEnv({ AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined }),
    );
    assert.equal(run.code, 1);
    assert.match(
      run.line('aws'),
      /^fail aws: no AWS credentials found \(region us-east-1 from AWS_REGION\)$/,
    );
    assert.ok(run.out.some((l) => l.includes('gp env AWS_ACCESS_KEY_ID=')));
    for (const id of ['group', 'rule'])
      assert.match(run.line(id), new RegExp(`^skip ${id}: X-Ray cannot be asked \\(see aws\\)$`));
    assert.match(run.line('trace'), /^skip trace: no probe: X-Ray cannot be asked/);
    assert.match(run.line('backend'), /^ok backend/, 'the checks that need no AWS still run');
    assert.deepEqual(run.ops, []);
  });

  test('names that disagree between compose and the answers: names fails with both, exit 1', async () => {
    await withEdited(
      'docker-compose.yml',
      (s) => s.replace(`build: ./${SERVICE}`, 'build: ./api'),
      async () => {
        const run = await doctor(['--url', url(), '--timeout', '20']);
        assert.equal(run.code, 1);
        assert.equal(
          run.line('names'),
          `fail names: .yo-rc.json says serviceName "${SERVICE}", but docker-compose.yml builds "${SERVICE}" from "./api", not "./${SERVICE}"`,
        );
        assert.ok(run.out.some((l) => l.trim().startsWith('npx cruddur-observability config')));
      },
    );
    await withEdited(
      'aws/json/x-ray.json',
      (s) => s.replace(`"ServiceName": "${SERVICE}"`, '"ServiceName": "api"'),
      async () => {
        const run = await doctor(['--url', url(), '--timeout', '20']);
        assert.match(run.line('names'), /^fail names: .* aws\/json\/x-ray\.json has ServiceName "api"$/);
      },
    );
  });

  test('a bad Rollbar token: rollbar fails, the token is not printed, exit 1', async () => {
    const bad = 'badrollbartoken00000000000000000';
    const run = await doctor(['--url', url(), '--timeout', '20'], doctorEnv({ ROLLBAR_ACCESS_TOKEN: bad }));
    assert.equal(run.code, 1);
    assert.match(run.line('rollbar'), /^fail rollbar: rejected: /);
    assert.ok(!run.out.join('\n').includes(bad), 'the bad token is not echoed');
  });

  test('a directory that is not a generated workspace: workspace fails, the rest is skipped', async () => {
    const empty = tempDir('cruddur-doctor-empty-');
    const r = runBin(['doctor'], { cwd: empty, env: doctorEnv() });
    assert.equal(r.status, 1);
    const lines = r.stdout.split('\n').filter((l) => l && !l.startsWith(' '));
    assert.match(lines[0]!, /^fail workspace: no \.yo-rc\.json/);
    assert.deepEqual(
      lines.slice(1).map((l) => l.split(':')[0]),
      CHECK_IDS.slice(1).map((id) => `skip ${id}`),
    );
  });

  test('bad flags: one line naming the flag, exit 2, through the bin', () => {
    for (const [args, pattern] of [
      [['--timeout', 'soon'], /--timeout must be a number of seconds/],
      [['--timeout', '0'], /--timeout must be a number of seconds/],
      [['--url', 'ftp://example'], /--url must be the backend's http\(s\) base URL/],
      [['--url', 'http://user:pw@127.0.0.1:1'], /--url must not carry a user or password/],
      [['--bogus'], /Unknown option '--bogus'/],
    ] as const) {
      const r = runBin(['doctor', ...args], { cwd: dir, env: doctorEnv() });
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, pattern);
      assert.ok(!r.stderr.includes('pw@'), 'no userinfo echoed');
    }
  });
});
