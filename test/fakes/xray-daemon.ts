// A local stand-in for the X-Ray daemon. Its UDP side receives datagrams in
// the daemon's wire format (a JSON header line, then one segment document)
// and keeps what it parsed, and what it could not. By default it serves no TCP
// sampling proxy, so an SDK pointed at it falls back to its local sampling
// rules, as with a daemon that cannot reach X-Ray. With `samplingRules` it
// also serves the daemon's TCP proxy (POST /GetSamplingRules, /SamplingTargets)
// with those rules plus X-Ray's Default rule, so the SDK samples by
// centralized rules and names the matched rule in each segment
// (aws.xray.rule_name). Loopback only.
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PutTraceSegmentsCommand, XRayClient } from '@aws-sdk/client-xray';
import type { SamplingRuleDocument } from '../../src/answers/names.js';

/** The header the daemon requires before each document. */
export const DAEMON_HEADER = { format: 'json', version: 1 } as const;

export type SegmentDocument = Record<string, unknown>;

export interface Datagram {
  /** The whole datagram, as received. */
  raw: Buffer;
  /** The parsed header line, if it parsed. */
  header?: unknown;
  /** The parsed document, if the datagram was valid. */
  document?: SegmentDocument;
  /** Why the datagram is invalid, if it is. */
  error?: string;
}

/** A sampling rule as `aws xray create-sampling-rule` takes it (aws/json/x-ray.json's SamplingRule). */
export type SamplingRuleInput = SamplingRuleDocument['SamplingRule'];

/** X-Ray's built-in rule, which every account has (the API stand-in serves it too). */
export const DEFAULT_RULE: SamplingRuleInput = {
  RuleName: 'Default',
  Priority: 10000,
  FixedRate: 0.05,
  ReservoirSize: 1,
  ServiceName: '*',
  ServiceType: '*',
  Host: '*',
  HTTPMethod: '*',
  URLPath: '*',
  ResourceARN: '*',
  Version: 1,
};

export interface XrayDaemonFakeOptions {
  host?: string;
  /**
   * Forward every valid document to this X-Ray API (the stand-in's endpoint)
   * with PutTraceSegments, signed with `credentials`, as the real daemon does.
   */
  forwardTo?: {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  /** A fault: receive segments but never forward them (a daemon without credentials or network). */
  dropSegments?: boolean;
  /** Serve these rules (and the Default rule) on the daemon's TCP sampling proxy. */
  samplingRules?: SamplingRuleInput[];
}

export interface XrayDaemonFake {
  /**
   * For AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:41234`, or with a sampling proxy
   * `udp:127.0.0.1:41234 tcp:127.0.0.1:41235`.
   */
  address: string;
  /** The UDP port. */
  port: number;
  /** Requests the sampling proxy answered (path and parsed body). */
  samplingRequests: Array<{ path: string; body: unknown }>;
  /** Every datagram, valid or not, in arrival order. */
  datagrams: Datagram[];
  /** Documents forwarded to the X-Ray API, and forwarding failures. */
  forwarded: { sent: number; failed: string[] };
  /** Resolves when every forwarding started so far has finished. */
  flushed(): Promise<void>;
  /** Valid documents (segments and streamed subsegments), in arrival order. */
  documents(): SegmentDocument[];
  /** Resolves with the first document (already received or arriving) that satisfies `predicate`. */
  waitFor(predicate: (doc: SegmentDocument) => boolean, timeoutMs?: number): Promise<SegmentDocument>;
  close(): Promise<void>;
}

function parseDatagram(raw: Buffer): Datagram {
  const text = raw.toString('utf8');
  const newline = text.indexOf('\n');
  if (newline < 0) return { raw, error: 'no header line' };
  let header: unknown;
  try {
    header = JSON.parse(text.slice(0, newline));
  } catch {
    return { raw, error: 'header is not JSON' };
  }
  const h = header as { format?: unknown; version?: unknown } | null;
  if (h?.format !== DAEMON_HEADER.format || h.version !== DAEMON_HEADER.version) {
    return { raw, header, error: `unexpected header ${text.slice(0, newline)}` };
  }
  let document: unknown;
  try {
    document = JSON.parse(text.slice(newline + 1));
  } catch {
    return { raw, header, error: 'document is not JSON' };
  }
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    return { raw, header, error: 'document is not an object' };
  }
  return { raw, header, document: document as SegmentDocument };
}

