// OTLP/HTTP JSON (ExportTraceServiceRequest) -> segment documents, as X-Ray's
// exporter (the CloudWatch agent's, the ADOT collector's) makes them, so the
// `otel` variant's spans are assembled and drawn like the daemon's segments:
// - a SERVER span is a segment named by the resource's service.name; a span
//   without a parent also starts a segment (named by the span); every other
//   span is a subsegment of its parent;
// - the trace id in X-Ray form (1-<8 hex>-<24 hex>), span ids as they are;
// - attributes listed in the span's `aws.xray.annotations` are annotations,
//   every other attribute is metadata in the `default` namespace;
// - HTTP method, URL and status from the semantic conventions (current
//   names, then the old ones); span status ERROR is a fault, or an error for a
//   4xx status (429 also a throttle); `exception` events are the cause.
// Pure.
import type { SegmentDocument } from './wire.js';

export class OtlpError extends Error {
  override readonly name = 'OtlpError';
}

type AnyValue = {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
  arrayValue?: { values?: AnyValue[] };
  kvlistValue?: { values?: KeyValue[] };
  bytesValue?: string;
};
type KeyValue = { key: string; value?: AnyValue };

interface OtlpSpan {
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  name?: string;
  kind?: number | string;
  startTimeUnixNano?: string | number;
  endTimeUnixNano?: string | number;
  attributes?: KeyValue[];
  events?: Array<{ name?: string; attributes?: KeyValue[] }>;
  status?: { code?: number | string; message?: string };
}

type Value = string | number | boolean | null | Value[] | { [k: string]: Value };

function value(v: AnyValue | undefined): Value {
  if (!v) return null;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(value);
  if (v.kvlistValue) return attributes(v.kvlistValue.values);
  if (v.bytesValue !== undefined) return v.bytesValue;
  return null;
}

function attributes(list: KeyValue[] | undefined): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const kv of list ?? []) if (typeof kv?.key === 'string') out[kv.key] = value(kv.value);
  return out;
}

