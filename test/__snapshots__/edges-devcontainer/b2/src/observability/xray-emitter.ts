// Sends segment documents to the X-Ray daemon: one UDP datagram per segment,
// `{"format":"json","version":1}\n` then the document. The daemon's address
// comes from AWS_XRAY_DAEMON_ADDRESS (`host:port` or `udp:host:port
// tcp:host:port`; default 127.0.0.1:2000). A host name (`xray-daemon` in
// compose) is resolved once and cached, not on every send. Problems (name
// does not resolve, send fails, segment too large) are logged once each
// until sending works again; segments are dropped, requests never wait.
import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns';
import { isIP } from 'node:net';
import { log } from '../log.js';
import type { SegmentDocument } from './xray-document.js';

const HEADER = '{"format":"json","version":1}\n';
/** X-Ray's limit for one segment document. */
const MAX_DOCUMENT_BYTES = 64 * 1024;
const RESOLVE_TTL_MS = 60_000;
const RESOLVE_RETRY_MS = 5_000;

export interface DaemonAddress {
  host: string;
  port: number;
}

export function udpAddress(raw: string | undefined): DaemonAddress {
  const value = raw?.trim();
  if (!value) return { host: '127.0.0.1', port: 2000 };
  const part = value.split(/\s+/).find((p) => p.startsWith('udp:'))?.slice(4) ?? value;
  const colon = part.lastIndexOf(':');
  return { host: part.slice(0, colon), port: Number(part.slice(colon + 1)) };
}

const daemon = udpAddress(process.env.AWS_XRAY_DAEMON_ADDRESS);
let socket: Socket | undefined;
let resolved: { ip: string; until: number } | undefined = isIP(daemon.host)
  ? { ip: daemon.host, until: Infinity }
  : undefined;
let resolving = false;
let retryAt = 0;

export function daemonDescription(): string {
  return `${daemon.host}:${daemon.port}`;
}

function resolve(): void {
  if (resolving || Date.now() < retryAt) return;
  resolving = true;
  lookup(daemon.host, { family: 4 }, (err, ip) => {
    resolving = false;
    if (err) {
      retryAt = Date.now() + RESOLVE_RETRY_MS;
      log.once('xray:resolve', 'warn', `X-Ray: cannot resolve daemon host ${daemon.host}; segments are dropped until it resolves`, err);
      return;
    }
    log.clear('xray:resolve', `X-Ray: daemon host ${daemon.host} resolves again`);
    resolved = { ip, until: Date.now() + RESOLVE_TTL_MS };
  });
}

function serialize(doc: SegmentDocument): string {
  try {
    return JSON.stringify(doc);
  } catch {
    // A BigInt or a cycle in metadata: drop the metadata rather than the segment.
    return JSON.stringify(doc, (key, value: unknown) => (key === 'metadata' ? undefined : value));
  }
}

function stripMetadata(doc: { metadata?: unknown; subsegments?: Array<{ metadata?: unknown; subsegments?: unknown[] }> }): void {
  delete doc.metadata;
  for (const sub of doc.subsegments ?? []) stripMetadata(sub as Parameters<typeof stripMetadata>[0]);
}

export function emit(doc: SegmentDocument): void {
  if (!resolved || Date.now() > resolved.until) {
    resolve();
    if (!resolved) return;
  }
  let message = Buffer.from(HEADER + serialize(doc));
  if (message.length - HEADER.length > MAX_DOCUMENT_BYTES) {
    stripMetadata(doc);
    message = Buffer.from(HEADER + serialize(doc));
    log.once('xray:size', 'warn', 'X-Ray: a segment was over 64 KB; its metadata was dropped (further occurrences are not logged)');
    if (message.length - HEADER.length > MAX_DOCUMENT_BYTES) return;
  }
  socket ??= createSocket(isIP(resolved.ip) === 6 ? 'udp6' : 'udp4').unref();
  socket.send(message, daemon.port, resolved.ip, (err) => {
    if (err) log.once('xray:send', 'warn', `X-Ray: cannot send segments to ${daemonDescription()}; further failures are not logged until sending works again`, err);
    else log.clear('xray:send');
  });
}
