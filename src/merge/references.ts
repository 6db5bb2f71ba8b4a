// A renamed backend service: the user's own references to it, renamed.
//
// The generator renames what it renders (the compose service, its build
// context, tasks, ports ...) through the three-way merge. What the user wrote
// around it can name the service too: another service's `depends_on`,
// `links`, `build: ./backend-express`, a bind mount `./backend-express/src`,
// `API_URL=http://backend-express:4567`, a task running `cd backend-express`.
// Each occurrence of the old name is classified by what surrounds it; one
// that is recognisably the service (a host name, a service reference) or its
// directory (a relative path) is renamed, and any other is left as it is and
// named with its file and line, so no stale reference passes silently.
import type { MergeTarget } from './three-way.js';
import { isMap, isSeq, type Json, type Path } from './value.js';

export interface Rename {
  from: string;
  to: string;
}

/** `s` as a literal in a RegExp source. */
export const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Each occurrence of the name as a whole word: not part of a longer name. */
function occurrences(name: string): RegExp {
  return new RegExp(`(?<![A-Za-z0-9_.-])${escapeRegExp(name)}(?![A-Za-z0-9_-])`, 'g');
}

// Where what follows the name ends a path segment or a word.
const SEGMENT_END = /^([/:\s"',;)&|]|$)/;

/** Whether the name, between `before` and `after` in one value, is the service or its directory. */
function isReference(before: string, after: string): boolean {
  // The whole value (depends_on, links, volumes_from, extends.service,
  // a build context) or the value of a NAME=value item.
  if ((before === '' || /^[A-Za-z_][A-Za-z0-9_]*=$/.test(before)) && after === '') return true;
  // links `name:alias`, volumes_from `name:ro`.
  if (before === '' && /^:[A-Za-z_][\w.-]*$/.test(after)) return true;
  // network_mode, pid, ipc: `service:name`.
  if (/^service:$/.test(before) && after === '') return true;
  // A URL's host, or host:port at the start of a word.
  if (/(\/\/|@)$/.test(before) && /^([:/?#\s"']|$)/.test(after)) return true;
  if (/(^|[\s=,"'(])$/.test(before) && /^:\d/.test(after)) return true;
  // The directory: ./name, ${workspace}/name, name/... at the start of a
  // word, or the argument of an option or command that takes a directory.
  if (/(^|[\s=,"':(])\.\/$/.test(before) && SEGMENT_END.test(after)) return true;
  if (/\}\/$/.test(before) && SEGMENT_END.test(after)) return true;
  if (/(^|[\s=,"'(])$/.test(before) && after.startsWith('/')) return true;
  if (/(^|[\s;&|(])(cd|pushd|--prefix|--cwd|-C)[\s=]+$/.test(before) && SEGMENT_END.test(after)) return true;
  return false;
}

/** `value` with every recognised reference to `from` renamed to `to`. */
export function renameInValue(value: string, { from, to }: Rename): string {
  return value.replace(occurrences(from), (match, offset: number) =>
    isReference(value.slice(0, offset), value.slice(offset + match.length)) ? to : match,
  );
}

function label(path: Path): string {
  return path.filter((seg) => typeof seg === 'string').join('.');
}

/**
 * Renames the references in every string value of the document and in the
 * keys of `depends_on` maps; a note per renamed value.
 */
export function renameReferences(target: MergeTarget, rename: Rename, notes: string[]): void {
  const { from, to } = rename;
  const walk = (value: Json, path: Path): void => {
    if (typeof value === 'string') {
      const renamed = renameInValue(value, rename);
      if (renamed !== value) {
        target.replace(path, renamed);
        notes.push(`${label(path)}: ${value} -> ${renamed}`);
      }
    } else if (isSeq(value)) {
      value.forEach((item, i) => walk(item, [...path, i]));
    } else if (isMap(value)) {
      const renameKey =
        path.at(-1) === 'depends_on' && Object.hasOwn(value, from) && !Object.hasOwn(value, to);
      if (renameKey) {
        target.renameKey(path, from, to);
        notes.push(`${label(path)}: ${from} -> ${to}`);
      }
      for (const [key, item] of Object.entries(value))
        walk(item, [...path, renameKey && key === from ? to : key]);
    }
  };
  const doc = target.get([]);
  if (doc !== undefined) walk(doc, []);
}

/** The same for the values of NAME=value lines (.env files); other lines are left alone. */
export function renameInEnvText(text: string, rename: Rename, notes: string[]): string {
  return text.replace(
    /^(\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=)(.*)$/gm,
    (line, head: string, name: string, value: string) => {
      const renamed = renameInValue(value, rename);
      if (renamed === value) return line;
      notes.push(`${name}: ${value} -> ${renamed}`);
      return head + renamed;
    },
  );
}

/**
 * The old name where it is still in `text` and not on a line the generator
 * renders now: `file:line` and the line, for the user to look at.
 */
export function leftoverReferences(file: string, text: string, next: string, { from }: Rename): string[] {
  const rendered = new Set(next.split(/\r?\n/));
  const found: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (rendered.has(line) || !occurrences(from).test(line)) return;
    found.push(
      `${file}:${i + 1}: "${from}" left as it is; rename it by hand if it means the service: ${line.trim()}`,
    );
  });
  return found;
}
