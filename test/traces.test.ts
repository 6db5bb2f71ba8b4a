// The `traces` daemon's parts, each on its own: the wire format, the
// assembler (with a hand-driven clock), the sampling proxy, the OTLP JSON
// conversion, the waterfall (snapshot, ANSI off, and its width and marks),
// and --listen parsing.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { Assembler, assemble, traceJson, type AssembledTrace } from '../src/traces/assembler.js';
import { parseHostPort } from '../src/traces/listen.js';
import { otlpDocuments, OtlpError, xrayTraceId } from '../src/traces/otlp.js';
import { DEFAULT_RULE, SamplingProxy } from '../src/traces/sampling.js';
import { formatSeconds, renderWaterfall } from '../src/traces/waterfall.js';
import {
  documentProblem,
  MAX_DOCUMENT_BYTES,
  parseDatagram,
  type SegmentDocument,
} from '../src/traces/wire.js';
import { samplingRule } from '../src/answers/names.js';
import { parseInvocation } from '../src/cli/args.js';
import { runTraces } from '../src/traces/command.js';
import { parse as parseYaml } from 'yaml';
import { parse as parseJsonc } from 'jsonc-parser';
import { DEVCONTAINER_PATH } from '../src/render/devcontainer.js';
import { renderWorkspace } from '../src/render/workspace.js';
import { tracesCommand, TRACES_OVERRIDE_PATH } from '../src/render/compose-traces.js';
import { fileTemplates } from '../src/files/templates.js';
import { checkShape } from './support/smithy.js';
import { xrayModel } from './support/schemas.js';
import { needingSpecs } from './support/specs.js';
import { REPO_ROOT } from './support/cli.js';
import { defaultAnswers, waitFor } from './support/backend.js';

const TRACE = '1-67890abc-0123456789abcdef01234567';
const T0 = 1_733_300_000;

function datagram(doc: unknown, header = '{"format":"json","version":1}'): Buffer {
  return Buffer.from(`${header}\n${typeof doc === 'string' ? doc : JSON.stringify(doc)}`);
}

function segment(over: SegmentDocument = {}): SegmentDocument {
  return {
    name: 'backend-express',
    id: 'aaaaaaaaaaaaaaaa',
    trace_id: TRACE,
    start_time: T0,
    end_time: T0 + 0.012,
    ...over,
  };
}

function sub(id: string, parent: string, over: SegmentDocument = {}): SegmentDocument {
  return {
    type: 'subsegment',
    name: `sub-${id.slice(0, 4)}`,
    id,
    parent_id: parent,
    trace_id: TRACE,
    start_time: T0 + 0.001,
    end_time: T0 + 0.002,
    ...over,
  };
}

describe('wire format', () => {
  test('a header line and a document parse', () => {
    const d = parseDatagram(datagram(segment()));
    assert.equal(d.error, undefined);
    assert.equal(d.document?.name, 'backend-express');
  });

  for (const [what, raw, reason] of [
    ['no header line', Buffer.from(JSON.stringify(segment())), /no header line/],
    ['a header that is not JSON', datagram(segment(), '{format'), /header is not JSON/],
    ['another format', datagram(segment(), '{"format":"xml","version":1}'), /unexpected header/],
    ['a document that is not JSON', datagram('{"name":'), /not JSON/],
    ['a document that is an array', datagram([1, 2]), /not an object/],
  ] as const) {
    test(`malformed: ${what}`, () => {
      const d = parseDatagram(raw);
      assert.equal(d.document, undefined);
      assert.match(d.error ?? '', reason);
    });
  }

  test('documentProblem: what the assembler needs, and the 64 KB limit', () => {
    assert.equal(documentProblem(segment(), 100), undefined);
    assert.match(documentProblem(segment(), MAX_DOCUMENT_BYTES + 1) ?? '', /64 KB/);
    assert.match(documentProblem(segment({ trace_id: 'x' }), 100) ?? '', /trace_id/);
    assert.match(documentProblem(segment({ id: 'short' }), 100) ?? '', /16 hex/);
    assert.match(documentProblem(segment({ end_time: undefined }), 100) ?? '', /end_time/);
    assert.equal(documentProblem(segment({ end_time: undefined, in_progress: true }), 100), undefined);
    assert.match(documentProblem(sub('bbbbbbbbbbbbbbbb', 'x'), 100) ?? '', /parent_id/);
  });
});

