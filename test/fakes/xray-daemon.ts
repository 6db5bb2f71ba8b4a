// A local stand-in for the X-Ray daemon, for tests that judge what the
// backend sends (the `traces` command is the product's own daemon; this keeps
// every datagram raw). It shares the wire format and the sampling proxy with
// src/traces/. Its UDP side receives datagrams in
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
import { DEFAULT_RULE, SamplingProxy, type SamplingRuleInput } from '../../src/traces/sampling.js';
import { DAEMON_HEADER, parseDatagram, type SegmentDocument } from '../../src/traces/wire.js';
import { waitForItem } from './waiters.js';

export { DAEMON_HEADER, DEFAULT_RULE, type SamplingRuleInput, type SegmentDocument };

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

function startSamplingProxy(
  host: string,
  rules: SamplingRuleInput[],
  seen: Array<{ path: string; body: unknown }>,
): Promise<Server> {
  const proxy = new SamplingProxy(rules, Date.now() / 1000);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const answer = proxy.handle(req.method ?? '', req.url ?? '', text, Date.now() / 1000);
      if (answer.status === 200)
        seen.push({ path: req.url ?? '', body: JSON.parse(text || '{}') as unknown });
      const out = JSON.stringify(answer.body);
      res.writeHead(answer.status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(out),
      });
      res.end(out);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve(server));
  });
}

export interface SamplingProxyFake {
  /** For OTEL_TRACES_SAMPLER_ARG's `endpoint=`: `http://127.0.0.1:41235`. */
  url: string;
  /** The TCP port. */
  port: number;
  samplingRequests: Array<{ path: string; body: unknown }>;
  close(): Promise<void>;
}

/**
 * The daemon's (or the CloudWatch agent's) TCP sampling proxy on its own, for
 * the OpenTelemetry X-Ray remote sampler, which polls it over plain HTTP.
 */
export async function startSamplingProxyFake(
  rules: SamplingRuleInput[],
  host = '127.0.0.1',
): Promise<SamplingProxyFake> {
  const samplingRequests: Array<{ path: string; body: unknown }> = [];
  const proxy = await startSamplingProxy(host, rules, samplingRequests);
  const { port } = proxy.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    port,
    samplingRequests,
    async close() {
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    },
  };
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
    const datagram: Datagram = { raw, ...parseDatagram(raw) };
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
  const proxy = opts.samplingRules ? await startSamplingProxyFake(opts.samplingRules, host) : undefined;

  return {
    address: proxy ? `udp:${host}:${port} tcp:${host}:${proxy.port}` : `${host}:${port}`,
    port,
    samplingRequests: proxy?.samplingRequests ?? [],
    datagrams,
    forwarded,
    flushed: () => forwarding,
    documents,
    waitFor(predicate, timeoutMs = 10_000) {
      return waitForItem(documents, predicate, waiters, timeoutMs, 'xray daemon fake: no matching document');
    },
    async close() {
      await forwarding;
      api?.destroy();
      await proxy?.close();
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}
