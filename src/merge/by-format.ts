// Which generated files are merged how, and what the generator owns in them.
//
// Ownership is derived, not listed: in a structured file the generator owns
// exactly what it renders (the `services.<service-name>` and `xray-daemon`
// keys it writes, their environment entries, ports and command items; the
// `.gitpod.yml` tasks and ports it adds, by `name`; its devcontainer.json
// entries and list items; each sampling-rule field; each `.env.example`
// variable). A second hand-kept list of key paths would drift from the
// renderers; the rendered data is the list. Everything else in the file is
// the user's and is left byte for byte.
//
// Files without such structure (README.md, .gitignore, backend sources) are
// merged line by line (diff3): the generator's change between the last and
// the current rendering is applied to the user's text where it applies
// cleanly; where the user changed the same lines, it is a conflict.
import { BOM, bomLike, withoutBom } from '../files/bom.js';
import { COMPOSE_PATH } from '../render/compose.js';
import { TRACES_OVERRIDE_PATH } from '../render/compose-traces.js';
import { DEVCONTAINER_COMPOSE_PATH, DEVCONTAINER_PATH } from '../render/devcontainer.js';
import { ENV_EXAMPLE_PATH } from '../render/env-example.js';
import { GITPOD_PATH } from '../render/gitpod.js';
import { XRAY_RULE_PATH } from '../render/xray-rule.js';
import { envData, mergeEnv } from './env.js';
import { jsonData, mergeJson, parseJsonTree } from './jsonc.js';
import { mergeText } from './text.js';
import { leftoverReferences, renameInEnvText, renameReferences, type Rename } from './references.js';
import type { Conflict, MergeTarget } from './three-way.js';
import { presentIn, show, type Json } from './value.js';
import { mergeYaml, yamlData } from './yaml.js';

export type Format = 'yaml' | 'json' | 'jsonc' | 'env' | 'text';

const FORMATS: Record<string, Format> = {
  [COMPOSE_PATH]: 'yaml',
  [TRACES_OVERRIDE_PATH]: 'yaml',
  [GITPOD_PATH]: 'yaml',
  [DEVCONTAINER_COMPOSE_PATH]: 'yaml',
  [DEVCONTAINER_PATH]: 'jsonc',
  [XRAY_RULE_PATH]: 'json',
  [ENV_EXAMPLE_PATH]: 'env',
};

export function formatOf(path: string, serviceName: string): Format {
  return FORMATS[path] ?? (path === `${serviceName}/package.json` ? 'json' : 'text');
}

interface FileMerge {
  text: string;
  conflicts: Conflict[];
  notes: string[];
}

interface MergeFileOptions {
  force: boolean;
  /** The backend service renamed from -> to. */
  rename?: Rename;
  /**
   * `base` is not what was rendered last time (an older generator version
   * rendered something else, known only by its hash). Structured files then
   * merge from the part of `next` the user's file has (see presentIn), so
   * what this version adds comes in and what the user has stays. Text files
   * are left as the user has them.
   */
  baseUnknown?: boolean;
}

/**
 * Merges one file: `base` is the text rendered last time (undefined when the
 * generator did not render this file then), `next` the text rendered now,
 * `disk` the user's. Throws FileParseError for a file it cannot parse.
 */
export function mergeFile(
  path: string,
  format: Format,
  disk: string,
  base: string | undefined,
  next: string,
  opts: MergeFileOptions,
): FileMerge {
  // Nothing to merge when the user has the generator's text, or when the
  // generator's side of a plain text file did not change since last time
  // (the user's text wins). Structured files are still parsed, so a broken
  // one is reported even when nothing in it would change.
  if (disk === next || (format === 'text' && (base === next || opts.baseUnknown)))
    return { text: disk, conflicts: [], notes: [] };
  // A file saved with a byte order mark is merged without it and given it back.
  if (disk.startsWith(BOM) && !next.startsWith(BOM)) {
    const merged = mergeFile(path, format, withoutBom(disk), base, next, opts);
    return { ...merged, text: bomLike(disk, merged.text) };
  }
  // A file the user's editor saved with CRLF is merged as LF and given back its CRLF.
  if (disk.includes('\r\n') && !next.includes('\r\n')) {
    const lf = disk.replace(/\r\n/g, '\n');
    const merged = mergeLf(path, format, lf, base, next, opts);
    return { ...merged, text: merged.text === lf ? disk : merged.text.replace(/\r?\n/g, '\r\n') };
  }
  return mergeLf(path, format, disk, base, next, opts);
}

function mergeLf(
  path: string,
  format: Format,
  disk: string,
  base: string | undefined,
  next: string,
  opts: MergeFileOptions,
): FileMerge {
  const notes: string[] = [];
  if (disk === next) return { text: disk, conflicts: [], notes };
  const { force } = opts;
  // The base as data, parsed with `data` (the format's reader).
  const baseOf = (data: (text: string) => Json): Json | undefined =>
    opts.baseUnknown ? presentIn(data(next), data(disk)) : base === undefined ? undefined : data(base);
  const { rename } = opts;
  // The user's own references to a renamed service, renamed after the merge
  // has renamed the generator's; what is left is named by file and line.
  const references = rename ? { extra: (t: MergeTarget) => renameReferences(t, rename, notes) } : {};
  const withLeftovers = (merged: { text: string; conflicts: Conflict[] }): FileMerge => ({
    ...merged,
    notes: rename ? [...notes, ...leftoverReferences(path, merged.text, next, rename)] : notes,
  });
  switch (format) {
    case 'yaml':
      return withLeftovers(mergeYaml(path, disk, baseOf(yamlData), yamlData(next), { force, ...references }));
    case 'json':
    case 'jsonc':
      // An unknown base is read from the user's text: checked first (syntax, nesting) so
      // that a broken file is named as such, as mergeJson names it, not a stack overflow.
      if (opts.baseUnknown) parseJsonTree(path, disk, format);
      return withLeftovers(
        mergeJson(path, disk, baseOf(jsonData), jsonData(next), { force, dialect: format, ...references }),
      );
    case 'env': {
      const merged = mergeEnv(disk, base, next, { force, baseData: baseOf(envData) });
      const text = rename ? renameInEnvText(merged.text, rename, notes) : merged.text;
      return withLeftovers({ ...merged, text });
    }
    case 'text': {
      if (base === undefined) {
        const conflict = { path: '(whole file)', disk, next };
        return { text: force ? next : disk, conflicts: [conflict], notes };
      }
      const merged = mergeText(base, disk, next, force ? 'next' : 'disk');
      const conflicts = merged.conflicts.map((c) => ({
        path: `line ${c.line}`,
        disk: c.disk.join(''),
        next: c.next.join(''),
      }));
      return { text: merged.text, conflicts, notes };
    }
  }
}

/** `path: yours <v> / generator <v>` for a report. */
export function describeConflict(c: Conflict): string {
  const where = c.path === '' ? '(whole file)' : c.path;
  return `${where}: yours ${show(c.disk)} / generator ${show(c.next)}${c.note ? ` (${c.note})` : ''}`;
}