describe('assembler', () => {
  const opts = { graceMs: 500, timeoutMs: 30_000, maxPending: 3 };

  test('a whole segment is emitted after the grace period, not before', () => {
    const a = new Assembler(opts);
    a.add(segment(), 0);
    assert.deepEqual(a.due(499), []);
    const [t] = a.due(500);
    assert.ok(t?.complete);
    assert.equal(t.traceId, TRACE);
    assert.equal(t.duration, 0.012);
    assert.equal(a.size, 0);
  });

  test('subsegments sent on their own are nested under their parents, at any depth and in any order', () => {
    const a = new Assembler(opts);
    a.add(sub('cccccccccccccccc', 'bbbbbbbbbbbbbbbb', { start_time: T0 + 0.003 }), 0);
    a.add(sub('bbbbbbbbbbbbbbbb', 'aaaaaaaaaaaaaaaa'), 10);
    assert.deepEqual(a.due(600), [], 'no segment yet');
    a.add(
      segment({ subsegments: [sub('dddddddddddddddd', 'aaaaaaaaaaaaaaaa', { start_time: T0 + 0.005 })] }),
      700,
    );
    const [t] = a.due(1200);
    assert.ok(t?.complete, t?.reason);
    const [root] = t.segments as Array<SegmentDocument & { subsegments: SegmentDocument[] }>;
    assert.deepEqual(
      root!.subsegments.map((s) => s.id),
      ['bbbbbbbbbbbbbbbb', 'dddddddddddddddd'],
      'by start time',
    );
    const b = root!.subsegments[0] as SegmentDocument & { subsegments: SegmentDocument[] };
    assert.deepEqual(
      b.subsegments.map((s) => s.id),
      ['cccccccccccccccc'],
    );
  });

  test('an in-progress segment waits for its completed version, which replaces it', () => {
    const a = new Assembler(opts);
    a.add(segment({ end_time: undefined, in_progress: true }), 0);
    assert.deepEqual(a.due(5_000), []);
    a.add(segment({ end_time: T0 + 0.5 }), 5_000);
    const [t] = a.due(5_500);
    assert.ok(t?.complete);
    assert.equal(t.segments.length, 1);
    assert.equal(t.segments[0]!.in_progress, undefined);
    assert.equal(t.duration, 0.5);
  });

  test('a late subsegment within the grace period joins the trace', () => {
    const a = new Assembler(opts);
    a.add(segment(), 0);
    a.add(sub('bbbbbbbbbbbbbbbb', 'aaaaaaaaaaaaaaaa'), 400);
    assert.deepEqual(a.due(800), [], 'the grace period restarts');
    const [t] = a.due(900);
    assert.equal((t!.segments[0] as { subsegments: unknown[] }).subsegments.length, 1);
  });

  test('a trace that never completes is emitted as incomplete after the timeout, and dropped', () => {
    const a = new Assembler(opts);
    a.add(segment({ end_time: undefined, in_progress: true }), 0);
    assert.deepEqual(a.due(29_999), []);
    const [t] = a.due(30_000);
    assert.equal(t?.complete, false);
    assert.match(t!.reason ?? '', /timed out after 30 s: backend-express is in progress/);
    assert.equal(a.size, 0);
  });

  test('an orphan subsegment keeps a trace waiting, and says whose parent is missing', () => {
    const a = new Assembler(opts);
    a.add(segment(), 0);
    a.add(sub('bbbbbbbbbbbbbbbb', 'eeeeeeeeeeeeeeee'), 0);
    assert.deepEqual(a.due(1000), []);
    const [t] = a.drain();
    assert.match(t!.reason ?? '', /parent eeeeeeeeeeeeeeee of sub-bbbb never arrived/);
    assert.equal(t!.segments.length, 2, 'the orphan is shown at the top level');
  });

  test('past maxPending the oldest pending trace is pushed out as incomplete', () => {
    const a = new Assembler(opts);
    const id = (n: number) => `1-67890abc-${String(n).padStart(24, '0')}`;
    for (let n = 1; n <= 3; n++)
      assert.deepEqual(a.add(segment({ trace_id: id(n), in_progress: true }), n), []);
    const out = a.add(segment({ trace_id: id(4) }), 4);
    assert.equal(out.length, 1);
    assert.equal(out[0]!.traceId, id(1));
    assert.match(out[0]!.reason ?? '', /more than 3 traces pending/);
    assert.equal(a.size, 3);
  });

  test('a document for a trace already printed comes out on its own, marked late', () => {
    const a = new Assembler(opts);
    a.add(segment(), 0);
    a.due(500);
    a.add(sub('bbbbbbbbbbbbbbbb', 'aaaaaaaaaaaaaaaa'), 600);
    const [t] = a.due(1100);
    assert.equal(t?.complete, false);
    assert.match(t!.reason ?? '', /after the trace was printed/);
  });

  test('drain: ready traces are complete, the rest incomplete with the reason', () => {
    const a = new Assembler(opts);
    a.add(segment(), 0);
    a.add(
      segment({ trace_id: '1-67890abc-ffffffffffffffffffffffff', in_progress: true, end_time: undefined }),
      0,
    );
    const out = a.drain();
    assert.deepEqual(
      out.map((t) => [t.complete, t.reason]),
      [
        [true, undefined],
        [false, 'backend-express is in progress'],
      ],
    );
  });

  test('the --json line: trace_id, duration in seconds, segments as received (nested); the input is not changed', () => {
    const docs = [segment(), sub('bbbbbbbbbbbbbbbb', 'aaaaaaaaaaaaaaaa', { metadata: { d: { n: 1 } } })];
    const before = JSON.stringify(docs);
    const line = JSON.parse(traceJson(assemble(TRACE, docs))) as Record<string, unknown>;
    assert.deepEqual(Object.keys(line), ['trace_id', 'duration', 'segments']);
    assert.equal(line.duration, 0.012);
    assert.deepEqual(line.segments, [{ ...segment(), subsegments: [docs[1]] }]);
    assert.equal(JSON.stringify(docs), before);
  });
});

