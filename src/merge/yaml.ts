// Structural edits of a YAML file with the yaml Document API: comments, key
// order, quoting and the user's other entries stay.
//
// How the edit reaches the user's text:
// - scalar values and keys replaced in place (the usual case: a port, a
//   region, a renamed service) are spliced into the source at the node's
//   range, in the node's own quoting style: every other byte stays;
// - any other edit (an added or removed entry) goes through the Document
//   API, which normalises some formatting when it prints (indentation, flow
//   collection spacing, folded scalars, comment spacing); the printed edit is
//   then spliced into the user's text with a line-based three-way merge, so
//   lines the merge did not touch keep their exact bytes.
// Either way the result is parsed again and must equal the edited document.
import {
  Scalar,
  stringify,
  isAlias,
  isMap as isYamlMap,
  isScalar as isYamlScalar,
  isSeq as isYamlSeq,
  parseDocument,
  type Document,
  type Node,
  type Pair,
  type ToStringOptions,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import { FileParseError } from './errors.js';
import { mergeText } from './text.js';
import { mergeThreeWay, type Conflict, type MergeTarget } from './three-way.js';
import { deepEqual, type Json, type Path } from './value.js';

type Doc = Document.Parsed;

export function parseYaml(file: string, text: string): Doc {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const error = doc.errors[0];
  if (error) {
    const pos = error.linePos?.[0] ?? { line: 1, col: 1 };
    const problem = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new FileParseError(file, pos.line, pos.col, `not valid YAML: ${problem}`);
  }
  return doc;
}

function keyOf(key: unknown): string {
  return isYamlScalar(key) ? String(key.value) : String(key);
}

function pairOf(map: YAMLMap, key: string): Pair | undefined {
  return (map.items as Pair[]).find((p) => keyOf(p.key) === key);
}

/** The node's value as plain data; an alias stays opaque (`*name`), so it is never edited through. */
function plain(node: unknown): Json {
  if (node === null || node === undefined) return null;
  if (isAlias(node)) return `*${node.source}`;
  if (isYamlScalar(node)) {
    const v = node.value;
    return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
      ? v
      : String(v);
  }
  if (isYamlMap(node)) {
    const out: Record<string, Json> = {};
    for (const p of node.items as Pair[]) out[keyOf(p.key)] = plain(p.value);
    return out;
  }
  if (isYamlSeq(node)) return node.items.map(plain);
  return null;
}

const MISSING = Symbol('missing');
const INLINE_TYPES = new Set<unknown>([Scalar.PLAIN, Scalar.QUOTE_DOUBLE, Scalar.QUOTE_SINGLE]);

interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** `value` as one line of YAML in the style `type`, or undefined when it needs more. */
function inlineScalar(value: Json, type: Scalar['type'], inFlow: boolean): string | undefined {
  const render = (t: Scalar['type']) => {
    const node = new Scalar(value);
    node.type = t;
    return stringify(node, { lineWidth: 0 }).replace(/\n$/, '');
  };
  let text = render(type);
  // In a flow collection these characters would end a plain scalar.
  if (inFlow && !/^["']/.test(text) && /[,[\]{}]/.test(text)) text = render(Scalar.QUOTE_DOUBLE);
  return text.includes('\n') ? undefined : text;
}

class YamlTarget implements MergeTarget {
  /** In-place scalar replacements, as offsets into the source. */
  readonly edits: TextEdit[] = [];
  /** Whether an edit changed the structure (then only the Document can print it). */
  structural = false;

  constructor(readonly doc: Doc) {}

  /** Records an in-place edit of a scalar node; false when it must be a Document edit. */
  private inPlace(node: unknown, value: Json, parentPath: Path): boolean {
    if (!isYamlScalar(node) || !node.range || node.anchor || node.tag || !INLINE_TYPES.has(node.type))
      return false;
    if (typeof value === 'object' && value !== null) return false;
    const text = inlineScalar(value, node.type, this.inFlow(parentPath));
    if (text === undefined) return false;
    const start = node.range[0];
    this.edits.splice(0, this.edits.length, ...this.edits.filter((e) => e.start !== start));
    this.edits.push({ start, end: node.range[1], text });
    node.value = value;
    return true;
  }

  private node(path: Path): unknown {
    let node: unknown = this.doc.contents;
    for (const seg of path) {
      if (isYamlMap(node)) {
        const pair = pairOf(node, String(seg));
        if (!pair) return MISSING;
        node = pair.value;
      } else if (isYamlSeq(node) && typeof seg === 'number' && seg < node.items.length) {
        node = node.items[seg];
      } else {
        return MISSING;
      }
    }
    return node;
  }

  /** Whether the collection at `path` or one around it is written in flow style (`[...]`, `{...}`). */
  private inFlow(path: Path): boolean {
    for (let i = 0; i <= path.length; i++) {
      const node = this.node(path.slice(0, i));
      if ((isYamlMap(node) || isYamlSeq(node)) && node.flow) return true;
    }
    return false;
  }

  private collection(path: Path): YAMLMap | YAMLSeq {
    const node = this.node(path);
    if (isYamlMap(node) || isYamlSeq(node)) return node;
    throw new Error(`internal: no YAML collection at ${path.join('.')}`);
  }

  get(path: Path): Json | undefined {
    if (path.length === 0 && this.doc.contents === null) return undefined;
    const node = this.node(path);
    return node === MISSING ? undefined : plain(node);
  }

  replace(path: Path, value: Json): void {
    if (path.length === 0) {
      this.structural = true;
      this.doc.contents = this.doc.createNode(value) as never;
      return;
    }
    const parent = this.collection(path.slice(0, -1));
    const seg = path[path.length - 1]!;
    const old = this.node(path);
    if (this.inPlace(old, value, path.slice(0, -1))) return;
    this.structural = true;
    // A string into a scalar keeps its style and comments; yaml quotes it if
    // its style could not hold the new value as a string.
    if (isYamlScalar(old) && typeof value === 'string' && typeof old.value === 'string') {
      old.value = value;
      return;
    }
    const fresh = this.doc.createNode(value) as Node;
    if (old && typeof old === 'object' && 'comment' in old) {
      const o = old as Node;
      Object.assign(fresh, {
        comment: o.comment,
        commentBefore: o.commentBefore,
        spaceBefore: o.spaceBefore,
      });
    }
    if (isYamlMap(parent)) pairOf(parent, String(seg))!.value = fresh;
    else parent.items[seg as number] = fresh;
  }

  insertKey(path: Path, key: string, value: Json, index: number): void {
    this.structural = true;
    const map = this.collection(path) as YAMLMap;
    map.items.splice(index, 0, this.doc.createPair(key, value) as never);
  }

  insertItem(path: Path, index: number, value: Json): void {
    this.structural = true;
    const seq = this.collection(path) as YAMLSeq;
    seq.items.splice(index, 0, this.doc.createNode(value));
  }

  remove(path: Path): void {
    this.structural = true;
    const parent = this.collection(path.slice(0, -1));
    const seg = path[path.length - 1]!;
    if (isYamlMap(parent))
      parent.items.splice((parent.items as Pair[]).indexOf(pairOf(parent, String(seg))!), 1);
    else parent.items.splice(seg as number, 1);
  }

  renameKey(path: Path, from: string, to: string): void {
    const pair = pairOf(this.collection(path) as YAMLMap, from)!;
    if (this.inPlace(pair.key, to, path)) return;
    this.structural = true;
    if (isYamlScalar(pair.key)) pair.key.value = to;
    else pair.key = this.doc.createNode(to);
  }

  /** Replaces a scalar list item equal to `from` (e.g. a depends_on entry). */
  replaceItem(path: Path, from: Json, to: string): boolean {
    const node = this.node(path);
    if (!isYamlSeq(node)) return false;
    let changed = false;
    for (const item of node.items) {
      if (isYamlScalar(item) && item.value === from) {
        if (!this.inPlace(item, to, path)) {
          this.structural = true;
          item.value = to;
        }
        changed = true;
      }
    }
    return changed;
  }
}

/** How the user indents: spaces per level, and whether list items sit under their key or beside it. */
function yamlStyle(text: string): ToStringOptions {
  const lines = text.split('\n').filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
  let indent = 0;
  let indentSeq = true;
  let sawSeq = false;
  for (let i = 1; i < lines.length; i++) {
    const prev = lines[i - 1]!;
    const cur = lines[i]!;
    const pi = prev.length - prev.trimStart().length;
    const ci = cur.length - cur.trimStart().length;
    if (!/:\s*(#.*)?$/.test(prev)) continue;
    const isItem = cur.trimStart().startsWith('- ') || cur.trim() === '-';
    if (isItem && !sawSeq) {
      sawSeq = true;
      indentSeq = ci > pi;
    }
    if (!isItem && ci > pi && indent === 0) indent = ci - pi;
  }
  return { indent: indent > 0 && indent <= 8 ? indent : 2, indentSeq, lineWidth: 0 };
}

interface YamlMerge {
  text: string;
  conflicts: Conflict[];
}

/**
 * Merges the generator's change (base -> next) into the YAML `text`.
 * `extra` may make further edits on the same document (reference renames).
 */
export function mergeYaml(
  file: string,
  text: string,
  base: Json | undefined,
  next: Json | undefined,
  opts: { force: boolean; extra?: (target: YamlTarget) => void },
): YamlMerge {
  const doc = parseYaml(file, text);
  const style = yamlStyle(text);
  const before = doc.toString(style);
  const target = new YamlTarget(doc);
  const conflicts = mergeThreeWay(base, next, target, { force: opts.force });
  opts.extra?.(target);
  const after = doc.toString(style);
  if (after === before) return { text, conflicts };
  const wanted = plain(doc.contents);
  const faithful = (candidate: string) => {
    const check = parseDocument(candidate, { uniqueKeys: true });
    return check.errors.length === 0 && deepEqual(plain(check.contents), wanted);
  };
  if (!target.structural) {
    let spliced = text;
    for (const e of [...target.edits].sort((a, b) => b.start - a.start)) {
      spliced = spliced.slice(0, e.start) + e.text + spliced.slice(e.end);
    }
    if (faithful(spliced)) return { text: spliced, conflicts };
  }
  if (text === before) return { text: after, conflicts };
  // Splice: user's text + (printed edit - printed original), the edit winning where they touch.
  const spliced = mergeText(before, text, after, 'next').text;
  return { text: faithful(spliced) ? spliced : after, conflicts };
}

/** Plain data of a YAML text the generator rendered. */
export function yamlData(text: string): Json {
  return plain(parseDocument(text).contents);
}
