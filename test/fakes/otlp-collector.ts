// A local stand-in for an OTLP/HTTP receiver (the CloudWatch agent's
// `otlp.http_endpoint`): POST /v1/traces with the JSON encoding, as
// @opentelemetry/exporter-trace-otlp-http sends it. It keeps every span
// with its resource's attributes, attribute values unwrapped (stringValue,
// intValue as a number, arrayValue as an array), and answers 200 `{}` in
// the request's content type, as the OTLP spec asks. A body it cannot
// parse gets 400 and is counted. Loopback only.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitForItem } from './waiters.js';

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  /** 1 INTERNAL, 2 SERVER, 3 CLIENT ... */
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Record<string, unknown>;
  /** 0 UNSET, 1 OK, 2 ERROR */
  statusCode: number;
  events: Array<{ name: string; attributes: Record<string, unknown> }>;
  resource: Record<string, unknown>;
}

export interface OtlpCollectorFake {
  /** For OTEL_EXPORTER_OTLP_TRACES_ENDPOINT. */
  url: string;
  spans: ReceivedSpan[];
  /** Requests it could not parse. */
  rejected: number;
  /** Export requests received. */
  requests: number;
  /** Resolves with the first span (received or arriving) matching `predicate`. */
  waitFor(predicate: (span: ReceivedSpan) => boolean, timeoutMs?: number): Promise<ReceivedSpan>;
  close(): Promise<void>;
}

type AnyValue = Record<string, unknown>;
type KeyValue = { key: string; value: AnyValue };

function unwrap(value: AnyValue | undefined): unknown {
  if (!value) return undefined;
  if ('stringValue' in value) return value.stringValue;
  if ('boolValue' in value) return value.boolValue;
  if ('intValue' in value) return Number(value.intValue);
  if ('doubleValue' in value) return Number(value.doubleValue);
  if ('arrayValue' in value) {
    return ((value.arrayValue as { values?: AnyValue[] }).values ?? []).map(unwrap);
  }
  if ('kvlistValue' in value) return attributesOf((value.kvlistValue as { values?: KeyValue[] }).values);
  return undefined;
}

function attributesOf(list: KeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, unwrap(kv.value)]));
}

interface ExportRequest {
  resourceSpans?: Array<{
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: Array<{
      spans?: Array<{
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind: number;
        startTimeUnixNano: string | number;
        endTimeUnixNano: string | number;
        attributes?: KeyValue[];
        status?: { code?: number };
        events?: Array<{ name: string; attributes?: KeyValue[] }>;
      }>;
    }>;
  }>;
}

export function spansOf(body: ExportRequest): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of body.resourceSpans ?? []) {
    const resource = attributesOf(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        out.push({
          traceId: s.traceId,
          spanId: s.spanId,
          parentSpanId: s.parentSpanId || undefined,
          name: s.name,
          kind: s.kind,
          startTimeUnixNano: String(s.startTimeUnixNano),
          endTimeUnixNano: String(s.endTimeUnixNano),
          attributes: attributesOf(s.attributes),
          statusCode: s.status?.code ?? 0,
          events: (s.events ?? []).map((e) => ({ name: e.name, attributes: attributesOf(e.attributes) })),
          resource,
        });
      }
    }
  }
  return out;
}

export async function startOtlpCollectorFake(host = '127.0.0.1'): Promise<OtlpCollectorFake> {
  const waiters = new Set<() => void>();
  const fake = {
    url: '',
    spans: [] as ReceivedSpan[],
    rejected: 0,
    requests: 0,
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      fake.requests++;
      let body: ExportRequest;
      try {
        if (!String(req.headers['content-type']).startsWith('application/json')) throw new Error('not JSON');
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ExportRequest;
      } catch {
        fake.rejected++;
        res.writeHead(400, { 'content-type': 'application/json' }).end('{}');
        return;
      }
      fake.spans.push(...spansOf(body));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      for (const wake of [...waiters]) wake();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  fake.url = `http://${host}:${(server.address() as AddressInfo).port}/v1/traces`;
  return Object.assign(fake, {
    waitFor(predicate: (span: ReceivedSpan) => boolean, timeoutMs = 10_000): Promise<ReceivedSpan> {
      return waitForItem(
        () => fake.spans,
        predicate,
        waiters,
        timeoutMs,
        'OTLP collector fake: no matching span',
      );
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}