describe('sampling proxy', () => {
  const { test } = needingSpecs('sampling proxy (Smithy model)');
  const rule = samplingRule(defaultAnswers()).SamplingRule;
  const clientA = 'a'.repeat(24);
  const clientB = 'b'.repeat(24);
  const stats = (client: string, name = rule.RuleName) => ({
    SamplingStatisticsDocuments: [
      { RuleName: name, ClientID: client, Timestamp: T0, RequestCount: 10, SampledCount: 2, BorrowCount: 1 },
    ],
  });

  test('GetSamplingRules: the workspace rule and Default, shaped as X-Ray returns them (Attributes: {})', () => {
    const proxy = new SamplingProxy([rule], T0);
    const answer = proxy.handle('POST', '/GetSamplingRules', '{}', T0);
    assert.equal(answer.status, 200);
    // X-Ray itself returns Default with Priority 10000, above the 9999 a rule may be given.
    const problems = checkShape(xrayModel(), 'com.amazonaws.xray#GetSamplingRulesResult', answer.body).filter(
      (p) => !/^Value '10000' at 'samplingRuleRecords\.2\.member\.samplingRule\.priority'/.test(p),
    );
    assert.deepEqual(problems, []);
    const records = (answer.body as { SamplingRuleRecords: Array<{ SamplingRule: Record<string, unknown> }> })
      .SamplingRuleRecords;
    assert.deepEqual(
      records.map((r) => [r.SamplingRule.RuleName, r.SamplingRule.Attributes]),
      [
        [rule.RuleName, {}],
        ['Default', {}],
      ],
    );
    assert.equal(records[1]!.SamplingRule.FixedRate, DEFAULT_RULE.FixedRate);
  });

  test('SamplingTargets: the rule FixedRate and its reservoir shared between the clients reporting', () => {
    const proxy = new SamplingProxy([{ ...rule, ReservoirSize: 5 }], T0);
    const first = proxy.handle('POST', '/SamplingTargets', JSON.stringify(stats(clientA)), T0);
    assert.deepEqual(checkShape(xrayModel(), 'com.amazonaws.xray#GetSamplingTargetsResult', first.body), []);
    const target = (first.body as { SamplingTargetDocuments: Array<Record<string, unknown>> })
      .SamplingTargetDocuments[0]!;
    assert.equal(target.FixedRate, rule.FixedRate);
    assert.equal(target.ReservoirQuota, 5, 'one client takes the whole reservoir');
    const quota = (client: string, at: number) =>
      (
        proxy.handle('POST', '/SamplingTargets', JSON.stringify(stats(client)), at).body as {
          SamplingTargetDocuments: Array<{ ReservoirQuota: number }>;
        }
      ).SamplingTargetDocuments[0]!.ReservoirQuota;
    assert.equal(quota(clientB, T0 + 1) + quota(clientA, T0 + 1), 5, 'two clients share it');
    assert.equal(quota(clientB, T0 + 40), 5, 'a client silent for two intervals no longer counts');
    assert.deepEqual(proxy.statistics.get(rule.RuleName), { requests: 40, sampled: 8, borrowed: 4 });
  });

  test('SamplingTargets: an unknown rule is unprocessed; a malformed request is a 400', () => {
    const proxy = new SamplingProxy([rule], T0);
    const answer = proxy.handle('POST', '/SamplingTargets', JSON.stringify(stats(clientA, 'Nope')), T0);
    assert.deepEqual((answer.body as { UnprocessedStatistics: unknown[] }).UnprocessedStatistics, [
      { RuleName: 'Nope', ErrorCode: '400', Message: 'Unknown rule' },
    ]);
    assert.equal(proxy.handle('POST', '/SamplingTargets', '{}', T0).status, 400);
    assert.equal(proxy.handle('POST', '/SamplingTargets', '{', T0).status, 400);
    assert.equal(proxy.handle('GET', '/GetSamplingRules', '', T0).status, 404);
  });
});

