// The X-Ray daemon's UDP wire format: a JSON header line
// `{"format":"json","version":1}` and then one segment document (a segment or
// a subsegment sent on its own). parseDatagram checks the format only (the
// test daemon keeps any document so tests can judge it); documentProblem adds
// what the traces daemon needs to place a document in a trace. Neither
// throws: a bad datagram is the sender's problem, reported by the caller.

/** The header the daemon requires before each document. */
export const DAEMON_HEADER = { format: 'json', version: 1 } as const;

/** X-Ray's limit for one segment document. */
export const MAX_DOCUMENT_BYTES = 64 * 1024;

export type SegmentDocument = Record<string, unknown>;

export type Datagram =
  | { document: SegmentDocument; header: unknown; bytes: number; error?: undefined }
  | { error: string; header?: unknown; document?: undefined };

export function parseDatagram(raw: Buffer): Datagram {
  const newline = raw.indexOf(0x0a);
  if (newline < 0) return { error: 'no header line (expected {"format":"json","version":1} and a newline)' };
  const headerText = raw.subarray(0, newline).toString('utf8');
  let header: unknown;
  try {
    header = JSON.parse(headerText);
  } catch {
    return { error: 'header is not JSON' };
  }
  const h = header as { format?: unknown; version?: unknown } | null;
  if (h?.format !== DAEMON_HEADER.format || h.version !== DAEMON_HEADER.version) {
    return { header, error: `unexpected header ${headerText.slice(0, 80)}` };
  }
  let document: unknown;
  try {
    document = JSON.parse(raw.subarray(newline + 1).toString('utf8'));
  } catch {
    return { header, error: 'document is not JSON' };
  }
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    return { header, error: 'document is not an object' };
  }
  return { header, document: document as SegmentDocument, bytes: raw.length - newline - 1 };
}

const TRACE_ID = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;
const ID = /^[0-9a-f]{16}$/;

/**
 * Why a parsed document cannot be shown, if it cannot: over X-Ray's size
 * limit, or without what the assembler needs to place it (ids, trace id,
 * times). Everything else is shown as it came.
 */
export function documentProblem(d: SegmentDocument, bytes: number): string | undefined {
  if (bytes > MAX_DOCUMENT_BYTES) return `document is ${bytes} bytes, over X-Ray's 64 KB limit`;
  if (typeof d.trace_id !== 'string' || !TRACE_ID.test(d.trace_id))
    return `trace_id ${JSON.stringify(d.trace_id)?.slice(0, 60)} is not an X-Ray trace id`;
  if (typeof d.id !== 'string' || !ID.test(d.id))
    return `id ${JSON.stringify(d.id)?.slice(0, 40)} is not 16 hex digits`;
  if (typeof d.start_time !== 'number') return 'start_time is missing';
  if (d.type === 'subsegment' && (typeof d.parent_id !== 'string' || !ID.test(d.parent_id)))
    return 'a subsegment sent on its own needs a parent_id';
  if (d.in_progress !== true && typeof d.end_time !== 'number')
    return 'end_time is missing (and not in_progress)';
  return undefined;
}
