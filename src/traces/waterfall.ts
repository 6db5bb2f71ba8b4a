// A trace as a waterfall, one line per segment or subsegment:
//
//   backend-express      +0µs  12.3ms |██████████████████| GET http://…/api/activities/home 200  service_name=backend-express
//     mock-data       +180µs   41µs |█                 | now=1733300000
//
// indented by depth, with the start offset from the trace's start, the
// duration, a bar scaled to the trace, HTTP method, URL and status,
// annotations, and ERROR/FAULT/THROTTLE marks with the exception message.
// Lines fit `width` columns; colour only when asked (a TTY). Pure.
import type { AssembledTrace } from './assembler.js';
import type { SegmentDocument } from './wire.js';

interface WaterfallOptions {
  /** Terminal columns. */
  width: number;
  /** ANSI colours. */
  color: boolean;
}

const ANSI = {
  dim: '\u001b[2m',
  bold: '\u001b[1m',
  red: '\u001b[31m',
  yellow: '\u001b[33m',
  magenta: '\u001b[35m',
  cyan: '\u001b[36m',
  reset: '\u001b[0m',
};
type Style = keyof typeof ANSI;

/** Seconds with a unit that keeps about three significant digits. */
export function formatSeconds(s: number): string {
  // Whole microseconds first: epoch-second doubles leave 0.001 as 0.000999….
  const us = Math.round(s * 1e6);
  if (us < 1_000) return `${us}µs`;
  if (us < 1_000_000) return `${(us / 1e3).toFixed(us < 10_000 ? 2 : us < 100_000 ? 1 : 0)}ms`;
  return `${(us / 1e6).toFixed(2)}s`;
}

type Node = SegmentDocument & { subsegments?: Node[] };

interface Row {
  depth: number;
  node: Node;
}

function rows(nodes: Node[], depth = 0, out: Row[] = []): Row[] {
  for (const node of nodes) {
    out.push({ depth, node });
    if (Array.isArray(node.subsegments)) rows(node.subsegments, depth + 1, out);
  }
  return out;
}

function fit(text: string, width: number): string {
  if (width <= 0) return '';
  const chars = [...text];
  return chars.length <= width ? text : chars.slice(0, Math.max(0, width - 1)).join('') + '…';
}

const pad = (text: string, width: number) => text + ' '.repeat(Math.max(0, width - [...text].length));
const padStart = (text: string, width: number) => ' '.repeat(Math.max(0, width - [...text].length)) + text;

function scalar(v: unknown): string {
  return typeof v === 'string' && !/[\s"=]/.test(v) && v !== '' ? v : JSON.stringify(v);
}

interface Marks {
  text: string;
  style: Style | undefined;
}

function marks(node: Node): Marks {
  const cause = node.cause as { exceptions?: Array<{ message?: unknown; type?: unknown }> } | undefined;
  const exception = Array.isArray(cause?.exceptions) ? cause.exceptions[0] : undefined;
  const message = exception
    ? [exception.type, exception.message].filter((p) => p !== undefined && p !== '').join(': ')
    : '';
  // The first mark found picks the colour: fault, then throttle, error, in progress.
  const found = (
    [
      [node.fault === true, 'FAULT', 'red'],
      [node.throttle === true, 'THROTTLE', 'magenta'],
      [node.error === true, 'ERROR', 'yellow'],
      [node.in_progress === true, 'IN PROGRESS', 'magenta'],
    ] as const
  ).filter(([on]) => on);
  const words = found.map(([, word]) => word);
  const style: Style | undefined = found[0]?.[2];
  if (words.length === 0 && !message) return { text: '', style };
  return { text: words.join(' ') + (message ? `${words.length > 0 ? ': ' : ''}${message}` : ''), style };
}

function httpText(node: Node): string {
  const http = node.http as
    { request?: { method?: unknown; url?: unknown }; response?: { status?: unknown } } | undefined;
  if (!http) return '';
  return [http.request?.method, http.request?.url, http.response?.status]
    .filter((p) => p !== undefined && p !== null && p !== '')
    .map(String)
    .join(' ');
}

function annotationsText(node: Node): string {
  const annotations = node.annotations as Record<string, unknown> | undefined;
  if (!annotations || typeof annotations !== 'object') return '';
  return Object.entries(annotations)
    .map(([k, v]) => `${k}=${scalar(v)}`)
    .join(' ');
}

const OFFSET_WIDTH = 9;
const DURATION_WIDTH = 8;

/** The waterfall's lines (no trailing newline). */
export function renderWaterfall(trace: AssembledTrace, options: WaterfallOptions): string[] {
  const paint = (style: Style | undefined, text: string) =>
    options.color && style && text ? `${ANSI[style]}${text}${ANSI.reset}` : text;
  const width = Math.max(60, options.width);
  const all = rows(trace.segments as Node[]);
  const start = Math.min(...all.map((r) => Number(r.node.start_time)));
  const span = trace.duration > 0 ? trace.duration : 1e-6;
  const barWidth = Math.min(40, Math.max(10, Math.floor(width / 5)));
  const longest = Math.max(...all.map((r) => r.depth * 2 + [...String(r.node.name)].length));
  const nameWidth = Math.min(Math.max(12, longest), Math.floor(width * 0.3));
  const fixed = nameWidth + 1 + OFFSET_WIDTH + 1 + DURATION_WIDTH + 1 + barWidth + 2 + 1;
  const detailWidth = width - fixed;

  const head = `trace ${trace.traceId}  ${formatSeconds(trace.duration)}  ${all.length} ${
    all.length === 1 ? 'segment' : 'segments'
  }`;
  const lines = [paint('bold', fit(head, width))];
  if (!trace.complete) lines.push(paint('magenta', fit(`INCOMPLETE: ${trace.reason}`, width)));
  for (const { depth, node } of all) {
    const s = Number(node.start_time);
    const hasEnd = typeof node.end_time === 'number';
    const e = hasEnd ? (node.end_time as number) : start + span;
    const from = Math.min(barWidth - 1, Math.max(0, Math.floor(((s - start) / span) * barWidth)));
    const to = Math.min(barWidth, Math.max(from + 1, Math.ceil(((e - start) / span) * barWidth)));
    const bar = ' '.repeat(from) + (hasEnd ? '█' : '░').repeat(to - from) + ' '.repeat(barWidth - to);
    const m = marks(node);
    const name = pad(fit(' '.repeat(depth * 2) + String(node.name), nameWidth), nameWidth);
    const offset = padStart(`+${formatSeconds(Math.max(0, s - start))}`, OFFSET_WIDTH);
    const duration = padStart(hasEnd ? formatSeconds(Math.max(0, e - s)) : '…', DURATION_WIDTH);
    const parts = [httpText(node), annotationsText(node)].filter((p) => p !== '');
    const plain = parts.join('  ');
    const markText = m.text ? (plain ? '  ' : '') + m.text : '';
    const room = Math.max(0, detailWidth);
    // The marks come first: what failed matters more than the URL.
    const plainRoom = room - [...markText].length;
    const shownPlain = plainRoom >= 8 ? fit(plain, plainRoom) : '';
    const shownMarks = fit(shownPlain ? markText : markText.trimStart(), room - [...shownPlain].length);
    const line =
      `${paint(depth === 0 ? 'bold' : undefined, name)} ${paint('dim', offset)} ${duration} ` +
      `|${paint(m.style ?? 'cyan', bar)}| ${shownPlain}${paint(m.style, shownMarks)}`;
    lines.push(line.trimEnd());
  }
  return lines;
}
