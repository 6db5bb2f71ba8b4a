// Structural edits of JSON and JSONC (devcontainer.json) with jsonc-parser:
// each edit is a text edit, so comments, key order and the formatting of
// everything untouched stay byte for byte. Scalars are replaced in place;
// jsonc-parser's `modify` (which formats the lines it inserts) is used only
// for insertions, removals and replaced collections.
import {
  applyEdits,
  findNodeAtLocation,
  getNodeValue,
  modify,
  parseTree,
  printParseErrorCode,
  type FormattingOptions,
  type Node,
  type ParseError,
  type ParseOptions,
} from 'jsonc-parser';
import { BOM, withoutBom } from '../files/bom.js';
import { FileParseError, lineColumn } from './errors.js';
import { mergeThreeWay, type Conflict, type MergeTarget } from './three-way.js';
import { isScalar, type Json, type Path } from './value.js';
import { MAX_NESTING, tooDeepAt } from './nesting.js';

type JsonDialect = 'json' | 'jsonc';

function parseOptions(dialect: JsonDialect): ParseOptions {
  return dialect === 'json'
    ? { disallowComments: true, allowTrailingComma: false }
    : { disallowComments: false, allowTrailingComma: true };
}

export function parseJsonTree(file: string, text: string, dialect: JsonDialect): Node | undefined {
  const deep = tooDeepAt(text);
  if (deep >= 0) {
    const { line, column } = lineColumn(text, deep);
    throw new FileParseError(file, line, column, `nested deeper than ${MAX_NESTING} levels`);
  }
  const errors: ParseError[] = [];
  // A byte order mark read as a space: accepted, and every offset stays where it was.
  const tree = parseTree(text.startsWith(BOM) ? ' ' + withoutBom(text) : text, errors, parseOptions(dialect));
  const error = errors[0];
  if (error) {
    const { line, column } = lineColumn(text, error.offset);
    const what = dialect === 'json' ? 'JSON' : 'JSON with comments';
    throw new FileParseError(file, line, column, `not valid ${what}: ${printParseErrorCode(error.error)}`);
  }
  return tree;
}

/** Indentation as the file already has it; LF, because mergeFile merges a CRLF file as LF. */
function jsonFormatting(text: string): FormattingOptions {
  const indented = /^([ \t]+)["{}[\]\w-]/m.exec(text)?.[1];
  if (indented?.startsWith('\t')) return { insertSpaces: false, tabSize: 1, eol: '\n' };
  return { insertSpaces: true, tabSize: indented ? indented.length : 2, eol: '\n' };
}

class JsoncTarget implements MergeTarget {
  constructor(
    public text: string,
    private readonly dialect: JsonDialect,
    private readonly formatting: FormattingOptions,
  ) {}

  private tree(): Node | undefined {
    return parseTree(this.text, [], parseOptions(this.dialect));
  }

  private at(path: Path): Node | undefined {
    const tree = this.tree();
    return tree && (path.length === 0 ? tree : findNodeAtLocation(tree, path));
  }

  private edit(path: Path, value: Json | undefined, extra: Partial<Parameters<typeof modify>[3]> = {}): void {
    this.text = applyEdits(
      this.text,
      modify(this.text, path, value, { formattingOptions: this.formatting, ...extra }),
    );
  }

  private splice(node: Node, replacement: string): void {
    this.text = this.text.slice(0, node.offset) + replacement + this.text.slice(node.offset + node.length);
  }

  get(path: Path): Json | undefined {
    const node = this.at(path);
    return node ? (getNodeValue(node) as Json) : undefined;
  }

  replace(path: Path, value: Json): void {
    const node = this.at(path);
    if (path.length === 0 || !node) {
      const indent = this.formatting.insertSpaces ? ' '.repeat(this.formatting.tabSize ?? 2) : '\t';
      if (path.length === 0) this.text = JSON.stringify(value, null, indent) + '\n';
      else this.edit(path, value);
      return;
    }
    if (isScalar(value) && node.type !== 'object' && node.type !== 'array')
      this.splice(node, JSON.stringify(value));
    else this.edit(path, value);
  }

  insertKey(path: Path, key: string, value: Json, index: number): void {
    this.edit([...path, key], value, { getInsertionIndex: () => index });
  }

  insertItem(path: Path, index: number, value: Json): void {
    this.edit([...path, index], value, { isArrayInsertion: true });
  }

  remove(path: Path): void {
    this.edit(path, undefined);
  }

  renameKey(path: Path, from: string, to: string): void {
    const object = this.at(path);
    const property = object?.children?.find((p) => p.children?.[0]?.value === from);
    const keyNode = property?.children?.[0];
    if (!keyNode) throw new Error(`internal: no key ${from} at ${path.join('.')}`);
    this.splice(keyNode, JSON.stringify(to));
  }
}

interface JsonMerge {
  text: string;
  conflicts: Conflict[];
}

export function mergeJson(
  file: string,
  text: string,
  base: Json | undefined,
  next: Json | undefined,
  opts: { force: boolean; dialect: JsonDialect; extra?: (target: JsoncTarget) => void },
): JsonMerge {
  parseJsonTree(file, text, opts.dialect);
  const target = new JsoncTarget(text, opts.dialect, jsonFormatting(text));
  const conflicts = mergeThreeWay(base, next, target, { force: opts.force });
  opts.extra?.(target);
  return { text: target.text, conflicts };
}

/** Plain data of a JSON(C) text the generator rendered. */
export function jsonData(text: string): Json {
  const tree = parseTree(text, [], parseOptions('jsonc'));
  return tree ? (getNodeValue(tree) as Json) : null;
}
