// `setup` against local stand-ins: the X-Ray API (test/fakes/xray-api.ts,
// reached by the real SDK through AWS_ENDPOINT_URL_XRAY) and Rollbar
// (test/fakes/rollbar-api.ts, through ROLLBAR_ENDPOINT). Every test builds
// its own environment: isolated HOME and AWS config files, IMDS disabled, so
// nothing reaches AWS, the instance metadata service or the developer's own
// credentials. Only 127.0.0.1.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { UsageError, type Answers } from '../src/answers/table.js';
import { setupSteps, type SetupOptions } from '../src/setup/setup.js';
import { samplingRule } from '../src/answers/names.js';
import { startRollbarFake, type RollbarFake } from './fakes/rollbar-api.js';
import { startXRayFake, type Misbehaviour, type XRayFake, type XRayFakeOptions } from './fakes/xray-api.js';
import { execa } from 'execa';
import { BIN, cleanEnv, runBin, tempDir } from './support/cli.js';
import { needingSpecs } from './support/specs.js';

const SPECS_NEEDED = 'setup against the X-Ray fake';

const ANSWERS: Answers = {
  projectName: 'cruddur',
  serviceName: 'backend-express',
  groupName: 'Cruddur',
  ruleName: 'Cruddur',
  region: 'us-east-1',
  port: 4567,
  samplingRate: 0.1,
  reservoirSize: 5,
  rollbarEnvironment: 'development',
  tracing: 'xray',
};

const KEY = 'AKIDSETUPTEST';
const SECRET = 'setup-test-secret';
const GOOD = 'good-server-token-0123456789abcdef';
const BAD = 'bad-token-fedcba9876543210';
const CLIENT_ONLY = 'client-only-token-5555';
const FAST = { baseDelayMs: 1, maxDelayMs: 4 };

function writeRule(cwd: string, answers: Partial<Answers> = {}): void {
  mkdirSync(join(cwd, 'aws/json'), { recursive: true });
  writeFileSync(
    join(cwd, 'aws/json/x-ray.json'),
    `${JSON.stringify(samplingRule({ ...ANSWERS, ...answers }), null, 2)}\n`,
  );
}