describe('OTLP JSON', () => {
  const traceHex = '67890abc0123456789abcdef01234567';
  const attr = (key: string, v: unknown) => ({
    key,
    value:
      typeof v === 'string'
        ? { stringValue: v }
        : typeof v === 'number'
          ? { intValue: String(v) }
          : Array.isArray(v)
            ? { arrayValue: { values: v.map((s: string) => ({ stringValue: s })) } }
            : { boolValue: v },
  });
  const ns = (s: number) => String(BigInt(Math.round(s * 1e6)) * 1000n);
  const body = {
    resourceSpans: [
      {
        resource: { attributes: [attr('service.name', 'backend-express')] },
        scopeSpans: [
          {
            spans: [
              {
                traceId: traceHex,
                spanId: 'bbbbbbbbbbbbbbbb',
                parentSpanId: 'aaaaaaaaaaaaaaaa',
                name: 'mock-data',
                kind: 1,
                startTimeUnixNano: ns(T0 + 0.001),
                endTimeUnixNano: ns(T0 + 0.002),
                attributes: [attr('now', 'x'), attr('activities', 3)],
              },
              {
                traceId: traceHex,
                spanId: 'aaaaaaaaaaaaaaaa',
                name: 'GET /api/activities/home',
                kind: 'SPAN_KIND_SERVER',
                startTimeUnixNano: ns(T0),
                endTimeUnixNano: ns(T0 + 0.01),
                attributes: [
                  attr('http.request.method', 'GET'),
                  attr('url.scheme', 'http'),
                  attr('server.address', 'localhost'),
                  attr('server.port', 4567),
                  attr('url.path', '/api/activities/home'),
                  attr('http.response.status_code', 500),
                  attr('service_name', 'backend-express'),
                  attr('aws.xray.annotations', ['service_name']),
                ],
                status: { code: 2, message: 'boom' },
                events: [
                  {
                    name: 'exception',
                    attributes: [attr('exception.type', 'Error'), attr('exception.message', 'boom')],
                  },
                ],
              },
            ],
          },
        ],
      },
    ],
  };

  test('a SERVER span is a segment named by service.name; a child span is its subsegment', () => {
    const [child, server] = otlpDocuments(body);
    assert.equal(server!.name, 'backend-express');
    assert.equal(server!.type, undefined);
    assert.equal(server!.trace_id, '1-67890abc-0123456789abcdef01234567');
    assert.equal(server!.start_time, T0);
    assert.deepEqual(server!.http, {
      request: { method: 'GET', url: 'http://localhost:4567/api/activities/home' },
      response: { status: 500 },
    });
    assert.deepEqual(server!.annotations, { service_name: 'backend-express' });
    assert.equal(server!.fault, true);
    assert.deepEqual(server!.cause, { exceptions: [{ message: 'boom', type: 'Error' }] });
    assert.equal(child!.type, 'subsegment');
    assert.equal(child!.parent_id, 'aaaaaaaaaaaaaaaa');
    assert.deepEqual(child!.metadata, { default: { now: 'x', activities: 3 } });
    const t = assemble(String(server!.trace_id), otlpDocuments(body));
    assert.equal(t.segments.length, 1);
    assert.equal((t.segments[0] as { subsegments: SegmentDocument[] }).subsegments[0]!.name, 'mock-data');
  });

  test('4xx is an error, 429 also a throttle; ids in X-Ray form; bad bodies name the problem', () => {
    const span = body.resourceSpans[0]!.scopeSpans[0]!.spans[1]!;
    const with429 = {
      resourceSpans: [
        {
          resource: body.resourceSpans[0]!.resource,
          scopeSpans: [
            {
              spans: [
                {
                  ...span,
                  attributes: [attr('http.response.status_code', 429)],
                  status: { code: 2, message: '' },
                },
              ],
            },
          ],
        },
      ],
    };
    const [doc] = otlpDocuments(with429);
    assert.deepEqual([doc!.error, doc!.throttle, doc!.fault], [true, true, undefined]);
    assert.equal(xrayTraceId(traceHex), '1-67890abc-0123456789abcdef01234567');
    assert.throws(() => otlpDocuments({}), OtlpError);
    const badId = structuredClone(body);
    badId.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.traceId = 'xyz';
    assert.throws(() => otlpDocuments(badId), /traceId "xyz"/);
  });
});

