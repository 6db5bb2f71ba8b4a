// The trace side of the X-Ray stand-in: what PutTraceSegments stores and
// what BatchGetTraces and GetTraceSummaries read back, with the part of
// X-Ray's filter-expression language that the generator writes and users
// commonly type (annotation comparisons, service("name"), AND/OR/NOT,
// parentheses). An expression outside that part is refused with 501, so a
// test can never pass on a filter the fake silently misread.

export type SegmentDocument = Record<string, unknown>;

export class TraceApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const invalid = (message: string) => new TraceApiError(400, 'InvalidRequestException', message);

/** X-Ray's trace id form: `1-` 8 hex digits of epoch seconds `-` 24 hex digits. */
export const TRACE_ID = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;
const SEGMENT_ID = /^[0-9a-f]{16}$/;

/** A window longer than this is refused, as the service refuses it. */
const MAX_WINDOW_S = 24 * 3600;

interface StoredTrace {
  id: string;
  /** Segment and streamed-subsegment documents by id, the last sent wins (in-progress then complete). */
  documents: Map<string, SegmentDocument>;
}

// ---------------------------------------------------------------- filters

type Value = string | number | boolean;
type Filter =
  | { kind: 'and' | 'or'; left: Filter; right: Filter }
  | { kind: 'not'; inner: Filter }
  | { kind: 'annotation'; key: string; op: '=' | '!='; value: Value }
  | { kind: 'service'; name: string };

function tokenize(expr: string): string[] {
  const tokens: string[] = [];
  const re = /\s*("(?:[^"\\]|\\.)*"|!=|[<>]=?|=|\(|\)|[A-Za-z_][A-Za-z0-9_.]*|-?\d+(?:\.\d+)?)/y;
  let at = 0;
  while (at < expr.length) {
    if (/^\s*$/.test(expr.slice(at))) break;
    re.lastIndex = at;
    const m = re.exec(expr);
    if (!m) throw invalid(`Invalid filter expression at ${at}: ${JSON.stringify(expr)}`);
    tokens.push(m[1]!);
    at = re.lastIndex;
  }
  return tokens;
}

const unsupported = (expr: string) =>
  new TraceApiError(
    501,
    'NotImplemented',
    `The X-Ray fake does not evaluate this filter expression: ${expr}`,
  );

export function parseFilter(expr: string): Filter {
  const tokens = tokenize(expr);
  let i = 0;
  const peek = () => tokens[i];
  const next = () => tokens[i++];
  const literal = (t: string | undefined): Value => {
    if (t === undefined) throw invalid(`Invalid filter expression: ${expr}`);
    if (t.startsWith('"')) return JSON.parse(t) as string;
    if (t === 'true' || t === 'false') return t === 'true';
    if (/^-?\d/.test(t)) return Number(t);
    throw unsupported(expr);
  };
  function primary(): Filter {
    const t = next();
    if (t === '(') {
      const inner = or();
      if (next() !== ')') throw invalid(`Invalid filter expression: unbalanced parentheses`);
      return inner;
    }
    if (t?.toUpperCase() === 'NOT' || t === '!') return { kind: 'not', inner: primary() };
    if (t === 'service' && peek() === '(') {
      next();
      const name = literal(next());
      if (next() !== ')' || typeof name !== 'string') throw invalid(`Invalid filter expression: ${expr}`);
      return { kind: 'service', name };
    }
    if (t?.startsWith('annotation.')) {
      const op = next();
      if (op !== '=' && op !== '!=') throw unsupported(expr);
      return { kind: 'annotation', key: t.slice('annotation.'.length), op, value: literal(next()) };
    }
    throw unsupported(expr);
  }
  function and(): Filter {
    let left = primary();
    while (peek()?.toUpperCase() === 'AND') {
      next();
      left = { kind: 'and', left, right: primary() };
    }
    return left;
  }
  function or(): Filter {
    let left = and();
    while (peek()?.toUpperCase() === 'OR') {
      next();
      left = { kind: 'or', left, right: and() };
    }
    return left;
  }
  const filter = or();
  if (i !== tokens.length) throw invalid(`Invalid filter expression: ${expr}`);
  return filter;
}

/** Every document and nested subsegment of a trace, flattened. */
function* allNodes(trace: StoredTrace): Generator<SegmentDocument> {
  const walk = function* (doc: SegmentDocument): Generator<SegmentDocument> {
    yield doc;
    for (const sub of (doc.subsegments as SegmentDocument[] | undefined) ?? []) yield* walk(sub);
  };
  for (const doc of trace.documents.values()) yield* walk(doc);
}

function annotationsOf(trace: StoredTrace): Map<string, Value[]> {
  const out = new Map<string, Value[]>();
  for (const node of allNodes(trace)) {
    for (const [k, v] of Object.entries((node.annotations as Record<string, Value> | undefined) ?? {})) {
      out.set(k, [...(out.get(k) ?? []), v]);
    }
  }
  return out;
}