/** An environment with nothing from the developer's machine in it. */
function isolatedEnv(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const home = tempDir('cruddur-setup-home-');
  return {
    HOME: home,
    AWS_CONFIG_FILE: join(home, 'aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
}

interface Harness {
  xray: XRayFake;
  rollbar: RollbarFake;
  cwd: string;
  env: Record<string, string | undefined>;
  run(over?: Partial<SetupOptions>): Promise<{ code: number; lines: string[]; ms: number }>;
}

/**
 * Rollbar stand-in, workspace and environment; X-Ray is left without
 * credentials (its steps skip). The stand-ins close after test `t`.
 */
async function rollbarHarness(
  t: TestContext,
  awsEnv: Record<string, string> = {},
): Promise<Omit<Harness, 'xray'>> {
  const rollbar = await startRollbarFake({
    tokens: { [GOOD]: ['post_server_item', 'post_client_item'], [CLIENT_ONLY]: ['post_client_item'] },
  });
  t.after(() => rollbar.close());
  const cwd = tempDir('cruddur-setup-ws-');
  writeRule(cwd);
  const env = isolatedEnv({ ...awsEnv, ROLLBAR_ENDPOINT: rollbar.baseUrl, ROLLBAR_ACCESS_TOKEN: GOOD });
  return {
    rollbar,
    cwd,
    env,
    async run(over = {}) {
      const lines: string[] = [];
      const t0 = performance.now();
      const code = await setupSteps({
        cwd,
        answers: ANSWERS,
        env,
        strict: false,
        dryRun: false,
        retry: FAST,
        log: (l) => lines.push(l),
        ...over,
      });
      return { code, lines, ms: performance.now() - t0 };
    },
  };
}

/** Both stand-ins, with credentials the X-Ray fake accepts. */
async function harness(t: TestContext, opts: XRayFakeOptions = {}): Promise<Harness> {
  const xray = await startXRayFake({ credentials: { [KEY]: SECRET }, ...opts });
  t.after(() => xray.close());
  const rest = await rollbarHarness(t, {
    AWS_ACCESS_KEY_ID: KEY,
    AWS_SECRET_ACCESS_KEY: SECRET,
    AWS_REGION: xray.region,
    AWS_ENDPOINT_URL_XRAY: xray.endpoint,
  });
  return { ...rest, xray };
}

function line(lines: string[], prefix: string): string {
  const found = lines.find((l) => l.startsWith(prefix));
  assert.ok(found, `no line starting with ${JSON.stringify(prefix)} in:\n${lines.join('\n')}`);
  return found;
}

function noStackTrace(lines: string[]): void {
  const text = lines.join('\n');
  assert.doesNotMatch(text, /^\s+at /m, 'a stack trace was printed');
  assert.doesNotMatch(text, /\.ts:\d+:\d+|node:internal/, 'a stack frame was printed');
}

const FILTER = 'annotation.service_name = "backend-express"';

describe('setup: X-Ray group and sampling rule', () => {
  const { test } = needingSpecs(SPECS_NEEDED);
  test('first run creates the group and the rule and verifies the token', async (t) => {
    const h = await harness(t);
    const { code, lines } = await h.run();
    assert.equal(code, 0);
    assert.equal(line(lines, 'x-ray group Cruddur:'), 'x-ray group Cruddur: created');
    assert.equal(line(lines, 'x-ray sampling rule Cruddur:'), 'x-ray sampling rule Cruddur: created');
    assert.equal(line(lines, 'rollbar token:'), 'rollbar token: verified (post_server_item)');
    assert.match(
      line(lines, 'x-ray:'),
      /region us-east-1 \(AWS_REGION\), endpoint http:\/\/127\.0\.0\.1:\d+/,
    );

    assert.equal(h.xray.state.groups.get('Cruddur')?.FilterExpression, FILTER);
    const rule = h.xray.state.samplingRules.get('Cruddur')?.SamplingRule;
    assert.ok(rule);
    const want = samplingRule(ANSWERS).SamplingRule;
    for (const [k, v] of Object.entries(want)) assert.deepEqual(rule[k as keyof typeof rule], v, k);
    assert.deepEqual(
      h.xray.calls.map((c) => c.op),
      ['GetGroups', 'CreateGroup', 'GetSamplingRules', 'CreateSamplingRule'],
    );
    assert.equal(h.rollbar.deploys.length, 1);
    assert.equal((h.rollbar.deploys[0]!.body as { environment: string }).environment, 'development');
    assert.equal(h.rollbar.items.length, 0, 'the check creates no Rollbar item');
  });

  test('an aws/json/x-ray.json saved with a byte order mark is read as the rule', async (t) => {
    const h = await harness(t);
    const file = join(h.cwd, 'aws/json/x-ray.json');
    writeFileSync(file, '\uFEFF' + readFileSync(file, 'utf8'));
    const { code, lines } = await h.run();
    assert.equal(code, 0, lines.join('\n'));
    assert.equal(line(lines, 'x-ray sampling rule Cruddur:'), 'x-ray sampling rule Cruddur: created');
    assert.equal(h.xray.state.samplingRules.get('Cruddur')?.SamplingRule.ServiceName, ANSWERS.serviceName);
  });

  test('second run only reads', async (t) => {
    const h = await harness(t);
    await h.run();
    const before = h.xray.calls.length;
    const { code, lines } = await h.run();
    assert.equal(code, 0);
    assert.equal(line(lines, 'x-ray group Cruddur:'), 'x-ray group Cruddur: unchanged');
    assert.equal(line(lines, 'x-ray sampling rule Cruddur:'), 'x-ray sampling rule Cruddur: unchanged');
    const second = h.xray.calls.slice(before).map((c) => c.op);
    assert.ok(second.length > 0);
    assert.ok(
      second.every((op) => op === 'GetGroups' || op === 'GetSamplingRules'),
      `second run wrote: ${second.join(', ')}`,
    );
    assert.equal(h.xray.state.groups.size, 2, 'Default + Cruddur');
    assert.equal(h.xray.state.samplingRules.size, 2, 'Default + Cruddur');
  });

  test('a changed rule is updated in one call with only the changed fields', async (t) => {
    const h = await harness(t);
    await h.run();
    writeRule(h.cwd, { samplingRate: 0.2, reservoirSize: 10 });
    const before = h.xray.calls.length;
    const { code, lines } = await h.run();
    assert.equal(code, 0);
    assert.equal(
      line(lines, 'x-ray sampling rule Cruddur:'),
      'x-ray sampling rule Cruddur: updated (FixedRate 0.1 -> 0.2, ReservoirSize 5 -> 10)',
    );
    const writes = h.xray.calls.slice(before).filter((c) => !c.op.startsWith('Get'));
    assert.equal(writes.length, 1);
    assert.equal(writes[0]!.op, 'UpdateSamplingRule');
    assert.deepEqual(writes[0]!.input, {
      SamplingRuleUpdate: { RuleName: 'Cruddur', FixedRate: 0.2, ReservoirSize: 10 },
    });
    const rule = h.xray.state.samplingRules.get('Cruddur')!.SamplingRule;
    assert.equal(rule.FixedRate, 0.2);
    assert.equal(rule.ReservoirSize, 10);
  });

  test("a pre-existing group with another filter (the bootcamp's) is updated", async (t) => {
    const h = await harness(t, {
      groups: [{ GroupName: 'Cruddur', FilterExpression: 'service("backend-flask")' }],
    });
    const { code, lines } = await h.run();
    assert.equal(code, 0);
    assert.equal(
      line(lines, 'x-ray group Cruddur:'),
      `x-ray group Cruddur: updated (FilterExpression ${JSON.stringify('service("backend-flask")')} -> ${JSON.stringify(FILTER)})`,
    );
    assert.deepEqual(
      h.xray.calls.filter((c) => c.op.includes('Group')).map((c) => c.op),
      ['GetGroups', 'UpdateGroup'],
    );
    assert.equal(h.xray.state.groups.get('Cruddur')?.FilterExpression, FILTER);
  });

  test('a group and rule on later pages are found, never duplicated', async (t) => {
    const others = Array.from({ length: 5 }, (_, i) => `Other${i}`);
    const h = await harness(t, {
      pageSize: 2,
      groups: [
        ...others.map((n) => ({ GroupName: n, FilterExpression: 'ok' })),
        { GroupName: 'Cruddur', FilterExpression: FILTER },
      ],
      samplingRules: [
        ...others.map((n) => ({ RuleName: n })),
        { ...samplingRule(ANSWERS).SamplingRule, FixedRate: 0.5 },
      ],
    });
    const { code, lines } = await h.run();
    assert.equal(code, 0);
    assert.equal(line(lines, 'x-ray group Cruddur:'), 'x-ray group Cruddur: unchanged');
    assert.equal(
      line(lines, 'x-ray sampling rule Cruddur:'),
      'x-ray sampling rule Cruddur: updated (FixedRate 0.5 -> 0.1)',
    );
    const ops = h.xray.calls.map((c) => c.op);
    assert.equal(ops.filter((o) => o === 'GetGroups').length, 4, '7 groups, 2 per page');
    assert.equal(ops.filter((o) => o === 'GetSamplingRules').length, 4, '7 rules, 2 per page');
    assert.ok(!ops.includes('CreateGroup') && !ops.includes('CreateSamplingRule'));
  });

  test('a group and rule another client creates between our look and our create are compared and updated, not duplicated', async (t) => {
    const h = await harness(t);
    const theirFilter = 'service("someone-else")';
    h.xray.interleave('CreateGroup', 'CreateGroup', { GroupName: 'Cruddur', FilterExpression: theirFilter });
    h.xray.interleave('CreateSamplingRule', 'CreateSamplingRule', {
      SamplingRule: { ...samplingRule(ANSWERS).SamplingRule, FixedRate: 0.5 },
    });
    const { code, lines } = await h.run();
    assert.equal(code, 0, lines.join('\n'));
    assert.equal(
      line(lines, 'x-ray group Cruddur:'),
      `x-ray group Cruddur: updated (FilterExpression ${JSON.stringify(theirFilter)} -> ${JSON.stringify(FILTER)})`,
    );
    assert.equal(
      line(lines, 'x-ray sampling rule Cruddur:'),
      'x-ray sampling rule Cruddur: updated (FixedRate 0.5 -> 0.1)',
    );
    assert.deepEqual(
      h.xray.calls.map((c) => `${c.op} ${c.status}`),
      [
        'GetGroups 200',
        'CreateGroup 400',
        'GetGroups 200',
        'UpdateGroup 200',
        'GetSamplingRules 200',
        'CreateSamplingRule 400',
        'GetSamplingRules 200',
        'UpdateSamplingRule 200',
      ],
    );
    assert.equal(h.xray.state.groups.get('Cruddur')?.FilterExpression, FILTER);
    assert.equal(h.xray.state.samplingRules.get('Cruddur')?.SamplingRule.FixedRate, 0.1);
    assert.equal(h.xray.state.groups.size, 2, 'Default + Cruddur');
    assert.equal(h.xray.state.samplingRules.size, 2, 'Default + Cruddur');
  });

  test('throttling is retried with backoff and the run succeeds', async (t) => {
    const h = await harness(t);
    h.xray.injectThrottle(4);
    h.xray.injectThrottle(2, 'CreateSamplingRule');
    const { code, lines } = await h.run();
    assert.equal(code, 0);
    assert.equal(
      line(lines, 'x-ray group Cruddur:'),
      'x-ray group Cruddur: created (4 throttled calls retried)',
    );
    assert.equal(
      line(lines, 'x-ray sampling rule Cruddur:'),
      'x-ray sampling rule Cruddur: created (2 throttled calls retried)',
    );
    assert.equal(h.xray.calls.filter((c) => c.status === 429).length, 6);
    assert.equal(h.xray.state.groups.size, 2);
    assert.equal(h.xray.state.samplingRules.size, 2);
  });

  test('more attempts than the SDK default: 7 throttles in a row still succeed', async (t) => {
    const h = await harness(t);
    h.xray.injectThrottle(7, 'GetGroups');
    const { lines } = await h.run();
    assert.equal(
      line(lines, 'x-ray group Cruddur:'),
      'x-ray group Cruddur: created (7 throttled calls retried)',
    );
  });

  test('throttling that outlasts the policy fails the step with advice, and the rest goes on', async (t) => {
    const h = await harness(t);
    h.xray.injectThrottle(100, 'GetGroups');
    const { code, lines } = await h.run({ retry: { ...FAST, maxAttempts: 3 } });
    assert.equal(code, 1, 'a failed step exits 1, --strict or not');
    const g = line(lines, 'x-ray group Cruddur:');
    assert.match(g, /^x-ray group Cruddur: failed: GetGroups: ThrottledException: Rate exceeded; /);
    assert.match(g, /after 3 attempts/);
    assert.match(g, /run setup again/);
    assert.equal(line(lines, 'x-ray sampling rule Cruddur:'), 'x-ray sampling rule Cruddur: created');
    noStackTrace(lines);
  });

  test('a transient server error is retried', async (t) => {
    const h = await harness(t);
    h.xray.injectError('CreateGroup', { status: 500, type: 'InternalFailure', message: 'internal error' });
    const { lines } = await h.run();
    assert.equal(line(lines, 'x-ray group Cruddur:'), 'x-ray group Cruddur: created (1 failed call retried)');
    assert.equal(h.xray.calls.filter((c) => c.op === 'CreateGroup').length, 2);
  });

  test('a real API error is reported with the operation, the message and what to do, without a stack trace', async (t) => {
    const h = await harness(t);
    const message =
      'User: arn:aws:iam::123456789012:user/student is not authorized to perform: xray:CreateSamplingRule ' +
      'on resource: arn:aws:xray:us-east-1:123456789012:sampling-rule/Cruddur because no identity-based policy ' +
      'allows the xray:CreateSamplingRule action';
    h.xray.injectError('CreateSamplingRule', {
      status: 403,
      type: 'AccessDeniedException',
      message,
      times: 10,
    });
    const { code, lines } = await h.run();
    assert.equal(code, 1, 'the service refused a call');
    assert.equal(line(lines, 'x-ray group Cruddur:'), 'x-ray group Cruddur: created');
    const r = line(lines, 'x-ray sampling rule Cruddur:');
    assert.ok(
      r.startsWith('x-ray sampling rule Cruddur: failed: CreateSamplingRule: AccessDeniedException: '),
      r,
    );
    assert.ok(r.includes(message), 'the service message, verbatim');
    assert.match(r, /Allow the IAM action xray:CreateSamplingRule/);
    assert.equal(
      h.xray.calls.filter((c) => c.op === 'CreateSamplingRule').length,
      1,
      'a permission error is not retried',
    );
    assert.equal(lines.length, 4, lines.join('\n'));
    noStackTrace(lines);
    assert.equal((await h.run({ strict: true })).code, 1);
  });

  test("the service's validation error is passed on with what to fix", async (t) => {
    const h = await harness(t);
    // The local check mirrors the model's limits, so only the service can still refuse
    // (e.g. a rule it considers invalid for reasons the model does not state).
    h.xray.injectError('CreateSamplingRule', {
      status: 400,
      type: 'InvalidRequestException',
      message: "1 validation error detected: Value 'x' at 'samplingRule.host' failed to satisfy constraint",
    });
    const { lines } = await h.run();
    const r = line(lines, 'x-ray sampling rule Cruddur:');
    assert.match(r, /failed: CreateSamplingRule: InvalidRequestException: 1 validation error detected/);
    assert.match(r, /Fix aws\/json\/x-ray\.json/);
  });

  test('wrong credentials are named as such', async (t) => {
    const h = await harness(t);
    h.env.AWS_SECRET_ACCESS_KEY = 'not-the-secret';
    const { lines } = await h.run();
    assert.match(
      line(lines, 'x-ray group Cruddur:'),
      /failed: GetGroups: InvalidSignatureException: .*check AWS_SECRET_ACCESS_KEY/,
    );
    h.env.AWS_ACCESS_KEY_ID = 'AKIDUNKNOWN';
    const second = await h.run();
    assert.match(
      line(second.lines, 'x-ray group Cruddur:'),
      /failed: GetGroups: UnrecognizedClientException: .*AWS_ACCESS_KEY_ID/,
    );
    noStackTrace([...lines, ...second.lines]);
  });

  test('an unreachable X-Ray endpoint fails fast with advice', async (t) => {
    const h = await harness(t);
    const closed = await closedPort();
    h.env.AWS_ENDPOINT_URL_XRAY = `http://127.0.0.1:${closed}`;
    const { code, lines, ms } = await h.run({ retry: {} });
    assert.equal(code, 1);
    assert.match(
      line(lines, 'x-ray group Cruddur:'),
      /unreachable: GetGroups: could not reach X-Ray at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED: nothing listens there\).*AWS_ENDPOINT_URL_XRAY/,
    );
    assert.match(
      line(lines, 'x-ray sampling rule Cruddur:'),
      /unreachable: not tried: X-Ray at .* did not answer/,
    );
    assert.ok(ms < 5000, `took ${ms} ms`);
    noStackTrace(lines);
  });

  test('no credentials: both X-Ray steps are skipped with how to set them, exit 0, no calls', async (t) => {
    const h = await harness(t);
    delete h.env.AWS_ACCESS_KEY_ID;
    delete h.env.AWS_SECRET_ACCESS_KEY;
    const { code, lines } = await h.run();
    assert.equal(code, 0);
    const g = line(lines, 'x-ray group Cruddur:');
    assert.match(g, /^x-ray group Cruddur: skipped: no AWS credentials/);
    for (const hint of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'gp env', 'Codespaces', '.env']) {
      assert.ok(g.includes(hint), `missing ${hint}: ${g}`);
    }
    assert.match(line(lines, 'x-ray sampling rule Cruddur:'), /: skipped: no AWS credentials/);
    assert.equal(line(lines, 'rollbar token:'), 'rollbar token: verified (post_server_item)');
    assert.equal(h.xray.calls.length + h.xray.rejected.length, 0, 'nothing was sent to X-Ray');
    noStackTrace(lines);
  });

  test('--strict turns a skipped step into exit 1, and is 0 when everything is done', async (t) => {
    const h = await harness(t);
    assert.equal((await h.run({ strict: true })).code, 0);
    delete h.env.AWS_ACCESS_KEY_ID;
    delete h.env.AWS_SECRET_ACCESS_KEY;
    assert.equal((await h.run({ strict: true })).code, 1);
    assert.equal((await h.run({ strict: false })).code, 0);
  });

  test('a Rollbar token that is rejected, limited or unreachable alone makes exit 1; a missing one only under --strict', async (t) => {
    const h = await harness(t);
    assert.equal((await h.run({ strict: true })).code, 0);
    for (const [token, endpoint, plain] of [
      [undefined, h.rollbar.baseUrl, 0],
      [BAD, h.rollbar.baseUrl, 1],
      [CLIENT_ONLY, h.rollbar.baseUrl, 1],
      [GOOD, `http://127.0.0.1:${await closedPort()}/api/1/`, 1],
    ] as const) {
      h.env.ROLLBAR_ACCESS_TOKEN = token;
      h.env.ROLLBAR_ENDPOINT = endpoint;
      const { code, lines } = await h.run({ strict: true });
      assert.equal(code, 1, lines.join('\n'));
      assert.equal(line(lines, 'x-ray group Cruddur:'), 'x-ray group Cruddur: unchanged');
      assert.equal((await h.run()).code, plain, `without --strict, token ${token ?? '(none)'}`);
    }
  });

  test('credentials from a shared credentials profile and region from the config profile', async (t) => {
    const h = await harness(t, { region: 'eu-west-2' });
    delete h.env.AWS_ACCESS_KEY_ID;
    delete h.env.AWS_SECRET_ACCESS_KEY;
    delete h.env.AWS_REGION;
    writeFileSync(h.env.AWS_CONFIG_FILE!, '[profile student]\nregion = eu-west-2\n');
    writeFileSync(
      h.env.AWS_SHARED_CREDENTIALS_FILE!,
      `[student]\naws_access_key_id = ${KEY}\naws_secret_access_key = ${SECRET}\n`,
    );
    h.env.AWS_PROFILE = 'student';
    const { lines } = await h.run();
    assert.match(line(lines, 'x-ray:'), /^x-ray: region eu-west-2 \(profile student\)/);
    assert.equal(line(lines, 'x-ray group Cruddur:'), 'x-ray group Cruddur: created');
  });

  test('without AWS_REGION or a profile region the stored answer is used; AWS_DEFAULT_REGION is honoured', async (t) => {
    const h = await harness(t, { region: 'us-east-1' });
    delete h.env.AWS_REGION;
    const first = await h.run();
    assert.match(line(first.lines, 'x-ray:'), /^x-ray: region us-east-1 \(\.yo-rc\.json\)/);
    assert.equal(line(first.lines, 'x-ray group Cruddur:'), 'x-ray group Cruddur: created');
    h.env.AWS_DEFAULT_REGION = 'ap-south-1';
    const second = await h.run();
    assert.match(line(second.lines, 'x-ray:'), /^x-ray: region ap-south-1 \(AWS_DEFAULT_REGION\)/);
    // The fake serves us-east-1 only, as a regional endpoint does.
    assert.match(
      line(second.lines, 'x-ray group Cruddur:'),
      /InvalidSignatureException: Credential should be scoped to a valid region/,
    );
  });

  test('variables in the workspace .env fill in what the environment lacks', async (t) => {
    const h = await harness(t);
    delete h.env.AWS_ACCESS_KEY_ID;
    delete h.env.AWS_SECRET_ACCESS_KEY;
    delete h.env.ROLLBAR_ACCESS_TOKEN;
    writeFileSync(
      join(h.cwd, '.env'),
      `# secrets\nAWS_ACCESS_KEY_ID=${KEY}\nAWS_SECRET_ACCESS_KEY="${SECRET}"\nROLLBAR_ACCESS_TOKEN=${GOOD}\n`,
    );
    const { lines } = await h.run();
    assert.equal(line(lines, 'x-ray group Cruddur:'), 'x-ray group Cruddur: created');
    assert.equal(line(lines, 'rollbar token:'), 'rollbar token: verified (post_server_item)');
    assert.equal(h.env.AWS_ACCESS_KEY_ID, undefined, "the caller's env is not changed");
  });

  test('--dry-run prints the calls and makes none', async (t) => {
    const h = await harness(t);
    const { code, lines } = await h.run({ dryRun: true });
    assert.equal(code, 0);
    assert.equal(lines[0], 'dry run: no calls are made');
    assert.ok(lines.some((l) => l.startsWith('would call GetGroups {}')));
    assert.ok(
      lines.includes(
        `would call CreateGroup ${JSON.stringify({ GroupName: 'Cruddur', FilterExpression: FILTER })} (if the group is absent)`,
      ),
      lines.join('\n'),
    );
    assert.ok(lines.some((l) => l.startsWith('would call GetSamplingRules {}')));
    assert.ok(
      lines.some((l) => l.startsWith('would call CreateSamplingRule {"SamplingRule":{"RuleName":"Cruddur"')),
    );
    assert.ok(lines.some((l) => l.startsWith('would call UpdateSamplingRule')));
    assert.ok(lines.some((l) => l.startsWith(`would call POST ${h.rollbar.baseUrl}deploy/ {`)));
    assert.ok(!lines.join('\n').includes(GOOD), 'the token is not printed');
    assert.equal(h.xray.calls.length + h.xray.rejected.length, 0);
    assert.equal(h.rollbar.requests.length, 0);
  });

  test('a missing or invalid aws/json/x-ray.json is bad input: one line naming the file, no call made', async (t) => {
    const h = await harness(t);
    const badInput = async (pattern: RegExp) => {
      const lines: string[] = [];
      await assert.rejects(
        h.run({ log: (l) => lines.push(l) }),
        (e: unknown) => e instanceof UsageError && pattern.test(e.message) && !e.message.includes('\n'),
      );
      assert.deepEqual(lines, [], 'nothing else printed');
    };
    rmSync(join(h.cwd, 'aws/json/x-ray.json'));
    await badInput(/^aws\/json\/x-ray\.json not found in .*config --restore/);
    writeFileSync(join(h.cwd, 'aws/json/x-ray.json'), '{"SamplingRule": {');
    await badInput(/^aws\/json\/x-ray\.json is not valid JSON/);
    const doc = samplingRule(ANSWERS);
    doc.SamplingRule.FixedRate = 1.5;
    writeFileSync(join(h.cwd, 'aws/json/x-ray.json'), JSON.stringify(doc));
    await badInput(/^aws\/json\/x-ray\.json: SamplingRule\.FixedRate must be from 0 to 1, not 1\.5/);

    // X-Ray's built-in rule: refused by the same rule as `--rule-name Default`, before any call.
    doc.SamplingRule.FixedRate = 0.1;
    doc.SamplingRule.RuleName = 'Default';
    writeFileSync(join(h.cwd, 'aws/json/x-ray.json'), JSON.stringify(doc));
    await badInput(
      /^aws\/json\/x-ray\.json: SamplingRule\.RuleName "Default" is reserved by X-Ray \(its built-in sampling rule\); choose another name \(config --rule-name\)$/,
    );
    assert.equal(h.xray.calls.length + h.xray.rejected.length, 0, 'nothing sent to X-Ray');
    assert.equal(h.rollbar.requests.length, 0, 'nothing sent to Rollbar');
  });

  test('an endpoint variable that is not an http(s) URL is bad input, and its userinfo is not shown', async (t) => {
    const h = await harness(t);
    for (const [name, value, pattern] of [
      ['AWS_ENDPOINT_URL_XRAY', 'localhost:4566', /^AWS_ENDPOINT_URL_XRAY=.*is not a URL|must be an http/],
      [
        'AWS_ENDPOINT_URL_XRAY',
        'http://canary-user:canary-pass-1@[bad',
        /^AWS_ENDPOINT_URL_XRAY=.*is not a URL/,
      ],
      [
        'ROLLBAR_ENDPOINT',
        'ftp://canary-user:canary-pass-2@host/',
        /^ROLLBAR_ENDPOINT=.*is not an http\(s\) URL/,
      ],
    ] as const) {
      const saved = h.env[name];
      h.env[name] = value;
      await assert.rejects(h.run(), (e: unknown) => {
        assert.ok(e instanceof UsageError);
        assert.match(e.message, pattern);
        assert.doesNotMatch(e.message, /canary/);
        return true;
      });
      h.env[name] = saved;
    }
    assert.equal(h.xray.calls.length + h.rollbar.requests.length, 0);
  });

  test('a rule whose ServiceName cannot match the backend is flagged', async (t) => {
    const h = await harness(t);
    const doc = samplingRule(ANSWERS);
    doc.SamplingRule.ServiceName = 'backend-flask';
    writeFileSync(join(h.cwd, 'aws/json/x-ray.json'), JSON.stringify(doc));
    const { lines } = await h.run();
    assert.match(line(lines, 'warning:'), /ServiceName "backend-flask" .* "backend-express"/);
  });

  test('a ServiceName that matches the backend as X-Ray does (wildcards, any case) is not flagged', async (t) => {
    const h = await harness(t);
    const doc = samplingRule(ANSWERS);
    doc.SamplingRule.ServiceName = 'Backend-?xpress*';
    writeFileSync(join(h.cwd, 'aws/json/x-ray.json'), JSON.stringify(doc));
    const { lines } = await h.run();
    assert.ok(!lines.some((l) => l.startsWith('warning:')), lines.join('\n'));
  });
});

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('setup: Rollbar token', () => {
  test("a bad token is rejected with Rollbar's reason and never printed", async (t) => {
    const h = await rollbarHarness(t);
    h.env.ROLLBAR_ACCESS_TOKEN = BAD;
    const { code, lines } = await h.run();
    assert.equal(code, 1);
    const r = line(lines, 'rollbar token:');
    assert.match(r, /^rollbar token: rejected: Rollbar says "access token not found"/);
    assert.match(r, /post_server_item/);
    assert.ok(!lines.join('\n').includes(BAD), 'the token leaked into the output');
    assert.equal(h.rollbar.rejected.at(-1)?.status, 403);
  });

  test('a valid token without post_server_item is recognised as limited in scope', async (t) => {
    const h = await rollbarHarness(t);
    h.env.ROLLBAR_ACCESS_TOKEN = CLIENT_ONLY;
    const { lines } = await h.run();
    const r = line(lines, 'rollbar token:');
    assert.match(
      r,
      /^rollbar token: limited scope: Rollbar says "insufficient privileges: post_server_item scope is required but the access token only has post_client_item\."/,
    );
    assert.ok(!lines.join('\n').includes(CLIENT_ONLY));
    assert.equal(h.rollbar.deploys.length, 0);
  });

  test('an unreachable endpoint is reported as such', async (t) => {
    const h = await rollbarHarness(t);
    h.env.ROLLBAR_ENDPOINT = `http://127.0.0.1:${await closedPort()}/api/1/`;
    const { code, lines } = await h.run();
    assert.equal(code, 1);
    assert.match(
      line(lines, 'rollbar token:'),
      /^rollbar token: unreachable: could not reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\); .*ROLLBAR_ENDPOINT/,
    );
    noStackTrace(lines);
  });

  test('an endpoint that never answers times out', async (t) => {
    const h = await rollbarHarness(t);
    const sockets = new Set<import('node:net').Socket>();
    const silent: Server = createServer(() => {
      /* never answers */
    });
    silent.on('connection', (s) => sockets.add(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    t.after(async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    });
    h.env.ROLLBAR_ENDPOINT = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/api/1/`;
    const { lines, ms } = await h.run({ retry: { ...FAST, attemptTimeoutMs: 200 } });
    assert.match(
      line(lines, 'rollbar token:'),
      /^rollbar token: unreachable: no answer from .* within 0\.2 s/,
    );
    assert.ok(ms < 3000, `took ${ms} ms`);
  });

  test('a passing 503 is retried; the endpoint may lack its trailing slash', async (t) => {
    const h = await rollbarHarness(t);
    h.rollbar.failNext(503, 1, 'service unavailable');
    h.env.ROLLBAR_ENDPOINT = h.rollbar.baseUrl.replace(/\/$/, '');
    const { lines } = await h.run();
    assert.equal(line(lines, 'rollbar token:'), 'rollbar token: verified (post_server_item)');
    assert.equal(h.rollbar.deploys.length, 1);
  });

  test('Rollbar throttling that outlasts the retries is reported with the last answer', async (t) => {
    const h = await rollbarHarness(t);
    h.rollbar.failNext(429, 5, 'rate limited');
    const { lines } = await h.run();
    assert.match(
      line(lines, 'rollbar token:'),
      /^rollbar token: failed: Rollbar says "rate limited" \(HTTP 429\) after 3 attempts over \d+\.\d s; run setup again later$/,
    );
    assert.equal(h.rollbar.deploys.length, 0);
  });

  test('a missing token skips the check with how to set it', async (t) => {
    const h = await rollbarHarness(t);
    delete h.env.ROLLBAR_ACCESS_TOKEN;
    const { code, lines } = await h.run();
    assert.equal(code, 0);
    const r = line(lines, 'rollbar token:');
    assert.match(r, /^rollbar token: skipped: ROLLBAR_ACCESS_TOKEN is not set/);
    for (const hint of ['gp env ROLLBAR_ACCESS_TOKEN', 'Codespaces', '.env', 'post_server_item']) {
      assert.ok(r.includes(hint), `missing ${hint}: ${r}`);
    }
    assert.equal(h.rollbar.requests.length, 0);
  });
});

/** Every step printed exactly one line, whatever happened. */
function oneLinePerStep(lines: string[]): void {
  for (const step of ['x-ray group Cruddur:', 'x-ray sampling rule Cruddur:', 'rollbar token:']) {
    const n = lines.filter((l) => l.startsWith(step)).length;
    assert.equal(n, 1, `${n} lines for ${step}\n${lines.join('\n')}`);
  }
  noStackTrace(lines);
}

/** Short deadlines, so a hostile endpoint costs a test well under a second per step. */
const HOSTILE = { baseDelayMs: 1, maxDelayMs: 4, attemptTimeoutMs: 200, budgetMs: 500 };
const MiB = 1024 * 1024;

describe('setup against a hostile X-Ray endpoint', () => {
  const { test } = needingSpecs(SPECS_NEEDED);
  test('every X-Ray call has a deadline: an endpoint that accepts and never answers costs each call site its budget, not forever', async (t) => {
    const rule = samplingRule(ANSWERS).SamplingRule;
    const cases = [
      { op: 'GetGroups', step: 'x-ray group Cruddur:' },
      { op: 'CreateGroup', step: 'x-ray group Cruddur:' },
      {
        op: 'UpdateGroup',
        step: 'x-ray group Cruddur:',
        opts: { groups: [{ GroupName: 'Cruddur', FilterExpression: 'service("old")' }] },
      },
      { op: 'GetSamplingRules', step: 'x-ray sampling rule Cruddur:' },
      { op: 'CreateSamplingRule', step: 'x-ray sampling rule Cruddur:' },
      {
        op: 'UpdateSamplingRule',
        step: 'x-ray sampling rule Cruddur:',
        opts: { samplingRules: [{ ...rule, FixedRate: 0.5 }] },
      },
    ];
    for (const c of cases) {
      const h = await harness(t, c.opts ?? {});
      h.xray.misbehave(c.op, { kind: 'hang' }, Infinity);
      const { code, lines, ms } = await h.run({ retry: HOSTILE });
      oneLinePerStep(lines);
      assert.equal(code, 1, c.op);
      assert.match(
        line(lines, c.step),
        new RegExp(
          `: unreachable: ${c.op}: no answer from X-Ray at http://127\\.0\\.0\\.1:\\d+; gave up after \\d+ attempts over 0\\.\\d s\\. Check the network`,
        ),
      );
      const hung = h.xray.calls.filter((x) => x.op === c.op && x.error === 'hang').length;
      assert.ok(hung >= 2, `${c.op}: timed-out attempts are retried within the budget (${hung})`);
      assert.ok(
        ms < 4 * HOSTILE.budgetMs,
        `${c.op}: took ${ms} ms for a ${HOSTILE.budgetMs} ms budget per step`,
      );
      assert.equal(line(lines, 'rollbar token:'), 'rollbar token: verified (post_server_item)');
    }
  });

  test('credential resolution has a deadline too: a credential_process that never answers fails the X-Ray steps in time', async (t) => {
    const h = await harness(t);
    delete h.env.AWS_ACCESS_KEY_ID;
    delete h.env.AWS_SECRET_ACCESS_KEY;
    h.env.PATH = process.env.PATH;
    writeFileSync(h.env.AWS_CONFIG_FILE!, '[profile stuck]\ncredential_process = sleep 2\n');
    h.env.AWS_PROFILE = 'stuck';
    const { code, lines, ms } = await h.run({ retry: HOSTILE });
    oneLinePerStep(lines);
    assert.equal(code, 1);
    assert.match(
      line(lines, 'x-ray group Cruddur:'),
      /: failed: AWS credentials could not be loaded: no credentials within 0\.2 s: a provider of the chain/,
    );
    assert.equal(
      line(lines, 'x-ray sampling rule Cruddur:'),
      'x-ray sampling rule Cruddur: failed: AWS credentials could not be loaded (see above)',
    );
    assert.ok(ms < 1500, `took ${ms} ms`);
    assert.equal(h.xray.calls.length, 0);
  });

  test('when X-Ray never answers, the rule step is not tried (it would only wait as long again)', async (t) => {
    const h = await harness(t);
    h.xray.misbehave('*', { kind: 'hang' }, Infinity);
    const { lines } = await h.run({ retry: HOSTILE });
    oneLinePerStep(lines);
    assert.match(
      line(lines, 'x-ray sampling rule Cruddur:'),
      /: unreachable: not tried: X-Ray at .* did not answer \(see above\)$/,
    );
    assert.ok(!h.xray.calls.some((c) => c.op === 'GetSamplingRules'));
  });

  test('a connection closed at once is retried, then reported as unreachable', async (t) => {
    const h = await harness(t);
    h.xray.misbehave('*', { kind: 'close' }, Infinity);
    const { code, lines } = await h.run({ retry: HOSTILE });
    oneLinePerStep(lines);
    assert.equal(code, 1);
    assert.match(
      line(lines, 'x-ray group Cruddur:'),
      /: unreachable: GetGroups: could not reach X-Ray at .* \(ECONNRESET: the connection was closed without an answer\); gave up after \d+ attempts/,
    );
  });

  test("answers that are not X-Ray's fail in one line a user can act on, with no SDK internals", async (t) => {
    const cases: Array<{ answer: Misbehaviour; want: RegExp; retried?: boolean }> = [
      {
        answer: {
          kind: 'raw',
          status: 200,
          contentType: 'text/html',
          body: '<html><body>Sign in to the Wi-Fi</body></html>',
        },
        want: /: failed: GetGroups: X-Ray at .* answered HTTP 200 with text\/html that is not X-Ray's JSON\. Something other than X-Ray answered: check AWS_ENDPOINT_URL_XRAY/,
      },
      {
        answer: { kind: 'raw', status: 200, contentType: 'application/json', body: '{"Groups": [' },
        want: /answered HTTP 200 with application\/json that is not X-Ray's JSON/,
      },
      {
        answer: { kind: 'raw', status: 400, body: '' },
        want: /: failed: GetGroups: X-Ray at .* answered HTTP 400 without saying what went wrong\. Something other than X-Ray answered: check AWS_ENDPOINT_URL_XRAY/,
      },
      {
        answer: {
          kind: 'raw',
          status: 200,
          contentType: 'application/json',
          body: '{"Groups": {"GroupName": "Cruddur"}}',
        },
        want: /: failed: GetGroups: X-Ray at .* gave an answer X-Ray would not give \(Groups is not a list\)/,
      },
      {
        answer: {
          kind: 'raw',
          status: 200,
          contentType: 'application/json',
          body: '{"Groups": [], "NextToken": 7}',
        },
        want: /gave an answer X-Ray would not give \(NextToken is not a string\)/,
      },
      {
        answer: { kind: 'raw', status: 200, contentType: 'application/json', body: '[1, 2]' },
        want: /gave an answer X-Ray would not give \(no Groups list\)/,
      },
      {
        answer: { kind: 'raw', status: 502, contentType: 'text/html', body: '<html>Bad Gateway</html>' },
        want: /: failed: GetGroups: X-Ray at .* answered HTTP 502 with text\/html that is not X-Ray's JSON.*; gave up after \d+ attempts/,
        retried: true,
      },
    ];
    for (const c of cases) {
      const h = await harness(t);
      h.xray.misbehave('GetGroups', c.answer, Infinity);
      const { code, lines } = await h.run({ retry: HOSTILE });
      oneLinePerStep(lines);
      assert.equal(code, 1);
      const g = line(lines, 'x-ray group Cruddur:');
      assert.match(g, c.want);
      assert.doesNotMatch(
        g,
        /hidden field|UnknownError|Unknown:|Deserialization|is not a function|\$response/,
      );
      const n = h.xray.calls.filter((x) => x.op === 'GetGroups').length;
      assert.ok(c.retried ? n > 1 : n === 1, `${n} GetGroups calls for ${JSON.stringify(c.answer)}`);
      assert.equal(line(lines, 'x-ray sampling rule Cruddur:'), 'x-ray sampling rule Cruddur: created');
    }
  });

  test('a create or update answered 200 without the object X-Ray returns is not taken for done', async (t) => {
    const rule = samplingRule(ANSWERS).SamplingRule;
    for (const [op, opts, step] of [
      ['CreateGroup', {}, 'x-ray group Cruddur:'],
      [
        'UpdateGroup',
        { groups: [{ GroupName: 'Cruddur', FilterExpression: 'service("old")' }] },
        'x-ray group Cruddur:',
      ],
      ['CreateSamplingRule', {}, 'x-ray sampling rule Cruddur:'],
      [
        'UpdateSamplingRule',
        { samplingRules: [{ ...rule, FixedRate: 0.5 }] },
        'x-ray sampling rule Cruddur:',
      ],
    ] as Array<[string, XRayFakeOptions, string]>) {
      const h = await harness(t, opts);
      h.xray.misbehave(op, { kind: 'raw', status: 200, contentType: 'application/json', body: '{}' });
      const { code, lines } = await h.run({ retry: HOSTILE });
      oneLinePerStep(lines);
      assert.equal(code, 1, op);
      const field = op.includes('Group') ? 'Group' : 'SamplingRuleRecord';
      assert.match(
        line(lines, step),
        new RegExp(
          `: failed: ${op}: X-Ray at .* gave an answer X-Ray would not give \\(no ${field} in the answer\\)`,
        ),
      );
    }
  });

  test('a NextToken that comes round again stops the listing at once', async (t) => {
    for (const tokens of [['A'], ['A', 'B', 'C']]) {
      const h = await harness(t);
      h.xray.misbehave('GetGroups', { kind: 'cycle', tokens }, Infinity);
      const { code, lines } = await h.run({ retry: HOSTILE });
      oneLinePerStep(lines);
      assert.equal(code, 1);
      assert.match(
        line(lines, 'x-ray group Cruddur:'),
        new RegExp(
          `: failed: GetGroups: X-Ray at .* gave an answer X-Ray would not give \\(page ${tokens.length + 1} gave a NextToken an earlier page gave, so the listing would never end\\)`,
        ),
      );
      assert.equal(
        h.xray.calls.filter((c) => c.op === 'GetGroups').length,
        tokens.length + 1,
        'one call past the first repeat, not thousands',
      );
      assert.ok(
        !h.xray.calls.some((c) => c.op === 'CreateGroup'),
        'nothing created on a listing never read to its end',
      );
    }
  });

  test('an endless answer is cut off at 1 MiB, with or without a declared length', async (t) => {
    for (const declareLength of [false, true]) {
      const h = await harness(t);
      h.xray.misbehave('GetGroups', { kind: 'huge', bytes: 200 * MiB, declareLength });
      const { code, lines } = await h.run({ retry: HOSTILE });
      oneLinePerStep(lines);
      assert.equal(code, 1);
      assert.match(
        line(lines, 'x-ray group Cruddur:'),
        /: failed: GetGroups: X-Ray at .* answered with more than 1 MiB, far more than X-Ray sends\. Something other than X-Ray answered: check AWS_ENDPOINT_URL_XRAY/,
      );
      const sent = h.xray.hugeBytesSent();
      assert.ok(sent < 32 * MiB, `the stand-in got to send ${(sent / MiB).toFixed(1)} MiB of 200`);
      assert.equal(h.xray.calls.filter((c) => c.op === 'GetGroups').length, 1, 'not retried');
    }
  });
});

