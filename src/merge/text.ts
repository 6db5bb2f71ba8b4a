// Line-based three-way merge (diff3): the generator's change from `base` to
// `theirs` applied to the user's `ours`. Used for files without structure the
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

export interface TextConflict {
  /** 1-based first line of the region in `ours` (the user's file). */
  line: number;
  ours: string[];
  theirs: string[];
}

export interface TextMerge {
  text: string;
  conflicts: TextConflict[];
}

/** Lines with their line endings, so joining them gives the text back. */
export function splitLines(text: string): string[] {
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
export function mergeText(base: string, ours: string, theirs: string, prefer: 'ours' | 'theirs'): TextMerge {
  const b = splitLines(base);
  const hOurs = hunks(b, splitLines(ours));
  const hTheirs = hunks(b, splitLines(theirs));
  const out: string[] = [];
  const conflicts: TextConflict[] = [];
  let pos = 0;
  let deltaOurs = 0;
  let i = 0;
  let j = 0;
  while (i < hOurs.length || j < hTheirs.length) {
    const first =
      j >= hTheirs.length || (i < hOurs.length && hOurs[i]!.start <= hTheirs[j]!.start)
        ? hOurs[i++]!
        : hTheirs[j++]!;
    const region = { start: first.start, end: first.end };
    const mine: Hunk[] = hOurs.includes(first) ? [first] : [];
    const yours: Hunk[] = hTheirs.includes(first) ? [first] : [];
    for (let grew = true; grew;) {
      grew = false;
      const probe = { ...region, lines: [] };
      if (i < hOurs.length && [...mine, ...yours, probe].some((h) => overlaps(h, hOurs[i]!))) {
        mine.push(hOurs[i]!);
        region.end = Math.max(region.end, hOurs[i++]!.end);
        grew = true;
      }
      if (j < hTheirs.length && [...mine, ...yours, probe].some((h) => overlaps(h, hTheirs[j]!))) {
        yours.push(hTheirs[j]!);
        region.end = Math.max(region.end, hTheirs[j++]!.end);
        grew = true;
      }
    }
    out.push(...b.slice(pos, region.start));
    const o = version(b, region.start, region.end, mine);
    const t = version(b, region.start, region.end, yours);
    if (yours.length === 0) out.push(...o);
    else if (mine.length === 0) out.push(...t);
    else if (o.join('') === t.join('')) out.push(...o);
    else {
      conflicts.push({ line: region.start + deltaOurs + 1, ours: o, theirs: t });
      out.push(...(prefer === 'ours' ? o : t));
    }
    deltaOurs += o.length - (region.end - region.start);
    pos = region.end;
  }
  out.push(...b.slice(pos));
  return { text: out.join(''), conflicts };
}
