// A local stand-in for the AWS X-Ray API (REST-JSON, `aws.protocols#restJson1`),
// reached by the real @aws-sdk/client-xray through AWS_ENDPOINT_URL_XRAY.
// Loopback only.
//
// What it takes from the Smithy model (shared/specs/xray-smithy-model.json),
// rather than hard-coding:
// - the routes: every operation's `smithy.api#http` method and URI
//   (GetGroups is `POST /Groups`, not `/GetGroups`);
// - request validation: required members, `length` (strings in Unicode code
//   points, lists, maps), `range`, `pattern`, enums and JSON types, through
//   nested structures, lists and maps; failures come back as the service's
//   coral-style `InvalidRequestException` ("1 validation error detected: Value
//   '1.5' at 'samplingRule.fixedRate' failed to satisfy constraint: ...");
// - error status codes (`smithy.api#httpError`, 400 for client errors without one).
//
// What it mirrors of the service's behaviour:
// - SigV4: a request without `authorization` gets 403
//   MissingAuthenticationTokenException; a malformed header 403
//   IncompleteSignatureException; a scope that is not `<date>/<region>/xray/aws4_request`
//   403 InvalidSignatureException. With `credentials`, signatures are
//   recomputed and checked (unknown key: UnrecognizedClientException, wrong
//   secret: InvalidSignatureException, older than 15 minutes: expired);
// - state: groups and sampling rules, kept across requests; names are unique
//   (a duplicate create is an InvalidRequestException, never a second copy);
// - the `Default` group and the `Default` sampling rule always exist: the
//   group cannot be created, updated or deleted; of the rule only FixedRate and
//   ReservoirSize may change, and it cannot be deleted;
// - pagination with an opaque NextToken and a small page size (default 2) so
//   that clients which read only the first page are caught;
// - a limit on sampling rules (RuleLimitExceededException);
// - errors: `x-amzn-errortype` header plus a JSON body `{"Message": ...}`
//   (auth errors: `{"message": ...}` and a `:http://internal.amazon.com/...`
//   suffix on the header, as AWS front ends send them).
// Throttling (429 ThrottledException) and arbitrary errors can be injected, and
// so can hostile behaviour (`misbehave`): an answer that never comes, a
// connection closed at once, any raw answer (an HTML page, malformed JSON, a
// list that is not a list), an endless body, NextTokens that come round again.
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SPECS_DIR } from '../support/specs.js';
import { Validator, type SmithyModel } from '../support/smithy.js';
import { DEFAULT_RULE } from './xray-daemon.js';
import { TraceApiError, TraceStore } from './xray-traces.js';
import { answerHuge, answerRaw } from './hostile.js';
import { XRAY_BUILT_IN_NAME, type SamplingRuleDocument } from '../../src/answers/names.js';

const NS = 'com.amazonaws.xray#';

export interface XRayFakeOptions {
  /** Path of the Smithy JSON AST. Default: `$SPECS_DIR/xray-smithy-model.json`. */
  modelPath?: string;
  /** The region this endpoint serves; requests signed for another are refused. Default us-east-1. */
  region?: string;
  accountId?: string;
  /**
   * accessKeyId -> secretAccessKey. When given, signatures are verified and
   * other keys are refused. When absent, only the header's form is checked.
   */
  credentials?: Record<string, string>;
  /** Items per page for GetGroups and GetSamplingRules. Default 2. */
  pageSize?: number;
  /** Sampling rules an account may have besides Default. Default 25 (the service quota). */
  maxSamplingRules?: number;
  /** Groups to exist before the first request (besides Default). */
  groups?: Array<{ GroupName: string; FilterExpression?: string }>;
  /** Sampling rules to exist before the first request (besides Default); missing fields take `*`/defaults. */
  samplingRules?: Array<Partial<FakeSamplingRule> & { RuleName: string }>;
}

export interface FakeGroup {
  GroupName: string;
  GroupARN: string;
  FilterExpression?: string;
  InsightsConfiguration: { InsightsEnabled: boolean; NotificationsEnabled: boolean };
}

