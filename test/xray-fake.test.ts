// The X-Ray stand-in's own behaviour: the setup tests are only as good as
// the fake is faithful. Driven through the real @aws-sdk/client-xray (and raw
// HTTP where the SDK would not send such a request).
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import {
  CreateGroupCommand,
  CreateSamplingRuleCommand,
  DeleteSamplingRuleCommand,
  GetGroupCommand,
  GetGroupsCommand,
  GetSamplingRulesCommand,
  UpdateGroupCommand,
  UpdateSamplingRuleCommand,
  XRayClient,
  paginateGetGroups,
  paginateGetSamplingRules,
  type SamplingRule,
} from '@aws-sdk/client-xray';
import { startXRayFake, type XRayFake } from './fakes/xray-api.js';
import { readSpec, needingSpecs } from './support/specs.js';

const { test, before, after } = needingSpecs('X-Ray fake');
// The SDK's notice that its 2027 releases need Node 22 is noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const KEY = 'AKIDFAKETEST';
const SECRET = 'fake-test-secret';

function client(fake: XRayFake, over: { secret?: string; key?: string; region?: string } = {}): XRayClient {
  return new XRayClient({
    region: over.region ?? fake.region,
    endpoint: fake.endpoint,
    credentials: { accessKeyId: over.key ?? KEY, secretAccessKey: over.secret ?? SECRET },
    maxAttempts: 1,
  });
}

function rule(name: string, over: Partial<SamplingRule> = {}): SamplingRule {
  return {
    RuleName: name,
    ResourceARN: '*',
    Priority: 9000,
    FixedRate: 0.1,
    ReservoirSize: 5,
    ServiceName: 'backend-express',
    ServiceType: '*',
    Host: '*',
    HTTPMethod: '*',
    URLPath: '*',
    Version: 1,
    ...over,
  };
}

async function rejects(p: Promise<unknown>, name: string, message?: RegExp): Promise<Error> {
  try {
    await p;
  } catch (err) {
    const e = err as Error & { $metadata?: { httpStatusCode?: number } };
    assert.equal(e.name, name, `${e.name}: ${e.message}`);
    if (message) assert.match(e.message, message);
    return e;
  }
  assert.fail(`expected ${name}`);
}

