// The answers table's closed-set answers: how they are prompted and parsed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveAnswers } from '../src/answers/table.js';
import { questionsFor } from '../src/yeoman/options.js';
import { promptCollision } from '../src/app/scaffold.js';

const ctx = { targetDirName: 'cruddur', env: {} };
const unusable = promptCollision({});

test('tracing defaults to xray and is prompted as a list saying when to pick otel and why', () => {
  assert.equal(resolveAnswers({}, ctx).tracing, 'xray');
  assert.equal(resolveAnswers({ tracing: 'otel' }, ctx).tracing, 'otel');
  const [q] = questionsFor(['tracing'], {}, ctx, unusable);
  assert.ok(q);
  assert.equal(q.type, 'select');
  assert.ok(q.type === 'select');
  assert.deepEqual(
    q.choices.map((c) => c.value),
    ['xray', 'otel'],
  );
  assert.match(q.message, /2027-02-25/);
  assert.match(q.choices.find((c) => c.value === 'otel')?.name ?? '', /OpenTelemetry/);
  assert.equal(q.default({}), 'xray');
  assert.equal(q.validate('otel'), true);
  assert.equal(q.validate('jaeger'), 'tracing must be xray or otel');
});

test('a free-text answer is still prompted as input', () => {
  const [q] = questionsFor(['port'], {}, ctx, unusable);
  assert.equal(q?.type, 'input');
  assert.ok(!('choices' in q));
});

test('a service name another generated path or compose service has is asked again at its prompt', () => {
  const [q] = questionsFor(['serviceName'], {}, ctx, unusable);
  assert.equal(q?.validate('api'), true);
  assert.equal(
    q?.validate('aws'),
    'service-name "aws" collides with aws/json/x-ray.json, which the generator writes; choose another name',
  );
  assert.match(
    String(q?.validate('xray-daemon')),
    /collides with the xray-daemon service in docker-compose\.yml/,
  );
});

test('an answer that collides with one given earlier in the same session is asked again at once', () => {
  // Each is valid alone: the service name against the default xray, otel against the default name.
  const [q] = questionsFor(['tracing'], {}, ctx, unusable);
  assert.equal(q?.validate('otel', {}), true);
  assert.equal(
    q?.validate('otel', { serviceName: 'cloudwatch-agent' }),
    'service-name "cloudwatch-agent" collides with the cloudwatch-agent service in docker-compose.yml, which the generator writes; choose another name',
  );
  assert.equal(q?.validate('xray', { serviceName: 'cloudwatch-agent' }), true);
});
