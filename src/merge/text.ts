// Line-based three-way merge (diff3): the generator's change from `base` to
// `next` applied to the user's `disk` (the words of three-way.ts). Used for files without structure the
// merge owns (README.md, .gitignore, backend sources) and, by yaml.ts, to
// splice structural edits into the user's text without reformatting lines it
// did not touch.
import { diffArrays } from 'diff';

interface Hunk {
  /** Replaced base lines [start, end). */
  start: number;
  end: number;
  lines: string[];
}

interface TextConflict {
  /** 1-based first line of the region in `disk` (the user's file). */
  line: number;
  disk: string[];
  next: string[];
}

interface TextMerge {
  text: string;
  conflicts: TextConflict[];
}

/** Lines with their line endings, so joining them gives the text back. */
function splitLines(text: string): string[] {
  return text === '' ? [] : text.split(/(?<=\n)/);
}

function hunks(base: string[], other: string[]): Hunk[] {
  const out: Hunk[] = [];
  let pos = 0;
  let open: Hunk | undefined;
  for (const change of diffArrays(base, other)) {
    if (!change.added && !change.removed) {
      if (open) out.push(open);
      open = undefined;
      pos += change.count ?? change.value.length;
      continue;
    }
    open ??= { start: pos, end: pos, lines: [] };
    if (change.removed) {
      pos += change.count ?? change.value.length;
      open.end = pos;
    } else {
      open.lines.push(...change.value);
    }
  }
  if (open) out.push(open);
  return out;
}

function overlaps(a: Hunk, b: Hunk): boolean {
  if (a.start < b.end && b.start < a.end) return true;
  // Two changes at the same place (an insertion there included) cannot be ordered.
  return a.start === b.start;
}

/** The region [start, end) of base with one side's hunks in it applied. */
function version(base: string[], start: number, end: number, side: Hunk[]): string[] {
  const out: string[] = [];
  let pos = start;
  for (const h of side) {
    out.push(...base.slice(pos, h.start), ...h.lines);
    pos = h.end;
  }
  out.push(...base.slice(pos, end));
  return out;
}

/**
 * diff3. Where both sides changed the same region differently, `prefer`
 * decides which side's version of the region is used; the region is
 * reported as a conflict either way.
 */
export function mergeText(base: string, disk: string, next: string, prefer: 'disk' | 'next'): TextMerge {
  const b = splitLines(base);
  const hDisk = hunks(b, splitLines(disk));
  const hNext = hunks(b, splitLines(next));
  const out: string[] = [];
  const conflicts: TextConflict[] = [];
  let pos = 0;
  let deltaDisk = 0;
  let i = 0;
  let j = 0;
  while (i < hDisk.length || j < hNext.length) {
    const first =
      j >= hNext.length || (i < hDisk.length && hDisk[i]!.start <= hNext[j]!.start)
        ? hDisk[i++]!
        : hNext[j++]!;
    const region = { start: first.start, end: first.end };
    const fromDisk: Hunk[] = hDisk.includes(first) ? [first] : [];
    const fromNext: Hunk[] = hNext.includes(first) ? [first] : [];
    for (let grew = true; grew;) {
      grew = false;
      const probe = { ...region, lines: [] };
      if (i < hDisk.length && [...fromDisk, ...fromNext, probe].some((h) => overlaps(h, hDisk[i]!))) {
        fromDisk.push(hDisk[i]!);
        region.end = Math.max(region.end, hDisk[i++]!.end);
        grew = true;
      }
      if (j < hNext.length && [...fromDisk, ...fromNext, probe].some((h) => overlaps(h, hNext[j]!))) {
        fromNext.push(hNext[j]!);
        region.end = Math.max(region.end, hNext[j++]!.end);
        grew = true;
      }
    }
    out.push(...b.slice(pos, region.start));
    const d = version(b, region.start, region.end, fromDisk);
    const n = version(b, region.start, region.end, fromNext);
    if (fromNext.length === 0) out.push(...d);
    else if (fromDisk.length === 0) out.push(...n);
    else if (d.join('') === n.join('')) out.push(...d);
    else {
      conflicts.push({ line: region.start + deltaDisk + 1, disk: d, next: n });
      out.push(...(prefer === 'disk' ? d : n));
    }
    deltaDisk += d.length - (region.end - region.start);
    pos = region.end;
  }
  out.push(...b.slice(pos));
  return { text: out.join(''), conflicts };
}
