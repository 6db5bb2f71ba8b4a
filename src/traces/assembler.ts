// Segment documents -> traces. Documents of one trace arrive separately and
// in any order: segments (one per service hop), subsegments sent on their own
// (the SDK streams them when a segment grows large) and in-progress segments
// sent again once complete. A trace is ready when it has a segment, nothing
// in it is still in progress and every subsegment sent on its own has found
// its parent; it is emitted once no document arrived for `graceMs` (late
// subsegments). Memory stays bounded: a trace pending for `timeoutMs` is
// emitted as incomplete, and past `maxPending` traces the oldest is.
// Time is passed in, so the rules are tested without waiting.
import type { SegmentDocument } from './wire.js';

export interface AssembledTrace {
  traceId: string;
  /** Seconds from the earliest start to the latest end. */
  duration: number;
  /** Top-level segments by start time, subsegments sent on their own nested under their parents. */
  segments: SegmentDocument[];
  complete: boolean;
  /** Why it is incomplete. */
  reason?: string;
}

export interface AssemblerOptions {
  graceMs: number;
  timeoutMs: number;
  maxPending: number;
}

const DEFAULT_ASSEMBLER_OPTIONS: AssemblerOptions = {
  graceMs: 500,
  timeoutMs: 30_000,
  maxPending: 1_000,
};

interface Pending {
  traceId: string;
  /** By document id: a document sent again (in progress, then complete) replaces the first. */
  docs: Map<string, SegmentDocument>;
  firstMs: number;
  lastMs: number;
  /** Arrived after the trace was emitted. */
  late: boolean;
}

/** How many emitted trace ids are remembered to tell a late document from a new trace. */
const REMEMBERED = 1_000;

export class Assembler {
  private readonly pending = new Map<string, Pending>();
  private readonly emitted = new Set<string>();
  private readonly options: AssemblerOptions;

  constructor(options: Partial<AssemblerOptions> = {}) {
    this.options = { ...DEFAULT_ASSEMBLER_OPTIONS, ...options };
  }

  get size(): number {
    return this.pending.size;
  }

  /** Adds a document; returns the traces this pushes out (over the pending cap). */
  add(doc: SegmentDocument, nowMs: number): AssembledTrace[] {
    const traceId = doc.trace_id as string;
    const out: AssembledTrace[] = [];
    let p = this.pending.get(traceId);
    if (!p) {
      while (this.pending.size >= this.options.maxPending) {
        const oldest = this.pending.values().next().value as Pending;
        out.push(this.emit(oldest, `dropped: more than ${this.options.maxPending} traces pending`));
      }
      p = { traceId, docs: new Map(), firstMs: nowMs, lastMs: nowMs, late: this.emitted.has(traceId) };
      this.pending.set(traceId, p);
    }
    p.docs.set(doc.id as string, doc);
    p.lastMs = nowMs;
    return out;
  }

  /** Traces that are due: ready and quiet for the grace period, late pieces, or timed out. */
  due(nowMs: number): AssembledTrace[] {
    const out: AssembledTrace[] = [];
    for (const p of [...this.pending.values()]) {
      const quiet = nowMs - p.lastMs >= this.options.graceMs;
      const waiting = missing(p);
      if (quiet && p.late) out.push(this.emit(p, 'arrived after the trace was printed'));
      else if (quiet && waiting === undefined) out.push(this.emit(p));
      else if (nowMs - p.firstMs >= this.options.timeoutMs)
        out.push(
          this.emit(p, `timed out after ${this.options.timeoutMs / 1000} s: ${waiting ?? 'still arriving'}`),
        );
    }
    return out;
  }

  /** Everything pending, now (at exit): ready traces as complete, the rest as incomplete. */
  drain(): AssembledTrace[] {
    return [...this.pending.values()].map((p) => {
      const waiting = missing(p);
      return this.emit(p, p.late ? 'arrived after the trace was printed' : waiting);
    });
  }

  private emit(p: Pending, reason?: string): AssembledTrace {
    this.pending.delete(p.traceId);
    this.emitted.add(p.traceId);
    if (this.emitted.size > REMEMBERED) this.emitted.delete(this.emitted.values().next().value as string);
    return assemble(p.traceId, [...p.docs.values()], reason);
  }
}

type Node = SegmentDocument & { subsegments?: Node[] };

function nested(doc: Node): Node[] {
  return Array.isArray(doc.subsegments) ? doc.subsegments : [];
}

function walk(doc: Node, visit: (d: Node) => void): void {
  visit(doc);
  for (const sub of nested(doc)) walk(sub, visit);
}

/** What the trace still waits for, or undefined when it is ready. */
function missing(p: Pending): string | undefined {
  const docs = [...p.docs.values()] as Node[];
  if (!docs.some((d) => d.type !== 'subsegment')) return 'no segment yet, only subsegments';
  const ids = new Set<string>();
  let inProgress: string | undefined;
  for (const doc of docs)
    walk(doc, (d) => {
      ids.add(String(d.id));
      if (d.in_progress === true) inProgress ??= String(d.name);
    });
  if (inProgress !== undefined) return `${inProgress} is in progress`;
  const orphan = docs.find((d) => d.type === 'subsegment' && !ids.has(String(d.parent_id)));
  if (orphan) return `the parent ${String(orphan.parent_id)} of ${String(orphan.name)} never arrived`;
  return undefined;
}

const byStart = (a: Node, b: Node) => Number(a.start_time) - Number(b.start_time);

/** Nests subsegments sent on their own under their parents (in copies); top level by start time. */
export function assemble(traceId: string, docs: SegmentDocument[], reason?: string): AssembledTrace {
  const copies = structuredClone(docs) as Node[];
  const byId = new Map<string, Node>();
  for (const doc of copies) walk(doc, (d) => byId.set(String(d.id), d));
  const top: Node[] = [];
  for (const doc of [...copies].sort(byStart)) {
    const parent = doc.type === 'subsegment' ? byId.get(String(doc.parent_id)) : undefined;
    if (parent && parent !== doc) {
      parent.subsegments = [...nested(parent), doc].sort(byStart);
    } else {
      top.push(doc);
    }
  }
  let start = Infinity;
  let end = -Infinity;
  for (const doc of top)
    walk(doc, (d) => {
      const s = Number(d.start_time);
      const e = typeof d.end_time === 'number' ? d.end_time : s;
      if (Number.isFinite(s)) start = Math.min(start, s);
      if (Number.isFinite(e)) end = Math.max(end, e);
    });
  const duration = Number.isFinite(start) && end >= start ? round(end - start) : 0;
  return { traceId, duration, segments: top, complete: reason === undefined, ...(reason ? { reason } : {}) };
}

/** Microsecond precision: epoch seconds as doubles carry float noise below it. */
function round(seconds: number): number {
  return Math.round(seconds * 1e6) / 1e6;
}

/** The `--json` line of a trace. */
export function traceJson(t: AssembledTrace): string {
  return JSON.stringify({
    trace_id: t.traceId,
    duration: t.duration,
    segments: t.segments,
    ...(t.complete ? {} : { incomplete: t.reason }),
  });
}