/** A fixed trace: a request, its mock-data subsegment, a failing call and a throttled one. */
function fixedTrace(): AssembledTrace {
  return assemble(TRACE, [
    segment({
      end_time: T0 + 0.0123,
      http: {
        request: { method: 'GET', url: 'http://localhost:4567/api/activities/home' },
        response: { status: 200 },
      },
      annotations: { service_name: 'backend-express' },
      subsegments: [
        {
          name: 'mock-data',
          id: 'bbbbbbbbbbbbbbbb',
          start_time: T0 + 0.0002,
          end_time: T0 + 0.00024,
          annotations: { now: '2026-12-04T20:00:00.000Z', activities: 3 },
          metadata: { default: { results: [] } },
        },
      ],
    }),
    sub('cccccccccccccccc', 'aaaaaaaaaaaaaaaa', {
      name: 'users-api',
      start_time: T0 + 0.001,
      end_time: T0 + 0.009,
      fault: true,
      http: { request: { method: 'POST', url: 'http://users:8080/lookup' }, response: { status: 503 } },
      cause: { exceptions: [{ type: 'Error', message: 'connect ECONNREFUSED' }] },
    }),
    sub('dddddddddddddddd', 'aaaaaaaaaaaaaaaa', {
      name: 'DynamoDB',
      start_time: T0 + 0.0095,
      end_time: T0 + 0.012,
      error: true,
      throttle: true,
      http: { response: { status: 429 } },
    }),
  ]);
}