describe('setup against a hostile Rollbar endpoint', () => {
  test('an HTML page, JSON that is not Rollbar\'s, or malformed JSON is never "verified"', async (t) => {
    const h = await rollbarHarness(t);
    for (const [answer, want] of [
      [
        {
          kind: 'raw',
          status: 200,
          contentType: 'text/html',
          body: '<html><title>Hotel Wi-Fi</title>Accept the terms</html>',
        },
        /^rollbar token: failed: http:\/\/127\.0\.0\.1:\d+ answered HTTP 200 with text\/html that is not JSON, so this is not Rollbar's API/,
      ],
      [{ kind: 'raw', status: 200, body: '' }, /answered HTTP 200 with an empty body that is not JSON/],
      [
        { kind: 'raw', status: 200, contentType: 'application/json', body: '{"ok": true}' },
        /answered HTTP 200 with JSON that is not Rollbar's answer, so this is not Rollbar's API/,
      ],
      [
        { kind: 'raw', status: 201, contentType: 'application/json', body: '{"data": {"deploy_id": "x"}}' },
        /answered HTTP 201 with JSON that is not Rollbar's answer/,
      ],
      [
        { kind: 'raw', status: 200, contentType: 'application/json', body: '{"data": {"deploy_id": ' },
        /answered HTTP 200 with application\/json that is not JSON/,
      ],
      [
        { kind: 'raw', status: 403, contentType: 'text/html', body: '<html>Forbidden by proxy</html>' },
        /^rollbar token: failed: .* answered HTTP 403 with text\/html that is not JSON, so this is not Rollbar's API/,
      ],
    ] as const) {
      h.rollbar.misbehave(answer);
      const { code, lines } = await h.run({ retry: HOSTILE });
      assert.equal(code, 1, lines.join('\n'));
      assert.match(line(lines, 'rollbar token:'), want);
      assert.match(line(lines, 'rollbar token:'), /ROLLBAR_ENDPOINT/);
    }
    assert.equal(h.rollbar.deploys.length, 0);
  });

  test("Rollbar's own answers verify: a deploy's data.deploy_id, or err 0 with a result", async (t) => {
    const h = await rollbarHarness(t);
    assert.equal(line((await h.run()).lines, 'rollbar token:'), 'rollbar token: verified (post_server_item)');
    assert.equal(h.rollbar.deploys.length, 1);
    h.rollbar.misbehave({
      kind: 'raw',
      status: 200,
      contentType: 'application/json',
      body: '{"err": 0, "result": {"id": 1}}',
    });
    assert.equal(line((await h.run()).lines, 'rollbar token:'), 'rollbar token: verified (post_server_item)');
  });

  test('a connection accepted and closed at once is reported, every time, and fails --strict', async (t) => {
    const h = await rollbarHarness(t);
    for (let i = 0; i < 5; i++) {
      h.rollbar.misbehave({ kind: 'close' }, 3);
      const { code, lines } = await h.run({ strict: true, retry: HOSTILE });
      oneLinePerStep(lines);
      assert.equal(code, 1);
      assert.match(
        line(lines, 'rollbar token:'),
        /^rollbar token: unreachable: could not reach .* after 3 attempts/,
      );
    }
  });

  test('an endless answer is cut off at 64 KiB', async (t) => {
    const h = await rollbarHarness(t);
    for (const declareLength of [false, true]) {
      h.rollbar.misbehave({ kind: 'huge', bytes: 200 * MiB, declareLength });
      const { code, lines } = await h.run({ retry: HOSTILE });
      assert.equal(code, 1);
      assert.match(
        line(lines, 'rollbar token:'),
        /^rollbar token: failed: http:\/\/127\.0\.0\.1:\d+ answered with more than 64 KiB, which is not Rollbar's API/,
      );
    }
    const sent = h.rollbar.hugeBytesSent();
    assert.ok(sent < 64 * MiB, `the stand-in got to send ${(sent / MiB).toFixed(1)} MiB of 400`);
  });
});