describe('X-Ray fake', () => {
  let fake: XRayFake;
  let xray: XRayClient;
  before(async () => {
    fake = await startXRayFake({ credentials: { [KEY]: SECRET } });
    xray = client(fake);
  });
  after(async () => {
    xray?.destroy();
    await fake?.close();
  });

  test('routes come from the model', () => {
    type Op = { type: string; traits?: Record<string, { method: string; uri: string }> };
    const model = readSpec<{ shapes: Record<string, Op> }>('xray-smithy-model.json');
    const ops = Object.entries(model.shapes).filter(([, s]) => s.type === 'operation');
    assert.equal(fake.routes.size, ops.length);
    assert.equal(fake.routes.get('GetGroups'), 'POST /Groups');
    assert.equal(fake.routes.get('CreateSamplingRule'), 'POST /CreateSamplingRule');
  });

  test('a request without SigV4 is refused', async () => {
    const res = await fetch(`${fake.endpoint}/Groups`, { method: 'POST', body: '{}' });
    assert.equal(res.status, 403);
    assert.match(res.headers.get('x-amzn-errortype') ?? '', /^MissingAuthenticationTokenException/);
    const forged = await fetch(`${fake.endpoint}/Groups`, {
      method: 'POST',
      body: '{}',
      headers: { authorization: 'Bearer abc' },
    });
    assert.equal(forged.status, 403);
    assert.match(forged.headers.get('x-amzn-errortype') ?? '', /^IncompleteSignatureException/);
  });

  test('signatures are verified: wrong secret, unknown key, wrong region', async () => {
    await rejects(
      client(fake, { secret: 'wrong' }).send(new GetGroupsCommand({})),
      'InvalidSignatureException',
      /does not match/,
    );
    await rejects(
      client(fake, { key: 'AKIDOTHER' }).send(new GetGroupsCommand({})),
      'UnrecognizedClientException',
    );
    await rejects(
      client(fake, { region: 'eu-west-1' }).send(new GetGroupsCommand({})),
      'InvalidSignatureException',
      /scoped to a valid region, not 'eu-west-1'/,
    );
    assert.ok(fake.rejected.length >= 3);
  });

  test('requests are validated against the model: length, range, required, nested', async () => {
    await rejects(
      xray.send(new CreateGroupCommand({ GroupName: 'x'.repeat(33) })),
      'InvalidRequestException',
      /Value 'x{33}' at 'groupName' failed to satisfy constraint: Member must have length less than or equal to 32/,
    );
    await rejects(
      xray.send(new CreateSamplingRuleCommand({ SamplingRule: rule('TooHigh', { FixedRate: 1.5 }) })),
      'InvalidRequestException',
      /at 'samplingRule\.fixedRate' failed to satisfy constraint: Member must have value less than or equal to 1/,
    );
    const noHost: Partial<SamplingRule> = rule('NoHost');
    delete noHost.Host;
    await rejects(
      xray.send(new CreateSamplingRuleCommand({ SamplingRule: noHost as SamplingRule })),
      'InvalidRequestException',
      /Value null at 'samplingRule\.host' failed to satisfy constraint: Member must not be null/,
    );
    await rejects(
      xray.send(
        new CreateSamplingRuleCommand({
          SamplingRule: rule('Attrs', {
            Priority: 0,
            Attributes: { a: '1', b: '2', c: '3', d: '4', e: '5', f: '6' },
          }),
        }),
      ),
      'InvalidRequestException',
      /^2 validation errors detected: .*'samplingRule\.priority'.*greater than or equal to 1; .*'samplingRule\.attributes'.*length less than or equal to 5/,
    );
    await rejects(
      xray.send(new CreateGroupCommand({ GroupName: 'Tagged', Tags: [{ Key: '', Value: 'v' }] })),
      'InvalidRequestException',
      /at 'tags\.1\.member\.key'/,
    );
    assert.ok(!fake.state.groups.has('Tagged'));
  });

  test('a signed but malformed body is a SerializationException', async () => {
    const c = client(fake);
    // Replace the body after serialisation and before signing, so the signature is valid.
    c.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { body?: unknown; headers: Record<string, string> };
        request.body = 'not json';
        request.headers['content-length'] = '8';
        return next(args);
      },
      { step: 'build' },
    );
    try {
      await rejects(c.send(new GetGroupsCommand({})), 'SerializationException');
    } finally {
      c.destroy();
    }
  });

  test('groups: create, duplicate refused, get, update, Default reserved', async () => {
    const created = await xray.send(
      new CreateGroupCommand({ GroupName: 'Cruddur', FilterExpression: 'service("a")' }),
    );
    assert.match(created.Group?.GroupARN ?? '', /^arn:aws:xray:us-east-1:123456789012:group\/Cruddur\//);
    await rejects(
      xray.send(new CreateGroupCommand({ GroupName: 'Cruddur' })),
      'InvalidRequestException',
      /already exists/,
    );
    assert.equal([...fake.state.groups.keys()].filter((n) => n === 'Cruddur').length, 1);
    const got = await xray.send(new GetGroupCommand({ GroupARN: created.Group!.GroupARN! }));
    assert.equal(got.Group?.FilterExpression, 'service("a")');
    await xray.send(new UpdateGroupCommand({ GroupName: 'Cruddur', FilterExpression: 'annotation.x = "y"' }));
    assert.equal(fake.state.groups.get('Cruddur')?.FilterExpression, 'annotation.x = "y"');
    await rejects(
      xray.send(new UpdateGroupCommand({ GroupName: 'Nope', FilterExpression: 'ok' })),
      'InvalidRequestException',
      /not found/,
    );
    await rejects(
      xray.send(new CreateGroupCommand({ GroupName: 'Bad', FilterExpression: 'service("a"' })),
      'InvalidRequestException',
      /filter expression/,
    );
    await rejects(
      xray.send(new CreateGroupCommand({ GroupName: 'Default' })),
      'InvalidRequestException',
      /reserved/,
    );
    await rejects(
      xray.send(new UpdateGroupCommand({ GroupName: 'Default', FilterExpression: 'ok' })),
      'InvalidRequestException',
    );
    const { Groups } = await xray.send(new GetGroupsCommand({}));
    assert.equal(Groups?.[0]?.GroupName, 'Default');
  });

  test('sampling rules: create, duplicate refused, partial update, Default rule limits, delete', async () => {
    const out = await xray.send(new CreateSamplingRuleCommand({ SamplingRule: rule('Cruddur') }));
    assert.equal(
      out.SamplingRuleRecord?.SamplingRule?.RuleARN,
      'arn:aws:xray:us-east-1:123456789012:sampling-rule/Cruddur',
    );
    assert.ok(out.SamplingRuleRecord?.CreatedAt instanceof Date);
    await rejects(
      xray.send(new CreateSamplingRuleCommand({ SamplingRule: rule('Cruddur') })),
      'InvalidRequestException',
      /already exists/,
    );
    await xray.send(
      new UpdateSamplingRuleCommand({ SamplingRuleUpdate: { RuleName: 'Cruddur', FixedRate: 0.3 } }),
    );
    const stored = fake.state.samplingRules.get('Cruddur')!.SamplingRule;
    assert.equal(stored.FixedRate, 0.3);
    assert.equal(stored.ReservoirSize, 5, 'fields not sent are kept');
    await rejects(
      xray.send(new UpdateSamplingRuleCommand({ SamplingRuleUpdate: { RuleName: 'Default', Priority: 5 } })),
      'InvalidRequestException',
      /default sampling rule/,
    );
    await xray.send(
      new UpdateSamplingRuleCommand({ SamplingRuleUpdate: { RuleName: 'Default', FixedRate: 0.2 } }),
    );
    await rejects(
      xray.send(new DeleteSamplingRuleCommand({ RuleName: 'Default' })),
      'InvalidRequestException',
    );
    await rejects(
      xray.send(new CreateSamplingRuleCommand({ SamplingRule: rule('Default') })),
      'InvalidRequestException',
      /already exists/,
    );
    await xray.send(new DeleteSamplingRuleCommand({ RuleName: 'Cruddur' }));
    assert.ok(!fake.state.samplingRules.has('Cruddur'));
  });

  test('the rule quota gives RuleLimitExceededException', async () => {
    const small = await startXRayFake({ credentials: { [KEY]: SECRET }, maxSamplingRules: 1 });
    const c = client(small);
    try {
      await c.send(new CreateSamplingRuleCommand({ SamplingRule: rule('One') }));
      await rejects(
        c.send(new CreateSamplingRuleCommand({ SamplingRule: rule('Two') })),
        'RuleLimitExceededException',
      );
    } finally {
      c.destroy();
      await small.close();
    }
  });

  test('pagination: small pages, NextToken followed by the SDK paginators, bad token refused', async () => {
    const paged = await startXRayFake({
      credentials: { [KEY]: SECRET },
      pageSize: 2,
      groups: Array.from({ length: 5 }, (_, i) => ({ GroupName: `G${i}` })),
      samplingRules: Array.from({ length: 4 }, (_, i) => ({ RuleName: `R${i}` })),
    });
    const c = client(paged);
    try {
      const first = await c.send(new GetGroupsCommand({}));
      assert.equal(first.Groups?.length, 2);
      assert.ok(first.NextToken);
      const names: string[] = [];
      for await (const page of paginateGetGroups({ client: c }, {}))
        names.push(...(page.Groups ?? []).map((g) => g.GroupName!));
      assert.deepEqual(names, ['Default', 'G0', 'G1', 'G2', 'G3', 'G4']);
      const rules: string[] = [];
      for await (const page of paginateGetSamplingRules({ client: c }, {})) {
        rules.push(...(page.SamplingRuleRecords ?? []).map((r) => r.SamplingRule!.RuleName!));
      }
      assert.deepEqual(rules, ['Default', 'R0', 'R1', 'R2', 'R3']);
      assert.equal(paged.calls.filter((x) => x.op === 'GetSamplingRules').length, 3);
      await rejects(
        c.send(new GetSamplingRulesCommand({ NextToken: 'garbage' })),
        'InvalidRequestException',
        /NextToken/,
      );
    } finally {
      c.destroy();
      await paged.close();
    }
  });

  test('throttling and errors can be injected, per operation and count', async () => {
    fake.injectThrottle(2, 'GetSamplingRules');
    await xray.send(new GetGroupsCommand({})); // another operation is not affected
    const e = await rejects(
      xray.send(new GetSamplingRulesCommand({})),
      'ThrottledException',
      /Rate exceeded/,
    );
    assert.equal((e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode, 429);
    await rejects(xray.send(new GetSamplingRulesCommand({})), 'ThrottledException');
    await xray.send(new GetSamplingRulesCommand({}));

    fake.injectError('GetGroups', {
      status: 403,
      type: 'AccessDeniedException',
      message: 'not authorized to perform: xray:GetGroups',
    });
    await rejects(xray.send(new GetGroupsCommand({})), 'AccessDeniedException', /xray:GetGroups/);
    await xray.send(new GetGroupsCommand({}));
    const last = fake.calls.at(-2);
    assert.deepEqual(
      { op: last?.op, status: last?.status, error: last?.error },
      {
        op: 'GetGroups',
        status: 403,
        error: 'AccessDeniedException',
      },
    );
  });
});