/** A stored rule: the fields aws/json/x-ray.json sets, plus what the service adds. */
export type FakeSamplingRule = SamplingRuleDocument['SamplingRule'] & {
  RuleARN: string;
  Attributes: Record<string, string>;
};

export interface FakeSamplingRuleRecord {
  SamplingRule: FakeSamplingRule;
  CreatedAt: number;
  ModifiedAt: number;
}

export interface FakeError {
  status: number;
  type: string;
  message: string;
}

/** What a hostile or broken endpoint does instead of answering as X-Ray. */
export type Misbehaviour =
  /** Reads the request and never answers (the connection stays open). */
  | { kind: 'hang' }
  /** Destroys the connection as soon as the request has arrived. */
  | { kind: 'close' }
  /** Answers exactly this. */
  | { kind: 'raw'; status: number; contentType?: string; body: string }
  /** Answers 200 with `bytes` of body, streamed as the client reads (content-length declared or not). */
  | { kind: 'huge'; bytes: number; declareLength?: boolean }
  /** Answers an empty page whose NextToken goes round `tokens` for ever. */
  | { kind: 'cycle'; tokens: string[] };

export interface XRayCall {
  op: string;
  input: unknown;
  /** HTTP status the fake answered with; 0 when it did not answer (hang, close). */
  status: number;
  /** Error type when status is not 200, or the misbehaviour's kind. */
  error?: string;
  /** The access key the request was signed with: tells the daemon's calls from a command's. */
  accessKeyId?: string;
}

export interface XRayFake {
  /** `http://127.0.0.1:<port>`, for AWS_ENDPOINT_URL_XRAY. */
  endpoint: string;
  region: string;
  state: {
    groups: Map<string, FakeGroup>;
    samplingRules: Map<string, FakeSamplingRuleRecord>;
    /** Segments received through PutTraceSegments (the daemon's forwarding). */
    traces: TraceStore;
  };
  /** Every request that reached an operation (signed, routed), in order. */
  calls: XRayCall[];
  /** Requests refused before reaching an operation (authentication, routing). */
  rejected: Array<{ method: string; path: string; status: number; type: string; message: string }>;
  /** The next `n` requests (to `op`, or to any operation) get 429 ThrottledException. */
  injectThrottle(n: number, op?: string): void;
  /** The next `times` (default 1) requests to `op` get this error. */
  injectError(op: string, err: FakeError & { times?: number }): void;
  /**
   * Just before the next request to `op` is handled, another client's
   * `otherOp` with `otherInput` succeeds (a race). It is not in `calls`.
   */
  interleave(op: string, otherOp: string, otherInput: Record<string, unknown>): void;
  /**
   * The next `times` (default 1; Infinity for ever) requests to `op` (or to any
   * operation, with '*') get `behaviour` instead of an answer.
   */
  misbehave(op: string, behaviour: Misbehaviour, times?: number): void;
  /** Body bytes written by `huge` answers so far (what a client that stops reading cuts short). */
  hugeBytesSent(): number;
  /** Operation name -> `METHOD /uri`, as read from the model. */
  routes: Map<string, string>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------- the model

interface Operation {
  name: string;
  method: string;
  uri: string;
  input?: string;
}

const modelCache = new Map<string, SmithyModel>();

function loadModel(path: string): SmithyModel {
  let model = modelCache.get(path);
  if (!model) {
    model = JSON.parse(readFileSync(path, 'utf8')) as SmithyModel;
    modelCache.set(path, model);
  }
  return model;
}

function operationsOf(model: SmithyModel): Operation[] {
  const ops: Operation[] = [];
  for (const [id, shape] of Object.entries(model.shapes)) {
    if (shape.type !== 'operation') continue;
    const http = shape.traits?.['smithy.api#http'] as { method: string; uri: string } | undefined;
    if (!http) continue;
    ops.push({
      name: id.slice(id.indexOf('#') + 1),
      method: http.method,
      uri: http.uri,
      input: shape.input?.target,
    });
  }
  return ops;
}

function errorStatus(model: SmithyModel, type: string): number | undefined {
  const shape = model.shapes[NS + type];
  if (!shape?.traits?.['smithy.api#error']) return undefined;
  const code = shape.traits['smithy.api#httpError'];
  if (typeof code === 'number') return code;
  return shape.traits['smithy.api#error'] === 'server' ? 500 : 400;
}

// ------------------------------------------------------------------ SigV4

const SIGV4 =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;

function escapeUri(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function canonicalPath(rawPath: string): string {
  const segments: string[] = [];
  for (const seg of rawPath.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') segments.pop();
    else segments.push(seg);
  }
  const normal = `/${segments.join('/')}${segments.length && rawPath.endsWith('/') ? '/' : ''}`;
  return escapeUri(normal).replace(/%2F/g, '/');
}

function canonicalQuery(search: URLSearchParams): string {
  return [...search.entries()]
    .map(([k, v]) => [escapeUri(k), escapeUri(v)])
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

const hmac = (key: Buffer | string, data: string): Buffer =>
  createHmac('sha256', key).update(data, 'utf8').digest();
const sha256hex = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

function amzDateToMs(d: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(d);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : NaN;
}

// ------------------------------------------------------------------ server

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    /** Auth errors come from AWS's front end, which words them differently. */
    readonly frontEnd = false,
  ) {
    super(message);
  }
}

const DEFAULT_STORED_RULE: Omit<FakeSamplingRule, 'RuleARN'> = { ...DEFAULT_RULE, Attributes: {} };

const RULE_UPDATABLE = [
  'ResourceARN',
  'Priority',
  'FixedRate',
  'ReservoirSize',
  'Host',
  'ServiceName',
  'ServiceType',
  'HTTPMethod',
  'URLPath',
  'Attributes',
] as const;

function filterExpressionProblem(expr: string): string | undefined {
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '(') depth++;
    else if (c === ')' && --depth < 0) return 'unbalanced parentheses';
  }
  if (quoted) return 'unterminated string';
  if (depth !== 0) return 'unbalanced parentheses';
  return undefined;
}