describe('setup prints no secret', () => {
  const { test } = needingSpecs(SPECS_NEEDED);
  const USER = 'canaryuser7';
  const PASS = 'canary-pass-4711';
  const canary = (lines: string[]) => {
    const text = lines.join('\n');
    for (const secret of [USER, PASS, GOOD, SECRET])
      assert.ok(!text.includes(secret), `${secret} printed:\n${text}`);
  };

  test('userinfo in AWS_ENDPOINT_URL_XRAY and ROLLBAR_ENDPOINT is masked on every path', async (t) => {
    const h = await harness(t);
    const withUserinfo = (url: string) => url.replace('://', `://${USER}:${PASS}@`);
    h.env.AWS_ENDPOINT_URL_XRAY = withUserinfo(h.xray.endpoint);
    h.env.ROLLBAR_ENDPOINT = withUserinfo(h.rollbar.baseUrl);
    const ok = await h.run();
    assert.match(
      line(ok.lines, 'x-ray:'),
      /endpoint http:\/\/\*\*\*@127\.0\.0\.1:\d+ \(AWS_ENDPOINT_URL_XRAY\)/,
    );
    assert.equal(line(ok.lines, 'x-ray group Cruddur:'), 'x-ray group Cruddur: created');
    assert.equal(line(ok.lines, 'rollbar token:'), 'rollbar token: verified (post_server_item)');
    const dry = await h.run({ dryRun: true });
    assert.match(
      line(dry.lines, 'would call POST'),
      /POST http:\/\/\*\*\*@127\.0\.0\.1:\d+\/api\/1\/deploy\//,
    );
    h.env.ROLLBAR_ENDPOINT = withUserinfo(h.rollbar.baseUrl.replace('/api/1/', '/wrong/'));
    const wrongPath = await h.run();
    assert.match(line(wrongPath.lines, 'rollbar token:'), /HTTP 404 to POST http:\/\/\*\*\*@/);
    const closed = `http://${USER}:${PASS}@127.0.0.1:${await closedPort()}`;
    h.env.AWS_ENDPOINT_URL_XRAY = closed;
    h.env.ROLLBAR_ENDPOINT = `${closed}/api/1/`;
    const down = await h.run({ retry: HOSTILE });
    assert.match(
      line(down.lines, 'x-ray group Cruddur:'),
      /could not reach X-Ray at http:\/\/\*\*\*@127\.0\.0\.1/,
    );
    for (const run of [ok, dry, wrongPath, down]) canary(run.lines);
  });
});

