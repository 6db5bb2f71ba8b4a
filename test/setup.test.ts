// `setup` against local stand-ins: the X-Ray API (test/fakes/xray-api.ts,
// reached by the real SDK through AWS_ENDPOINT_URL_XRAY) and Rollbar
// (test/fakes/rollbar-api.ts, through ROLLBAR_ENDPOINT). Every test builds
// its own environment: isolated HOME and AWS config files, IMDS disabled, so
// nothing reaches AWS, the instance metadata service or the developer's own
// credentials. Only 127.0.0.1.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import type { Answers } from '../src/answers/table.js';
import { runSetup, type SetupOptions } from '../src/setup/setup.js';
import { samplingRule } from '../src/answers/names.js';
import { startRollbarFake, type RollbarFake } from './fakes/rollbar-api.js';
import { startXRayFake, type XRayFake, type XRayFakeOptions } from './fakes/xray-api.js';
import { tempDir } from './support/cli.js';
import { specsSkip } from './support/specs.js';

const skip = specsSkip('setup against the X-Ray fake');

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
      const code = await runSetup({
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

describe('setup: X-Ray group and sampling rule', { skip }, () => {
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
    assert.equal(code, 0, 'advisory without --strict');
    const g = line(lines, 'x-ray group Cruddur:');
    assert.match(g, /^x-ray group Cruddur: failed: GetGroups: ThrottledException: Rate exceeded; /);
    assert.match(g, /after 3 attempts/);
    assert.match(g, /run setup again/);
    assert.equal(line(lines, 'x-ray sampling rule Cruddur:'), 'x-ray sampling rule Cruddur: created');
    noStackTrace(lines);
    const strict = await h.run({ strict: true, retry: { ...FAST, maxAttempts: 3 } });
    assert.equal(strict.code, 1);
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
    assert.equal(code, 0);
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
    const { lines, ms } = await h.run({ retry: {} });
    assert.match(
      line(lines, 'x-ray group Cruddur:'),
      /failed: GetGroups: could not reach X-Ray at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\).*AWS_ENDPOINT_URL_XRAY/,
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

  test('--strict: a Rollbar token that is missing, rejected, limited or unreachable alone makes exit 1', async (t) => {
    const h = await harness(t);
    assert.equal((await h.run({ strict: true })).code, 0);
    for (const [token, endpoint] of [
      [undefined, h.rollbar.baseUrl],
      [BAD, h.rollbar.baseUrl],
      [CLIENT_ONLY, h.rollbar.baseUrl],
      [GOOD, `http://127.0.0.1:${await closedPort()}/api/1/`],
    ] as const) {
      h.env.ROLLBAR_ACCESS_TOKEN = token;
      h.env.ROLLBAR_ENDPOINT = endpoint;
      const { code, lines } = await h.run({ strict: true });
      assert.equal(code, 1, lines.join('\n'));
      assert.equal(line(lines, 'x-ray group Cruddur:'), 'x-ray group Cruddur: unchanged');
      assert.equal((await h.run()).code, 0, 'advisory without --strict');
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

  test('a missing or invalid aws/json/x-ray.json fails the rule step in one line naming the file', async (t) => {
    const h = await harness(t);
    rmSync(join(h.cwd, 'aws/json/x-ray.json'));
    const first = await h.run();
    let lines = first.lines;
    assert.equal(first.code, 0);
    assert.equal(line(lines, 'x-ray group Cruddur:'), 'x-ray group Cruddur: created');
    assert.match(
      line(lines, 'x-ray sampling rule Cruddur:'),
      /: failed: aws\/json\/x-ray\.json not found in /,
    );

    writeFileSync(join(h.cwd, 'aws/json/x-ray.json'), '{"SamplingRule": {');
    ({ lines } = await h.run());
    assert.match(
      line(lines, 'x-ray sampling rule Cruddur:'),
      /: failed: aws\/json\/x-ray\.json is not valid JSON/,
    );

    const doc = samplingRule(ANSWERS);
    doc.SamplingRule.FixedRate = 1.5;
    writeFileSync(join(h.cwd, 'aws/json/x-ray.json'), JSON.stringify(doc));
    ({ lines } = await h.run());
    assert.match(
      line(lines, 'x-ray sampling rule Cruddur:'),
      /: failed: aws\/json\/x-ray\.json: SamplingRule\.FixedRate must be from 0 to 1, not 1\.5/,
    );
    assert.ok(!h.xray.calls.some((c) => c.op.includes('SamplingRule')), 'nothing sent for a bad file');
    noStackTrace(lines);
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
    assert.equal(code, 0);
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
    assert.equal(code, 0);
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
    const { lines, ms } = await h.run({ rollbarTimeoutMs: 200 });
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
      /^rollbar token: failed: Rollbar says "rate limited" \(HTTP 429\) after 3 attempts; run setup again later$/,
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
