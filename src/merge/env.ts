// .env.example: each `NAME=value` line is one owned value keyed by NAME.
// Lines the generator did not write (the user's variables, comments, blank
// lines) are kept as they are; a variable the generator adds comes with its
// comment, after the variable it follows in the rendered file.
import { mergeThreeWay, type Conflict, type MergeTarget } from './three-way.js';
import type { Json, JsonMap, Path } from './value.js';

const VARIABLE = /^(\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=)(.*)$/;

interface Parsed {
  lines: string[];
  finalNewline: boolean;
}

// LF only: mergeFile hands every merger a CRLF file as LF and gives it its CRLF back.
function split(text: string): Parsed {
  const finalNewline = text.endsWith('\n');
  const body = finalNewline ? text.slice(0, -1) : text;
  return { lines: body === '' ? [] : body.split('\n'), finalNewline };
}

/** NAME -> value, first occurrence wins (as docker compose reads it). */
export function envData(text: string): JsonMap {
  const out: JsonMap = {};
  for (const line of split(text).lines) {
    const m = VARIABLE.exec(line);
    if (m && !(m[2]! in out)) out[m[2]!] = m[3]!;
  }
  return out;
}

/** Where the run of comment lines that ends right above `lines[i]` starts. */
function noteStart(lines: readonly string[], i: number): number {
  let start = i;
  while (start > 0 && lines[start - 1]!.startsWith('#')) start--;
  return start;
}

/** The comment lines right above each variable of a rendered file. */
function notesOf(text: string): Map<string, string[]> {
  const notes = new Map<string, string[]>();
  const lines = split(text).lines;
  lines.forEach((line, i) => {
    const m = VARIABLE.exec(line);
    if (m) notes.set(m[2]!, lines.slice(noteStart(lines, i), i));
  });
  return notes;
}

class EnvTarget implements MergeTarget {
  readonly doc: Parsed;

  constructor(
    text: string,
    private readonly baseNotes: Map<string, string[]>,
    private readonly nextNotes: Map<string, string[]>,
  ) {
    this.doc = split(text);
  }

  private lineOf(name: string): number {
    return this.doc.lines.findIndex((l) => VARIABLE.exec(l)?.[2] === name);
  }

  text(): string {
    return this.doc.lines.join('\n') + (this.doc.finalNewline || this.doc.lines.length ? '\n' : '');
  }

  get(path: Path): Json | undefined {
    const data = envData(this.text());
    return path.length === 0 ? data : data[String(path[0])];
  }

  // Never the whole file: both sides of an .env merge are always NAME -> value maps, which are walked key by key.
  replace(path: Path, value: Json): void {
    const i = this.lineOf(String(path[0]));
    this.doc.lines[i] = VARIABLE.exec(this.doc.lines[i]!)![1] + String(value);
  }

  insertKey(_path: Path, key: string, value: Json, index: number): void {
    const names = Object.keys(envData(this.text()));
    const block = [...(this.nextNotes.get(key) ?? []), `${key}=${String(value)}`];
    if (index < names.length) {
      // Before the following variable's comment, not between the two.
      this.doc.lines.splice(noteStart(this.doc.lines, this.lineOf(names[index]!)), 0, ...block);
    } else {
      this.doc.lines.push(...block);
    }
  }

  insertItem(): void {
    throw new Error('internal: .env has no lists');
  }

  remove(path: Path): void {
    const name = String(path[0]);
    const i = this.lineOf(name);
    const note = this.baseNotes.get(name) ?? [];
    const above = this.doc.lines.slice(i - note.length, i);
    const withNote = note.length > 0 && above.join('\n') === note.join('\n');
    this.doc.lines.splice(withNote ? i - note.length : i, withNote ? note.length + 1 : 1);
  }

  renameKey(_path: Path, from: string, to: string): void {
    const i = this.lineOf(from);
    this.doc.lines[i] = this.doc.lines[i]!.replace(
      VARIABLE,
      (_m, head: string, _n, v: string) => head.replace(from, to) + v,
    );
  }
}

/** `baseText` gives the comments of variables to remove; `opts.baseData` is the base itself. */
export function mergeEnv(
  text: string,
  baseText: string | undefined,
  nextText: string,
  opts: { force: boolean; baseData: Json | undefined },
): { text: string; conflicts: Conflict[] } {
  const target = new EnvTarget(text, notesOf(baseText ?? ''), notesOf(nextText));
  const base = opts.baseData;
  const conflicts = mergeThreeWay(base, envData(nextText), target, opts);
  return { text: target.text(), conflicts };
}
