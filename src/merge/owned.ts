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
import { COMPOSE_PATH } from '../render/compose.js';
import { DEVCONTAINER_COMPOSE_PATH, DEVCONTAINER_PATH } from '../render/devcontainer.js';
import { ENV_EXAMPLE_PATH } from '../render/env-example.js';
import { GITPOD_PATH } from '../render/gitpod.js';
import { XRAY_RULE_PATH } from '../render/xray-rule.js';
import { envData, mergeEnv } from './env.js';
import { jsonData, mergeJson } from './jsonc.js';
import { mergeText } from './text.js';
import type { Conflict } from './three-way.js';
import { isMap, isSeq, presentIn, show, type Json } from './value.js';
import { mergeYaml, yamlData, type YamlTarget } from './yaml.js';

export type Format = 'yaml' | 'json' | 'jsonc' | 'env' | 'text';

const FORMATS: Record<string, Format> = {
  [COMPOSE_PATH]: 'yaml',
  [GITPOD_PATH]: 'yaml',
  [DEVCONTAINER_COMPOSE_PATH]: 'yaml',
  [DEVCONTAINER_PATH]: 'jsonc',
  [XRAY_RULE_PATH]: 'json',
  [ENV_EXAMPLE_PATH]: 'env',
};

/** Compose files: a service rename also renames `depends_on` references in the user's services. */
const COMPOSE_FILES = new Set([COMPOSE_PATH, DEVCONTAINER_COMPOSE_PATH]);

export function formatOf(path: string, serviceName: string): Format {
  return FORMATS[path] ?? (path === `${serviceName}/package.json` ? 'json' : 'text');
}

export interface FileMerge {
  text: string;
  conflicts: Conflict[];
  notes: string[];
}

export interface MergeFileOptions {
  force: boolean;
  /** The backend service renamed from -> to. */
  rename?: { from: string; to: string };
  /**
   * `base` is not what was rendered last time (an older generator version
   * rendered something else, known only by its hash). Structured files then
   * merge from the part of `next` the user's file has (see presentIn), so
   * what this version adds comes in and what the user has stays. Text files
   * are left as the user has them.
   */
  baseUnknown?: boolean;
}

/** Renames `depends_on` references to the renamed service in the user's other services. */
function renameReferences(target: YamlTarget, from: string, to: string, notes: string[]): void {
  const services = target.get(['services']);
  if (!isMap(services)) return;
  for (const [name, service] of Object.entries(services)) {
    if (name === to || !isMap(service)) continue;
    const path = ['services', name, 'depends_on'];
    const deps = service.depends_on;
    if (isSeq(deps) && deps.includes(from)) target.replaceItem(path, from, to);
    else if (isMap(deps) && Object.hasOwn(deps, from) && !Object.hasOwn(deps, to))
      target.renameKey(path, from, to);
    else continue;
    notes.push(`services.${name}.depends_on: ${from} -> ${to}`);
  }
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
  switch (format) {
    case 'yaml': {
      const rename = opts.rename && COMPOSE_FILES.has(path) ? opts.rename : undefined;
      const merged = mergeYaml(path, disk, baseOf(yamlData), yamlData(next), {
        force,
        ...(rename ? { extra: (t: YamlTarget) => renameReferences(t, rename.from, rename.to, notes) } : {}),
      });
      return { ...merged, notes };
    }
    case 'json':
    case 'jsonc': {
      const merged = mergeJson(path, disk, baseOf(jsonData), jsonData(next), {
        force,
        dialect: format,
      });
      return { ...merged, notes };
    }
    case 'env':
      return { ...mergeEnv(disk, base, next, { force, baseData: baseOf(envData) }), notes };
    case 'text': {
      if (base === undefined) {
        const conflict = { path: '(whole file)', yours: disk, generator: next };
        return { text: force ? next : disk, conflicts: [conflict], notes };
      }
      const merged = mergeText(base, disk, next, force ? 'theirs' : 'ours');
      const conflicts = merged.conflicts.map((c) => ({
        path: `line ${c.line}`,
        yours: c.ours.join(''),
        generator: c.theirs.join(''),
      }));
      return { text: merged.text, conflicts, notes };
    }
  }
}

/** `path: yours <v> / generator <v>` for a report. */
export function describeConflict(c: Conflict): string {
  const where = c.path === '' ? '(whole file)' : c.path;
  return `${where}: yours ${show(c.yours)} / generator ${show(c.generator)}${c.note ? ` (${c.note})` : ''}`;
}
