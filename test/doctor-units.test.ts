// The pure parts of doctor: X-Ray's rule choice, and the X-Ray stand-in's
// trace reads that doctor's probe relies on (filters, time window).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  decidingRule,
  ruleMatches,
  shadowingRule,
  type MatchableRule,
  type SampledRequest,
} from '../src/doctor/rule-match.js';
import { parseFilter, TraceStore } from './fakes/xray-traces.js';

const REQ: SampledRequest = {
  serviceName: 'backend-express',
  serviceType: '',
  host: 'localhost:4567',
  method: 'GET',
  urlPath: '/api/activities/home',
  resourceArn: '',
};

function rule(name: string, over: Partial<MatchableRule> = {}): MatchableRule {
  return {
    RuleName: name,
    Priority: 5000,
    FixedRate: 0.1,
    ReservoirSize: 1,
    ServiceName: '*',
    ServiceType: '*',
    Host: '*',
    HTTPMethod: '*',
    URLPath: '*',
    ResourceARN: '*',
    ...over,
  };
}

describe('X-Ray rule choice', () => {
  test('globs: * any run, ? one character, case-insensitive, whole string', () => {
    assert.ok(ruleMatches(rule('a', { ServiceName: 'backend-???ress' }), REQ));
    assert.ok(ruleMatches(rule('a', { URLPath: '/API/*' }), REQ));
    assert.ok(!ruleMatches(rule('a', { URLPath: '/api' }), REQ), 'no prefix match');
    assert.ok(!ruleMatches(rule('a', { HTTPMethod: 'POST' }), REQ));
    assert.ok(!ruleMatches(rule('a', { ServiceType: 'AWS::EC2::Instance' }), REQ), 'no origin here');
    assert.ok(!ruleMatches(rule('a', { ResourceARN: 'arn:aws:ecs:*' }), REQ));
  });

  test('a rule with Attributes never matches the backend, which sends none', () => {
    assert.ok(!ruleMatches(rule('a', { Attributes: { team: 'x' } }), REQ));
    assert.ok(ruleMatches(rule('a', { Attributes: {} }), REQ));
  });

  test('priority first, then rule name, decides', () => {
    const rules = [
      rule('b', { Priority: 10 }),
      rule('a', { Priority: 10 }),
      rule('c', { Priority: 1, URLPath: '/x' }),
    ];
    assert.equal(decidingRule(rules, REQ)?.RuleName, 'a');
  });

  test('shadowing: only a rule evaluated before ours that takes one of the requests', () => {
    const ours = rule('Ours', { Priority: 9000, ServiceName: 'backend-express' });
    assert.equal(shadowingRule([ours, rule('Default', { Priority: 10000 })], 'Ours', [REQ]), undefined);
    const early = rule('Early', { Priority: 10, URLPath: '/api/health' });
    const health = { ...REQ, urlPath: '/api/health' };
    assert.equal(
      shadowingRule([ours, early], 'Ours', [REQ]),
      undefined,
      'Early does not take /api/activities/home',
    );
    assert.deepEqual(shadowingRule([ours, early], 'Ours', [REQ, health]), { rule: early, request: health });
    const tie = rule('Aaa', { Priority: 9000 });
    assert.equal(shadowingRule([ours, tie], 'Ours', [REQ])?.rule.RuleName, 'Aaa', 'a tie goes by name');
    assert.equal(
      shadowingRule([early], 'Missing', [health]),
      undefined,
      'no rule of ours: nothing to shadow',
    );
  });
});

describe('X-Ray stand-in: traces', () => {
  const seg = (trace: string, id: string, start: number, annotations: Record<string, unknown> = {}) =>
    JSON.stringify({
      id,
      trace_id: trace,
      name: 'svc',
      start_time: start,
      end_time: start + 0.01,
      annotations,
    });
  const T1 = '1-5f000000-000000000000000000000001';
  const T2 = '1-5f000000-000000000000000000000002';

  test('PutTraceSegments keeps valid documents and reports the rest', () => {
    const store = new TraceStore();
    const out = store.put({
      TraceSegmentDocuments: [seg(T1, 'aaaaaaaaaaaaaaaa', 100), '{"id":"zz"}', 'not json'],
    });
    assert.equal(out.UnprocessedTraceSegments.length, 2);
    assert.equal(store.documentsOf(T1).length, 1);
  });

  test('GetTraceSummaries applies the filter and the window; BatchGetTraces returns documents', () => {
    const store = new TraceStore();
    store.put({
      TraceSegmentDocuments: [
        seg(T1, 'aaaaaaaaaaaaaaaa', 100, { service_name: 'api' }),
        seg(T2, 'bbbbbbbbbbbbbbbb', 100, { service_name: 'web' }),
      ],
    });
    const ids = (filter: string, start = 50, end = 150) =>
      store
        .summaries({ StartTime: start, EndTime: end, FilterExpression: filter })
        .TraceSummaries.map((s) => s.Id);
    assert.deepEqual(ids('annotation.service_name = "api"'), [T1]);
    assert.deepEqual(ids('annotation.service_name != "api"'), [T2]);
    assert.deepEqual(ids('annotation.service_name = "api" OR annotation.service_name = "web"'), [T1, T2]);
    assert.deepEqual(ids('service("svc") AND NOT annotation.service_name = "web"'), [T1]);
    assert.deepEqual(ids('annotation.service_name = "api"', 101, 150), [], 'outside the window');
    assert.throws(() => ids('annotation.service_name = "api"', 0, 90_000), /24 hours/);
    assert.throws(
      () => ids('responsetime > 5'),
      /does not evaluate/,
      'an unknown filter is refused, not misread',
    );
    assert.throws(() => parseFilter('(annotation.a = 1'), /unbalanced/);
    const got = store.batchGet({ TraceIds: [T1, '1-5f000000-00000000000000000000dead'] });
    assert.deepEqual(
      got.Traces.map((t) => t.Id),
      [T1],
    );
    assert.equal(JSON.parse(got.Traces[0]!.Segments[0]!.Document).annotations.service_name, 'api');
  });
});