function matches(filter: Filter, trace: StoredTrace): boolean {
  switch (filter.kind) {
    case 'and':
      return matches(filter.left, trace) && matches(filter.right, trace);
    case 'or':
      return matches(filter.left, trace) || matches(filter.right, trace);
    case 'not':
      return !matches(filter.inner, trace);
    case 'service':
      return [...trace.documents.values()].some((d) => d.type !== 'subsegment' && d.name === filter.name);
    case 'annotation': {
      const values = annotationsOf(trace).get(filter.key) ?? [];
      const equal = values.some((v) => v === filter.value);
      return filter.op === '=' ? equal : values.length > 0 && !equal;
    }
  }
}

// ---------------------------------------------------------------- store

function checkDocument(doc: unknown): string | undefined {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return 'document is not a JSON object';
  const d = doc as SegmentDocument;
  if (typeof d.id !== 'string' || !SEGMENT_ID.test(d.id)) return 'id must be 16 hexadecimal digits';
  if (typeof d.trace_id !== 'string' || !TRACE_ID.test(d.trace_id))
    return 'trace_id is not an X-Ray trace id';
  if (typeof d.start_time !== 'number') return 'start_time is required';
  if (d.end_time === undefined && d.in_progress !== true) return 'end_time or in_progress is required';
  if (d.type === 'subsegment') {
    if (typeof d.parent_id !== 'string') return 'a subsegment sent on its own needs parent_id';
  } else if (typeof d.name !== 'string' || d.name.length === 0 || d.name.length > 200) {
    return 'name is required (1 to 200 characters)';
  }
  return undefined;
}

function timesOf(trace: StoredTrace): { start: number; end: number } {
  let start = Infinity;
  let end = -Infinity;
  for (const d of trace.documents.values()) {
    start = Math.min(start, d.start_time as number);
    end = Math.max(end, (d.end_time as number | undefined) ?? (d.start_time as number));
  }
  return { start, end };
}

export class TraceStore {
  private readonly traces = new Map<string, StoredTrace>();

  /** PutTraceSegments: stores what is valid, reports the rest as the service does. */
  put(input: Record<string, unknown>) {
    const unprocessed: Array<{ Id?: string; ErrorCode: string; Message: string }> = [];
    for (const text of input.TraceSegmentDocuments as string[]) {
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch {
        unprocessed.push({ ErrorCode: 'InvalidDocument', Message: 'segment document is not JSON' });
        continue;
      }
      const problem = checkDocument(doc);
      const d = doc as SegmentDocument;
      if (problem) {
        unprocessed.push({
          ...(typeof d?.id === 'string' ? { Id: d.id } : {}),
          ErrorCode: 'InvalidDocument',
          Message: problem,
        });
        continue;
      }
      const id = d.trace_id as string;
      let trace = this.traces.get(id);
      if (!trace) {
        trace = { id, documents: new Map() };
        this.traces.set(id, trace);
      }
      trace.documents.set(d.id as string, d);
    }
    return { UnprocessedTraceSegments: unprocessed };
  }

  batchGet(input: Record<string, unknown>) {
    const ids = input.TraceIds as string[];
    const traces = ids.flatMap((id) => {
      const t = this.traces.get(id);
      if (!t) return [];
      const { start, end } = timesOf(t);
      return [
        {
          Id: id,
          Duration: Math.max(0, end - start),
          LimitExceeded: false,
          Segments: [...t.documents.values()].map((d) => ({
            Id: d.id as string,
            Document: JSON.stringify(d),
          })),
        },
      ];
    });
    return { Traces: traces, UnprocessedTraceIds: [] };
  }

  summaries(input: Record<string, unknown>) {
    const start = Number(input.StartTime);
    const end = Number(input.EndTime);
    if (!(end > start)) throw invalid('EndTime must be after StartTime');
    if (end - start > MAX_WINDOW_S) throw invalid('The time range cannot exceed 24 hours');
    const filter =
      typeof input.FilterExpression === 'string' ? parseFilter(input.FilterExpression) : undefined;
    const out = [];
    for (const t of this.traces.values()) {
      const times = timesOf(t);
      if (times.start < start || times.start > end) continue;
      if (filter && !matches(filter, t)) continue;
      const annotations = Object.fromEntries(
        [...annotationsOf(t)].map(([k, vs]) => [
          k,
          vs.map((v) => ({
            AnnotationValue:
              typeof v === 'string'
                ? { StringValue: v }
                : typeof v === 'number'
                  ? { NumberValue: v }
                  : { BooleanValue: v },
          })),
        ]),
      );
      out.push({
        Id: t.id,
        StartTime: times.start,
        Duration: Math.max(0, times.end - times.start),
        HasFault: [...allNodes(t)].some((n) => n.fault === true),
        HasError: [...allNodes(t)].some((n) => n.error === true),
        HasThrottle: [...allNodes(t)].some((n) => n.throttle === true),
        IsPartial: [...t.documents.values()].some((d) => d.in_progress === true),
        Annotations: annotations,
      });
    }
    return { TraceSummaries: out, ApproximateTime: end, TracesProcessedCount: out.length };
  }

  /** For assertions: every stored document of a trace. */
  documentsOf(traceId: string): SegmentDocument[] {
    return [...(this.traces.get(traceId)?.documents.values() ?? [])];
  }
}