/** OTLP/JSON ids are hex; a base64 one (protobuf's JSON mapping) is taken too. */
function hexId(id: unknown, bytes: number, what: string): string {
  if (typeof id === 'string' && new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`).test(id)) return id.toLowerCase();
  if (typeof id === 'string' && id !== '') {
    const decoded = Buffer.from(id, 'base64');
    if (decoded.length === bytes) return decoded.toString('hex');
  }
  throw new OtlpError(`${what} ${JSON.stringify(id)} is not ${bytes} bytes of hex`);
}

/** 32 hex digits -> 1-xxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx. */
export function xrayTraceId(hex: string): string {
  return `1-${hex.slice(0, 8)}-${hex.slice(8)}`;
}

function seconds(nanos: string | number | undefined, what: string): number {
  if (nanos === undefined || nanos === '') throw new OtlpError(`${what} is missing`);
  try {
    return Number(BigInt(nanos) / 1000n) / 1e6;
  } catch {
    throw new OtlpError(`${what} ${JSON.stringify(nanos)} is not a number of nanoseconds`);
  }
}

const KIND: Record<string, number> = {
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};
const SERVER = 2;
const STATUS_ERROR = 2;

function enumValue(v: number | string | undefined, names: Record<string, number>): number {
  return typeof v === 'number' ? v : (names[v ?? ''] ?? 0);
}

const first = (a: Record<string, Value>, ...keys: string[]): Value | undefined =>
  keys.map((k) => a[k]).find((v) => v !== undefined && v !== null);

interface Http {
  request: { method?: Value; url?: Value };
  response?: { status: number };
}

function httpOf(a: Record<string, Value>): Http | undefined {
  const method = first(a, 'http.request.method', 'http.method');
  let url = first(a, 'url.full', 'http.url');
  if (url === undefined) {
    const host = first(a, 'server.address', 'http.host', 'net.host.name');
    const path = first(a, 'url.path', 'http.target');
    if (host !== undefined || path !== undefined) {
      const port = first(a, 'server.port', 'net.host.port');
      const query = first(a, 'url.query');
      url = `${String(first(a, 'url.scheme', 'http.scheme') ?? 'http')}://${String(host ?? '')}${
        port !== undefined ? `:${String(port)}` : ''
      }${String(path ?? '')}${query ? `?${String(query)}` : ''}`;
    }
  }
  const status = first(a, 'http.response.status_code', 'http.status_code');
  if (method === undefined && url === undefined && status === undefined) return undefined;
  return {
    request: { ...(method !== undefined ? { method } : {}), ...(url !== undefined ? { url } : {}) },
    ...(status !== undefined ? { response: { status: Number(status) } } : {}),
  };
}

function spanDocument(span: OtlpSpan, serviceName: string | undefined): SegmentDocument {
  const traceHex = hexId(span.traceId, 16, 'traceId');
  const id = hexId(span.spanId, 8, 'spanId');
  const parent = span.parentSpanId ? hexId(span.parentSpanId, 8, 'parentSpanId') : undefined;
  const kind = enumValue(span.kind, KIND);
  const isSegment = kind === SERVER || kind === 5 || parent === undefined;
  const attrs = attributes(span.attributes);
  const listed = attrs['aws.xray.annotations'];
  const annotationKeys = new Set(Array.isArray(listed) ? listed.map(String) : []);
  const annotations: Record<string, Value> = {};
  const metadata: Record<string, Value> = {};
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'aws.xray.annotations') continue;
    if (annotationKeys.has(k) && v !== null && typeof v !== 'object')
      annotations[k.replace(/[^A-Za-z0-9_]/g, '_')] = v;
    else metadata[k] = v;
  }
  const http = httpOf(attrs);
  const status = http?.response?.status ?? 0;
  const failed = enumValue(span.status?.code, { STATUS_CODE_ERROR: STATUS_ERROR }) === STATUS_ERROR;
  const clientError = status >= 400 && status < 500;
  const exceptions = (span.events ?? [])
    .filter((e) => e?.name === 'exception')
    .map((e) => {
      const a = attributes(e.attributes);
      return {
        ...(a['exception.message'] !== undefined ? { message: String(a['exception.message']) } : {}),
        ...(a['exception.type'] !== undefined ? { type: String(a['exception.type']) } : {}),
      };
    });
  const message = span.status?.message;
  return {
    name: kind === SERVER && serviceName ? serviceName : (span.name ?? 'span'),
    id,
    trace_id: xrayTraceId(traceHex),
    ...(parent !== undefined ? { parent_id: parent } : {}),
    ...(isSegment ? {} : { type: 'subsegment' }),
    start_time: seconds(span.startTimeUnixNano, 'startTimeUnixNano'),
    end_time: seconds(span.endTimeUnixNano, 'endTimeUnixNano'),
    ...(http ? { http } : {}),
    ...(clientError ? { error: true } : {}),
    ...(status === 429 ? { throttle: true } : {}),
    ...((failed && !clientError) || status >= 500 ? { fault: true } : {}),
    ...(exceptions.length > 0 || (failed && message)
      ? { cause: { exceptions: exceptions.length > 0 ? exceptions : [{ message }] } }
      : {}),
    ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    ...(Object.keys(metadata).length > 0 ? { metadata: { default: metadata } } : {}),
  };
}

/** The segment documents of one OTLP/HTTP JSON request body; throws OtlpError naming what is wrong. */
export function otlpDocuments(body: unknown): SegmentDocument[] {
  const resourceSpans = (body as { resourceSpans?: unknown } | null)?.resourceSpans;
  if (!Array.isArray(resourceSpans)) throw new OtlpError('the body has no resourceSpans list');
  const docs: SegmentDocument[] = [];
  for (const rs of resourceSpans as Array<{ resource?: { attributes?: KeyValue[] }; scopeSpans?: unknown }>) {
    const service = attributes(rs?.resource?.attributes)['service.name'];
    const scopes = Array.isArray(rs?.scopeSpans) ? (rs.scopeSpans as Array<{ spans?: unknown }>) : [];
    for (const scope of scopes) {
      const spans = Array.isArray(scope?.spans) ? (scope.spans as OtlpSpan[]) : [];
      for (const span of spans)
        docs.push(spanDocument(span, typeof service === 'string' ? service : undefined));
    }
  }
  return docs;
}