describe('waterfall', () => {
  test('snapshot of a fixed trace (ANSI off, 100 columns)', () => {
    const text = renderWaterfall(fixedTrace(), { width: 100, color: false }).join('\n') + '\n';
    const file = join(REPO_ROOT, 'test/__snapshots__/traces/waterfall.txt');
    if (process.env.UPDATE_SNAPSHOTS === '1') {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
    }
    assert.equal(text, readFileSync(file, 'utf8'));
  });

  test('one line per segment and subsegment, indented by depth, with offsets, durations, HTTP, annotations, marks', () => {
    const lines = renderWaterfall(fixedTrace(), { width: 160, color: false });
    assert.equal(lines.length, 5);
    assert.match(lines[0]!, /^trace 1-67890abc-0123456789abcdef01234567 {2}12\.3ms {2}4 segments$/);
    assert.match(
      lines[1]!,
      /^backend-express +\+0µs +12\.3ms \|█+\| GET http:\/\/localhost:4567\/api\/activities\/home 200 {2}service_name=backend-express$/,
    );
    assert.match(
      lines[2]!,
      /^ {2}mock-data +\+200µs +40µs \|█ +\| now=2026-12-04T20:00:00\.000Z activities=3$/,
    );
    assert.match(
      lines[3]!,
      /^ {2}users-api +\+1\.00ms +8\.00ms \| +█+ +\| POST http:\/\/users:8080\/lookup 503 {2}FAULT: Error: connect ECONNREFUSED$/,
    );
    assert.match(lines[4]!, /^ {2}DynamoDB .*429 {2}THROTTLE ERROR$/);
  });

  test('fits the width, keeping the marks; colour only when asked', () => {
    for (const width of [60, 80, 120]) {
      for (const line of renderWaterfall(fixedTrace(), { width, color: false }))
        assert.ok([...line].length <= width, `${[...line].length} > ${width}: ${line}`);
    }
    const narrow = renderWaterfall(fixedTrace(), { width: 80, color: false });
    assert.match(narrow[3]!, /\| FAULT: Error: conn/, 'the marks before the URL');
    assert.ok(!narrow.join('\n').includes('\u001b['), 'no ANSI');
    assert.ok(
      renderWaterfall(fixedTrace(), { width: 80, color: true }).join('\n').includes('\u001b[31m'),
      'red',
    );
  });

  test('an incomplete trace says why; an in-progress segment has no duration', () => {
    const t = assemble(
      TRACE,
      [segment({ end_time: undefined, in_progress: true })],
      'backend-express is in progress',
    );
    const lines = renderWaterfall(t, { width: 100, color: false });
    assert.equal(lines[1], 'INCOMPLETE: backend-express is in progress');
    assert.match(lines[2]!, /… \|░+\| IN PROGRESS$/);
  });

  test('durations carry units', () => {
    assert.deepEqual([0.000042, 0.001, 0.0042, 0.0123, 0.5, 2.345].map(formatSeconds), [
      '42µs',
      '1.00ms',
      '4.20ms',
      '12.3ms',
      '500ms',
      '2.35s',
    ]);
  });
});