export async function startXRayFake(opts: XRayFakeOptions = {}): Promise<XRayFake> {
  const model = loadModel(opts.modelPath ?? join(SPECS_DIR, 'xray-smithy-model.json'));
  const region = opts.region ?? 'us-east-1';
  const account = opts.accountId ?? '123456789012';
  const pageSize = opts.pageSize ?? 2;
  const maxRules = opts.maxSamplingRules ?? 25;
  const arn = (resource: string) => `arn:aws:xray:${region}:${account}:${resource}`;

  const routes = new Map<string, string>();
  const byRoute = new Map<string, Operation>();
  for (const op of operationsOf(model)) {
    routes.set(op.name, `${op.method} ${op.uri}`);
    byRoute.set(`${op.method} ${op.uri}`, op);
  }

  const groups = new Map<string, FakeGroup>();
  const samplingRules = new Map<string, FakeSamplingRuleRecord>();
  const now = () => Date.now() / 1000;
  groups.set(XRAY_BUILT_IN_NAME, {
    GroupName: XRAY_BUILT_IN_NAME,
    GroupARN: arn(`group/${XRAY_BUILT_IN_NAME}`),
    InsightsConfiguration: { InsightsEnabled: false, NotificationsEnabled: false },
  });
  samplingRules.set(XRAY_BUILT_IN_NAME, {
    SamplingRule: { ...DEFAULT_STORED_RULE, RuleARN: arn(`sampling-rule/${XRAY_BUILT_IN_NAME}`) },
    CreatedAt: 0,
    ModifiedAt: 0,
  });
  const newGroup = (name: string, filter: string | undefined): FakeGroup => ({
    GroupName: name,
    GroupARN: arn(`group/${name}/${randomBytes(16).toString('base64url').toUpperCase().slice(0, 26)}`),
    ...(filter !== undefined ? { FilterExpression: filter } : {}),
    InsightsConfiguration: { InsightsEnabled: false, NotificationsEnabled: false },
  });
  for (const g of opts.groups ?? []) groups.set(g.GroupName, newGroup(g.GroupName, g.FilterExpression));
  for (const r of opts.samplingRules ?? []) {
    const t = now();
    samplingRules.set(r.RuleName, {
      SamplingRule: {
        ...DEFAULT_STORED_RULE,
        Priority: 1000,
        FixedRate: 0.1,
        ReservoirSize: 1,
        ...r,
        RuleARN: arn(`sampling-rule/${r.RuleName}`),
      },
      CreatedAt: t,
      ModifiedAt: t,
    });
  }

  const traces = new TraceStore();
  const traceOp =
    (fn: (input: Record<string, unknown>) => unknown) =>
    (input: Record<string, unknown>): unknown => {
      try {
        return fn(input);
      } catch (e) {
        if (e instanceof TraceApiError) throw new ApiError(e.status, e.type, e.message);
        throw e;
      }
    };
  const calls: XRayCall[] = [];
  const rejected: XRayFake['rejected'] = [];
  const throttles: Array<{ op?: string; left: number }> = [];
  const errors: Array<{ op: string; err: FakeError; left: number }> = [];
  const races: Array<{ op: string; otherOp: string; otherInput: Record<string, unknown> }> = [];
  const misbehaviours: Array<{ op: string; behaviour: Misbehaviour; left: number; count: number }> = [];
  let hugeSent = 0;

  /** Carries out a misbehaviour; the call is recorded with status 0 unless something was answered. */
  function misbehaveOn(
    req: IncomingMessage,
    res: ServerResponse,
    m: { behaviour: Misbehaviour; count: number },
  ): number {
    const b = m.behaviour;
    switch (b.kind) {
      case 'hang':
        return 0;
      case 'close':
        req.socket.destroy();
        return 0;
      case 'raw':
        answerRaw(res, b.status, b.body, b.contentType);
        return b.status;
      case 'cycle': {
        const page = { Groups: [], SamplingRuleRecords: [], NextToken: b.tokens[m.count % b.tokens.length] };
        answerRaw(res, 200, JSON.stringify(page), 'application/json');
        return 200;
      }
      case 'huge':
        answerHuge(res, { ...b, prefix: '{"Groups":[', sent: (n) => (hugeSent += n) });
        return 200;
    }
  }

  const invalid = (message: string) => new ApiError(400, 'InvalidRequestException', message);

  function page<T>(all: T[], token: unknown): { items: T[]; NextToken?: string } {
    let offset = 0;
    if (token !== undefined) {
      const m =
        typeof token === 'string'
          ? /^fake-page-(\d+)$/.exec(Buffer.from(token, 'base64url').toString())
          : null;
      if (!m) throw invalid('Invalid NextToken');
      offset = Number(m[1]);
    }
    const items = all.slice(offset, offset + pageSize);
    const next = offset + pageSize < all.length ? offset + pageSize : undefined;
    return next === undefined
      ? { items }
      : { items, NextToken: Buffer.from(`fake-page-${next}`).toString('base64url') };
  }

  function findGroup(input: Record<string, unknown>): FakeGroup {
    const { GroupName, GroupARN } = input;
    if (GroupName === undefined && GroupARN === undefined)
      throw invalid('Either GroupName or GroupARN must be set');
    const g =
      GroupARN !== undefined
        ? [...groups.values()].find((x) => x.GroupARN === GroupARN)
        : groups.get(GroupName as string);
    if (!g || (GroupName !== undefined && g.GroupName !== GroupName)) throw invalid('Group not found');
    return g;
  }

  function findRule(input: Record<string, unknown>): FakeSamplingRuleRecord {
    const { RuleName, RuleARN } = input;
    if (RuleName === undefined && RuleARN === undefined)
      throw invalid('Either RuleName or RuleARN must be set');
    const r =
      RuleARN !== undefined
        ? [...samplingRules.values()].find((x) => x.SamplingRule.RuleARN === RuleARN)
        : samplingRules.get(RuleName as string);
    if (!r || (RuleName !== undefined && r.SamplingRule.RuleName !== RuleName)) {
      throw invalid('Sampling rule does not exist');
    }
    return r;
  }

  function checkFilter(expr: unknown): void {
    if (typeof expr !== 'string') return;
    const problem = filterExpressionProblem(expr);
    if (problem) throw invalid(`Invalid filter expression: ${problem}`);
  }

  const handlers: Record<string, (input: Record<string, unknown>) => unknown> = {
    GetGroups(input) {
      const p = page([...groups.values()], input.NextToken);
      return {
        Groups: p.items.map((g) => ({ ...g })),
        ...(p.NextToken ? { NextToken: p.NextToken } : {}),
      };
    },
    GetGroup(input) {
      return { Group: { ...findGroup(input) } };
    },
    CreateGroup(input) {
      const name = input.GroupName as string;
      if (name === XRAY_BUILT_IN_NAME) throw invalid('The Default group is reserved and cannot be created');
      if (groups.has(name)) throw invalid(`Group with name ${name} already exists`);
      checkFilter(input.FilterExpression);
      const g = newGroup(name, input.FilterExpression as string | undefined);
      const ic = input.InsightsConfiguration as Partial<FakeGroup['InsightsConfiguration']> | undefined;
      if (ic) g.InsightsConfiguration = { ...g.InsightsConfiguration, ...ic };
      groups.set(name, g);
      return { Group: { ...g } };
    },
    UpdateGroup(input) {
      const g = findGroup(input);
      if (g.GroupName === XRAY_BUILT_IN_NAME) throw invalid('The Default group cannot be updated');
      checkFilter(input.FilterExpression);
      if (input.FilterExpression !== undefined) g.FilterExpression = input.FilterExpression as string;
      const ic = input.InsightsConfiguration as Partial<FakeGroup['InsightsConfiguration']> | undefined;
      if (ic) g.InsightsConfiguration = { ...g.InsightsConfiguration, ...ic };
      return { Group: { ...g } };
    },
    DeleteGroup(input) {
      const g = findGroup(input);
      if (g.GroupName === XRAY_BUILT_IN_NAME) throw invalid('The Default group cannot be deleted');
      groups.delete(g.GroupName);
      return {};
    },
    GetSamplingRules(input) {
      const p = page([...samplingRules.values()], input.NextToken);
      return {
        SamplingRuleRecords: p.items.map((r) => structuredClone(r)),
        ...(p.NextToken ? { NextToken: p.NextToken } : {}),
      };
    },
    CreateSamplingRule(input) {
      const rule = input.SamplingRule as Omit<FakeSamplingRule, 'RuleARN'>;
      if (rule.RuleName === undefined) throw invalid('RuleName is required');
      if (samplingRules.has(rule.RuleName)) {
        throw invalid(`Sampling rule with name ${rule.RuleName} already exists`);
      }
      if (rule.Version !== 1) throw invalid('Only version 1 of sampling rules is supported');
      if (samplingRules.size - 1 >= maxRules) {
        throw new ApiError(
          400,
          'RuleLimitExceededException',
          'You have reached the maximum number of sampling rules.',
        );
      }
      const t = now();
      const record: FakeSamplingRuleRecord = {
        SamplingRule: {
          ...rule,
          Attributes: rule.Attributes ?? {},
          RuleARN: arn(`sampling-rule/${rule.RuleName}`),
        },
        CreatedAt: t,
        ModifiedAt: t,
      };
      samplingRules.set(rule.RuleName, record);
      return { SamplingRuleRecord: structuredClone(record) };
    },
    UpdateSamplingRule(input) {
      const update = input.SamplingRuleUpdate as Record<string, unknown>;
      const record = findRule(update);
      const changing = RULE_UPDATABLE.filter((k) => update[k] !== undefined);
      if (
        record.SamplingRule.RuleName === XRAY_BUILT_IN_NAME &&
        changing.some((k) => k !== 'FixedRate' && k !== 'ReservoirSize')
      ) {
        throw invalid('Invalid update request for default sampling rule');
      }
      const target = record.SamplingRule as unknown as Record<string, unknown>;
      for (const k of changing) target[k] = update[k];
      record.ModifiedAt = now();
      return { SamplingRuleRecord: structuredClone(record) };
    },
    DeleteSamplingRule(input) {
      const record = findRule(input);
      if (record.SamplingRule.RuleName === XRAY_BUILT_IN_NAME)
        throw invalid('The Default sampling rule cannot be deleted');
      samplingRules.delete(record.SamplingRule.RuleName);
      return { SamplingRuleRecord: structuredClone(record) };
    },
    PutTraceSegments: traceOp((input) => traces.put(input)),
    BatchGetTraces: traceOp((input) => traces.batchGet(input)),
    GetTraceSummaries: traceOp((input) => traces.summaries(input)),
  };

  function authenticate(req: IncomingMessage, url: URL, body: Buffer): void {
    const header = req.headers.authorization;
    if (!header) {
      throw new ApiError(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token', true);
    }
    const m = SIGV4.exec(header);
    if (!m) {
      throw new ApiError(
        403,
        'IncompleteSignatureException',
        `Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters. Authorization=${header.split(' ')[0]}`,
        true,
      );
    }
    const [, keyId, date, scopeRegion, service, signedHeaders, signature] = m as unknown as string[];
    const amzDate = req.headers['x-amz-date'];
    if (typeof amzDate !== 'string' || !amzDate.startsWith(date!)) {
      throw new ApiError(
        403,
        'IncompleteSignatureException',
        'Date must be in ISO-8601 basic format and match the credential scope',
        true,
      );
    }
    if (service !== 'xray') {
      throw new ApiError(
        403,
        'InvalidSignatureException',
        `Credential should be scoped to correct service: 'xray'.`,
        true,
      );
    }
    if (scopeRegion !== region) {
      throw new ApiError(
        403,
        'InvalidSignatureException',
        `Credential should be scoped to a valid region, not '${scopeRegion}'. `,
        true,
      );
    }
    const signed = signedHeaders!.split(';');
    if (!signed.includes('host') || !signed.includes('x-amz-date')) {
      throw new ApiError(
        403,
        'IncompleteSignatureException',
        "'Host' and 'X-Amz-Date' must be signed headers",
        true,
      );
    }
    if (!opts.credentials) return;
    const secret = opts.credentials[keyId!];
    if (secret === undefined) {
      throw new ApiError(
        403,
        'UnrecognizedClientException',
        'The security token included in the request is invalid.',
        true,
      );
    }
    const skewMs = Math.abs(Date.now() - amzDateToMs(amzDate));
    if (!(skewMs <= 15 * 60_000)) {
      throw new ApiError(
        403,
        'InvalidSignatureException',
        `Signature expired: ${amzDate} is now earlier than the 15 minutes the service allows.`,
        true,
      );
    }
    const canonicalHeaders = signed
      .map((h) => {
        const v = req.headers[h];
        const text = Array.isArray(v) ? v.join(',') : (v ?? '');
        return `${h}:${text.trim().replace(/\s+/g, ' ')}\n`;
      })
      .join('');
    const payloadHeader = req.headers['x-amz-content-sha256'];
    const payloadHash = typeof payloadHeader === 'string' ? payloadHeader : sha256hex(body);
    const canonicalRequest = [
      req.method,
      canonicalPath(url.pathname),
      canonicalQuery(url.searchParams),
      canonicalHeaders,
      signedHeaders,
      payloadHash,
    ].join('\n');
    const scope = `${date}/${scopeRegion}/${service}/aws4_request`;
    const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256hex(canonicalRequest)].join('\n');
    const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date!), scopeRegion!), service!), 'aws4_request');
    const expected = createHmac('sha256', key).update(stringToSign, 'utf8').digest();
    if (!timingSafeEqual(expected, Buffer.from(signature!, 'hex'))) {
      throw new ApiError(
        403,
        'InvalidSignatureException',
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
        true,
      );
    }
  }

  function sendError(res: ServerResponse, err: ApiError): void {
    const text = JSON.stringify(err.frontEnd ? { message: err.message } : { Message: err.message });
    res.writeHead(err.status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': randomUUID(),
      'x-amzn-errortype': err.frontEnd
        ? `${err.type}:http://internal.amazon.com/coral/com.amazon.coral.service/`
        : err.type,
    });
    res.end(text);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    let op: Operation | undefined;
    let input: Record<string, unknown> = {};
    const accessKeyId = /Credential=([^/,\s]+)\//.exec(req.headers.authorization ?? '')?.[1];
    const who = accessKeyId ? { accessKeyId } : {};
    try {
      authenticate(req, url, body);
      op = byRoute.get(`${method} ${url.pathname}`);
      if (!op)
        throw new ApiError(
          404,
          'UnknownOperationException',
          `No operation at ${method} ${url.pathname}`,
          true,
        );
      try {
        const parsed: unknown = body.length ? JSON.parse(body.toString('utf8')) : {};
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
          throw new Error('not an object');
        input = parsed as Record<string, unknown>;
      } catch {
        throw new ApiError(
          400,
          'SerializationException',
          'Could not parse the request body as a JSON object',
        );
      }
      const misbehaviour = misbehaviours.find((m) => m.left > 0 && (m.op === '*' || m.op === op!.name));
      if (misbehaviour) {
        misbehaviour.left--;
        const status = misbehaveOn(req, res, misbehaviour);
        misbehaviour.count++;
        calls.push({ op: op.name, input, status, error: misbehaviour.behaviour.kind });
        return;
      }
      const throttle = throttles.find((t) => t.left > 0 && (t.op === undefined || t.op === op!.name));
      if (throttle) {
        throttle.left--;
        throw new ApiError(429, 'ThrottledException', 'Rate exceeded');
      }
      const injected = errors.find((e) => e.left > 0 && e.op === op!.name);
      if (injected) {
        injected.left--;
        throw new ApiError(injected.err.status, injected.err.type, injected.err.message);
      }
      if (op.input) {
        const v = new Validator(model);
        v.check(input, op.input, '');
        if (v.errors.length) {
          const n = v.errors.length;
          throw invalid(`${n} validation error${n > 1 ? 's' : ''} detected: ${v.errors.join('; ')}`);
        }
      }
      const race = races.findIndex((r) => r.op === op!.name);
      if (race >= 0) {
        const [{ otherOp, otherInput }] = races.splice(race, 1) as [(typeof races)[number]];
        handlers[otherOp]!(otherInput);
      }
      const handler = handlers[op.name];
      if (!handler) throw new ApiError(501, 'NotImplemented', `The X-Ray fake does not implement ${op.name}`);
      const out = JSON.stringify(handler(input));
      calls.push({ op: op.name, input, status: 200, ...who });
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(out),
        'x-amzn-requestid': randomUUID(),
      });
      res.end(out);
    } catch (e) {
      const err =
        e instanceof ApiError
          ? e
          : new ApiError(500, 'ServiceUnavailableException', (e as Error).message ?? 'error');
      if (op) calls.push({ op: op.name, input, status: err.status, error: err.type, ...who });
      else
        rejected.push({
          method,
          path: url.pathname,
          status: err.status,
          type: err.type,
          message: err.message,
        });
      sendError(res, err);
    }
  }

  const server = createServer((req, res) => void handle(req, res));
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    region,
    state: { groups, samplingRules, traces },
    calls,
    rejected,
    routes,
    injectThrottle(n, op) {
      throttles.push({ ...(op !== undefined ? { op } : {}), left: n });
    },
    interleave(op, otherOp, otherInput) {
      if (!handlers[otherOp]) throw new Error(`the X-Ray fake does not implement ${otherOp}`);
      races.push({ op, otherOp, otherInput });
    },
    misbehave(op, behaviour, times = 1) {
      misbehaviours.push({ op, behaviour, left: times, count: 0 });
    },
    hugeBytesSent: () => hugeSent,
    injectError(op, err) {
      const status = err.status ?? errorStatus(model, err.type) ?? 400;
      errors.push({ op, err: { status, type: err.type, message: err.message }, left: err.times ?? 1 });
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
