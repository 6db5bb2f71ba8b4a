// X-Ray segment documents, built directly. The SDK's Segment class costs
// about 12 us to construct here, mostly three synchronous crypto.randomBytes
// calls, and serialises each segment three times (twice for debug strings);
// for the few requests that are sampled that was the largest cost left. The
// documents follow the X-Ray segment document reference:
// https://docs.aws.amazon.com/xray/latest/devguide/xray-api-segmentdocuments.html
import { randomFillSync } from 'node:crypto';

export type AnnotationValue = string | number | boolean;

/** A subsegment (also the shape a segment shares with it). */
export interface SubsegmentDocument {
  id: string;
  name: string;
  start_time: number;
  end_time?: number;
  /** Set instead of end_time when the segment is sent before this subsegment ended. */
  in_progress?: true;
  annotations?: Record<string, AnnotationValue>;
  metadata?: Record<string, Record<string, unknown>>;
  subsegments?: SubsegmentDocument[];
  error?: true;
  fault?: true;
  throttle?: true;
  cause?: Cause;
}

export interface SegmentDocument extends SubsegmentDocument {
  trace_id: string;
  parent_id?: string;
  http: {
    request: Record<string, string | boolean>;
    response?: { status: number; content_length?: number };
  };
  aws: { xray: Record<string, string> };
  service: Record<string, string>;
}

export interface Cause {
  working_directory: string;
  exceptions: Array<{ id: string; message: string; type: string; stack: StackFrame[] }>;
}

interface StackFrame {
  path: string;
  line: number;
  label: string;
}

// Random ids from a pool refilled 512 bytes at a time: the same CSPRNG, one
// call per 64 ids instead of one per id.
const pool = Buffer.allocUnsafe(512);
let offset = pool.length;

export function randomHex(bytes: number): string {
  if (offset + bytes > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  return hex;
}

/** Epoch seconds, as X-Ray wants times. */
export function nowSeconds(): number {
  return Date.now() / 1000;
}

const TRACE_ID = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;

/** `1-<epoch seconds, 8 hex>-<96 random bits, 24 hex>`. */
export function newTraceId(): string {
  return `1-${Math.floor(Date.now() / 1000).toString(16).padStart(8, '0')}-${randomHex(12)}`;
}

export function newSpanId(): string {
  return randomHex(8);
}

export interface TraceHeader {
  root?: string;
  parent?: string;
  /** '1', '0', '?' or absent. */
  sampled?: string;
}

/**
 * Parses `X-Amzn-Trace-Id` (`Root=...;Parent=...;Sampled=...`), keeping only
 * well-formed ids: a malformed Root or Parent from a client is dropped (a new
 * trace is started) rather than copied into a document X-Ray would reject.
 */
export function parseTraceHeader(header: string): TraceHeader {
  const out: TraceHeader = {};
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim().toLowerCase();
    const value = part.slice(eq + 1).trim();
    if (key === 'root' && TRACE_ID.test(value)) out.root = value;
    else if (key === 'parent' && SPAN_ID.test(value)) out.parent = value;
    else if (key === 'sampled') out.sampled = value;
  }
  return out;
}

/** X-Ray annotation keys allow letters, digits and `_`, up to 500. */
export function annotationKey(key: string): string {
  return key.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 500) || '_';
}

/** Strings up to 1000 characters, finite numbers, booleans; anything else is dropped (undefined). */
export function annotationValue(value: unknown): AnnotationValue | undefined {
  if (typeof value === 'string') return value.length <= 1000 ? value : value.slice(0, 1000);
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'boolean') return value;
  return undefined;
}

export function addAnnotation(doc: SubsegmentDocument, key: string, value: unknown): void {
  const v = annotationValue(value);
  if (v !== undefined) (doc.annotations ??= {})[annotationKey(key)] = v;
}

export function addMetadata(doc: SubsegmentDocument, key: string, value: unknown, namespace = 'default'): void {
  // Namespaces starting with AWS. are reserved for AWS.
  const ns = namespace.startsWith('AWS.') ? `_${namespace}` : namespace;
  const bucket = ((doc.metadata ??= {})[ns] ??= {});
  bucket[key] = value ?? null;
}

const FRAME = /^\s*at (?:(.*?) \()?(.*?):(\d+):\d+\)?$/;

/** An error as X-Ray's `cause`: message, type and stack frames. */
export function causeOf(err: unknown): Cause {
  const e = err instanceof Error ? err : new Error(String(err));
  const stack: StackFrame[] = [];
  for (const line of (e.stack ?? '').split('\n').slice(1, 51)) {
    const m = FRAME.exec(line);
    if (m) stack.push({ path: m[2] as string, line: Number(m[3]), label: m[1] || 'anonymous' });
  }
  return {
    working_directory: process.cwd(),
    exceptions: [{ id: newSpanId(), message: e.message, type: e.name, stack }],
  };
}

/** Marks subsegments still open when their segment is sent. */
export function markOpen(subsegments: SubsegmentDocument[] | undefined): void {
  for (const sub of subsegments ?? []) {
    if (sub.end_time === undefined) sub.in_progress = true;
    markOpen(sub.subsegments);
  }
}