describe('--listen / --otlp', () => {
  test('host:port, [v6]:port and a bare port; anything else is one line naming the flag', () => {
    assert.deepEqual(parseHostPort('127.0.0.1:2000', '--listen', '127.0.0.1:2000'), {
      host: '127.0.0.1',
      port: 2000,
    });
    assert.deepEqual(parseHostPort('[::1]:0', '--listen', ''), { host: '::1', port: 0 });
    assert.deepEqual(parseHostPort('2001', '--listen', ''), { host: '127.0.0.1', port: 2001 });
    assert.deepEqual(parseHostPort('localhost:2000', '--listen', ''), { host: 'localhost', port: 2000 });
    for (const bad of ['', 'x', '127.0.0.1:', '127.0.0.1:70000', 'a b:1', '1.2.3.4:2000:1']) {
      assert.throws(
        () => parseHostPort(bad, '--listen', '127.0.0.1:2000'),
        (err: Error) =>
          /^--listen ".*" is not <host:port> .*\(e\.g\. --listen 127\.0\.0\.1:2000\)$/.test(err.message),
        bad,
      );
    }
  });
});

describe('docker-compose.traces.yml', () => {
  type Service = {
    environment?: Record<string, string>;
    depends_on?: string[] | Record<string, { required?: boolean }>;
    profiles?: string[];
    extra_hosts?: string[];
  };
  type Compose = { services: Record<string, Service> };
  function files(tracing: 'xray' | 'otel') {
    const answers = defaultAnswers({ tracing });
    const ctx = { answers, host: 'local' as const, templates: fileTemplates() };
    const byPath = new Map(renderWorkspace(ctx).map((f) => [f.path, f.contents]));
    return {
      answers,
      command: tracesCommand(ctx),
      base: parseYaml(byPath.get('docker-compose.yml')!) as Compose,
      override: parseYaml(byPath.get(TRACES_OVERRIDE_PATH)!) as Compose,
      readme: byPath.get('README.md')!,
      devcontainer: parseJsonc(byPath.get(DEVCONTAINER_PATH)!) as { service: string; features: object },
    };
  }

  test('xray: the backend sends to the host where traces listens; xray-daemon is left out without breaking depends_on', () => {
    const { answers, command, base, override, readme } = files('xray');
    const backend = override.services[answers.serviceName]!;
    const listenPort = /--listen 0\.0\.0\.0:(\d+)/.exec(command)?.[1];
    assert.equal(backend.environment?.AWS_XRAY_DAEMON_ADDRESS, `host.docker.internal:${listenPort}`);
    assert.deepEqual(backend.extra_hosts, ['host.docker.internal:host-gateway']);
    // Only services the base file defines: a service only in the override would lack an image.
    for (const name of Object.keys(override.services))
      assert.ok(base.services[name], `${name} is in docker-compose.yml`);
    const baseDeps = base.services[answers.serviceName]!.depends_on;
    assert.ok(
      Array.isArray(baseDeps) && baseDeps.includes('xray-daemon'),
      'the base backend depends on the daemon',
    );
    assert.deepEqual(backend.depends_on, {
      'xray-daemon': { condition: 'service_started', required: false },
    });
    assert.deepEqual(override.services['xray-daemon'], { profiles: ['aws'] });
    // What compose makes of the two: environment maps merge key by key.
    const merged = { ...base.services[answers.serviceName]!.environment, ...backend.environment };
    assert.equal(merged.AWS_XRAY_DAEMON_ADDRESS, 'host.docker.internal:2000');
    assert.equal(merged.PORT, String(answers.port), 'the rest of the backend environment stays');
    assert.ok(
      readme.includes('AWS_XRAY_DAEMON_ADDRESS=127.0.0.1:2000 npm run dev'),
      'README: a backend on the host',
    );
    assert.ok(readme.includes(`docker compose -f docker-compose.yml -f ${TRACES_OVERRIDE_PATH} up --build`));
    assert.ok(readme.includes(command));
  });

  test('README: in a Dev Container the override cannot be started, so it sends readers to the first way', () => {
    const { readme, devcontainer } = files('xray');
    // The editor's terminal is the Dev Container's service, and nothing installs Docker there.
    assert.ok(!Object.keys(devcontainer.features).some((f) => f.includes('docker')));
    const section = readme.slice(readme.indexOf('## See traces without an AWS account'));
    assert.match(
      section,
      new RegExp(`Dev Container or Codespace, take the first way[^]*\`${devcontainer.service}\` container`),
    );
  });

  test('otel: the OTLP and sampling endpoints point at the host; the collector is left out', () => {
    const { answers, command, override, readme } = files('otel');
    const backend = override.services[answers.serviceName]!;
    assert.deepEqual(backend.environment, {
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://host.docker.internal:4318/v1/traces',
      OTEL_TRACES_SAMPLER_ARG: 'endpoint=http://host.docker.internal:2000',
    });
    assert.deepEqual(override.services['cloudwatch-agent'], { profiles: ['aws'] });
    assert.match(command, /--listen 0\.0\.0\.0:2000 --otlp 0\.0\.0\.0:4318$/);
    assert.ok(readme.includes('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http://127.0.0.1:4318/v1/traces'));
  });
});