describe('setup as a process', () => {
  // In process, a promise that never settles just hangs the test; as the bin,
  // the process could drain its event loop and exit 0 with the Rollbar step
  // unreported (undici's fetch on Node 20, 9 runs of 10 here before the fix).
  test('app runs setup after writing: a failed step exits 1 and still says what to do next', async () => {
    const parent = tempDir('cruddur-setup-app-');
    const env = cleanEnv({
      HOME: tempDir('cruddur-setup-home-'),
      ROLLBAR_ACCESS_TOKEN: GOOD,
      ROLLBAR_ENDPOINT: `http://127.0.0.1:${await closedPort()}/api/1/`,
    });
    const r = runBin(['app', 'ws', '--yes', '--skip-install'], { cwd: parent, env });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^rollbar token: unreachable: could not reach /m);
    assert.match(r.stdout, /^setup did not finish \(see above\)/m);
    assert.match(r.stdout, /^Done\. Next: cd ws /m);
    const ok = runBin(['app', 'ws2', '--yes', '--skip-install'], {
      cwd: parent,
      env: cleanEnv({ HOME: env.HOME! }),
    });
    assert.equal(ok.status, 0, 'skipped steps (no credentials, no token) do not fail app');
    assert.doesNotMatch(ok.stdout, /setup did not finish/);
  });

  test('a Rollbar endpoint that accepts and closes at once: every run prints the step and --strict exits 1', async (t) => {
    const rollbar = await startRollbarFake();
    t.after(() => rollbar.close());
    const parent = tempDir('cruddur-setup-bin-');
    const made = runBin(['app', 'ws', '--yes', '--skip-install', '--skip-hooks'], { cwd: parent });
    assert.equal(made.status, 0, made.stderr);
    const env = cleanEnv({
      HOME: tempDir('cruddur-setup-home-'),
      ROLLBAR_ACCESS_TOKEN: GOOD,
      ROLLBAR_ENDPOINT: rollbar.baseUrl,
    });
    for (let i = 0; i < 5; i++) {
      rollbar.misbehave({ kind: 'close' }, 3);
      const r = await execa(process.execPath, [BIN, 'setup', '--strict'], {
        cwd: join(parent, 'ws'),
        env,
        extendEnv: false,
        reject: false,
        timeout: 60_000,
      });
      const lines = r.stdout.split('\n');
      assert.equal(r.exitCode, 1, `run ${i + 1}:\n${r.stdout}\n${r.stderr}`);
      assert.equal(lines.filter((l) => l.startsWith('rollbar token: unreachable: ')).length, 1, r.stdout);
    }
  });

  // The SDK cannot cancel a credential provider: the step gives up at its
  // deadline (10 s), and the process must not then wait for the provider.
  test('a credential_process that never answers: setup reports it at the deadline and exits, not when the provider ends', async (t) => {
    const parent = tempDir('cruddur-setup-hang-');
    const made = runBin(['app', 'ws', '--yes', '--skip-install', '--skip-hooks'], { cwd: parent });
    assert.equal(made.status, 0, made.stderr);
    // A marker in the command line, so that this test's provider (and only it) can be stopped after.
    const marker = `cruddur-hang-${process.pid}`;
    const config = join(parent, 'aws-config');
    writeFileSync(
      config,
      `[default]\nregion = us-east-1\ncredential_process = sh -c 'sleep 300' ${marker}\n`,
    );
    t.after(() => execa('pkill', ['-f', marker], { reject: false }));
    const r = await execa(process.execPath, [BIN, 'setup'], {
      cwd: join(parent, 'ws'),
      env: cleanEnv({
        HOME: tempDir('cruddur-setup-home-'),
        AWS_CONFIG_FILE: config,
        AWS_SHARED_CREDENTIALS_FILE: join(parent, 'none'),
      }),
      extendEnv: false,
      reject: false,
      // Well under the provider's 300 s: a run still waiting on it is killed here and fails.
      timeout: 60_000,
    });
    assert.equal(r.timedOut, false, 'the process exited by itself');
    assert.match(r.stdout, /no credentials within 10\.0 s: a provider of the chain/, r.stdout + r.stderr);
    assert.match(r.stdout, /^rollbar token: skipped: /m, 'the steps after it still ran');
  });
});