function startSamplingProxy(
  host: string,
  rules: SamplingRuleInput[],
  seen: Array<{ path: string; body: unknown }>,
): Promise<Server> {
  const all = rules.some((r) => r.RuleName === DEFAULT_RULE.RuleName) ? rules : [...rules, DEFAULT_RULE];
  const now = Date.now() / 1000;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      } catch {
        res.writeHead(400).end('{"message":"invalid JSON"}');
        return;
      }
      seen.push({ path: req.url ?? '', body });
      let answer: unknown;
      if (req.method === 'POST' && req.url === '/GetSamplingRules') {
        answer = {
          SamplingRuleRecords: all.map((rule) => ({
            SamplingRule: {
              ...rule,
              RuleARN: `arn:aws:xray:us-east-1:000000000000:sampling-rule/${rule.RuleName}`,
              Attributes: {},
            },
            CreatedAt: now,
            ModifiedAt: now,
          })),
        };
      } else if (req.method === 'POST' && req.url === '/SamplingTargets') {
        const docs =
          (body as { SamplingStatisticsDocuments?: Array<{ RuleName: string }> })
            .SamplingStatisticsDocuments ?? [];
        answer = {
          SamplingTargetDocuments: docs.flatMap((d) => {
            const rule = all.find((r) => r.RuleName === d.RuleName);
            return rule
              ? [
                  {
                    RuleName: rule.RuleName,
                    FixedRate: rule.FixedRate,
                    ReservoirQuota: rule.ReservoirSize,
                    ReservoirQuotaTTL: Date.now() / 1000 + 10,
                    Interval: 10,
                  },
                ]
              : [];
          }),
          LastRuleModification: now,
          UnprocessedStatistics: [],
        };
      } else {
        res.writeHead(404).end('{"message":"not found"}');
        return;
      }
      const text = JSON.stringify(answer);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve(server));
  });
}

export async function startXrayDaemonFake(opts: XrayDaemonFakeOptions = {}): Promise<XrayDaemonFake> {
  const host = opts.host ?? '127.0.0.1';
  const socket: Socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  const datagrams: Datagram[] = [];
  const waiters = new Set<() => void>();
  const forwarded = { sent: 0, failed: [] as string[] };
  const target = opts.forwardTo;
  const api = target
    ? new XRayClient({
        region: target.region,
        endpoint: target.endpoint,
        credentials: target.credentials,
        maxAttempts: 1,
      })
    : undefined;
  let forwarding: Promise<void> = Promise.resolve();
  socket.on('message', (raw) => {
    const datagram = parseDatagram(raw);
    datagrams.push(datagram);
    if (api && datagram.document && !opts.dropSegments) {
      const text = JSON.stringify(datagram.document);
      forwarding = forwarding.then(async () => {
        try {
          const out = await api.send(new PutTraceSegmentsCommand({ TraceSegmentDocuments: [text] }));
          if (out.UnprocessedTraceSegments?.length) {
            forwarded.failed.push(...out.UnprocessedTraceSegments.map((u) => u.Message ?? 'unprocessed'));
          } else forwarded.sent++;
        } catch (err) {
          forwarded.failed.push((err as Error).message);
        }
      });
    }
    for (const wake of [...waiters]) wake();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, host, () => resolve());
  });
  const { port } = socket.address();
  const documents = () => datagrams.flatMap((d) => (d.document ? [d.document] : []));
  const samplingRequests: Array<{ path: string; body: unknown }> = [];
  const proxy = opts.samplingRules
    ? await startSamplingProxy(host, opts.samplingRules, samplingRequests)
    : undefined;
  const tcpPort = proxy ? (proxy.address() as AddressInfo).port : undefined;

  return {
    address: tcpPort ? `udp:${host}:${port} tcp:${host}:${tcpPort}` : `${host}:${port}`,
    port,
    samplingRequests,
    datagrams,
    forwarded,
    flushed: () => forwarding,
    documents,
    waitFor(predicate, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = documents().find(predicate);
          if (!found) return false;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`xray daemon fake: no matching document after ${timeoutMs} ms`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    async close() {
      await forwarding;
      api?.destroy();
      if (proxy) {
        proxy.closeAllConnections();
        await new Promise<void>((resolve) => proxy.close(() => resolve()));
      }
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}