describe('traces in process: the rule file', () => {
  test('an edit applies while it runs: new rules served, LastRuleModification moves; a broken edit keeps the old ones', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'cruddur-traces-reload-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const rule = samplingRule(defaultAnswers()).SamplingRule;
    const file = join(dir, 'aws/json/x-ray.json');
    mkdirSync(dirname(file), { recursive: true });
    let edits = 0;
    const write = (text: string) => {
      writeFileSync(file, text);
      // A new mtime even within the file system's timestamp resolution.
      const at = new Date(Date.now() + ++edits * 2_000);
      utimesSync(file, at, at);
    };
    write(JSON.stringify({ SamplingRule: { ...rule, FixedRate: 0.1 } }));
    const errors: string[] = [];
    const stop = new AbortController();
    const io = { cwd: dir, env: {}, out: () => {}, err: (l: string) => errors.push(l), interactive: false };
    const inv = parseInvocation(['traces', '--listen', '127.0.0.1:0', '--otlp', '127.0.0.1:0', '--json']);
    const running = runTraces(inv, io, {
      signal: stop.signal,
      terminal: { columns: () => 80, color: false },
    });
    t.after(() => stop.abort());
    const port = await waitFor(
      () => errors.map((l) => /segments on udp 127\.0\.0\.1:(\d+)/.exec(l)?.[1]).find(Boolean),
      'traces to listen',
    );
    const post = async (path: string, body: unknown) =>
      (await (
        await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', body: JSON.stringify(body) })
      ).json()) as Record<string, unknown>;
    const rates = async () =>
      (
        (await post('/GetSamplingRules', {})).SamplingRuleRecords as Array<{
          SamplingRule: { RuleName: string; FixedRate: number };
        }>
      ).map((r) => [r.SamplingRule.RuleName, r.SamplingRule.FixedRate]);
    const targets = () =>
      post('/SamplingTargets', {
        SamplingStatisticsDocuments: [
          {
            RuleName: rule.RuleName,
            ClientID: 'c'.repeat(24),
            Timestamp: T0,
            RequestCount: 1,
            SampledCount: 0,
            BorrowCount: 0,
          },
        ],
      });

    assert.deepEqual(await rates(), [
      [rule.RuleName, 0.1],
      ['Default', 0.05],
    ]);
    const before = Number((await targets()).LastRuleModification);
    write(JSON.stringify({ SamplingRule: { ...rule, FixedRate: 1 } }));
    const after = await targets();
    assert.ok(Number(after.LastRuleModification) > before, 'the client is told to fetch the rules again');
    assert.equal((after.SamplingTargetDocuments as Array<{ FixedRate: number }>)[0]!.FixedRate, 1);
    assert.deepEqual((await rates())[0], [rule.RuleName, 1]);
    assert.ok(
      errors.some((l) => /aws\/json\/x-ray\.json changed; serving .*then 100%/.test(l)),
      errors.join('\n'),
    );

    write('{ not json');
    assert.deepEqual((await rates())[0], [rule.RuleName, 1], 'a broken edit keeps the rules read before');
    assert.ok(
      errors.some((l) => /changed but .*not valid JSON.*still serving the rules read before/.test(l)),
    );

    stop.abort();
    assert.equal(await running, 0);
  });
});
