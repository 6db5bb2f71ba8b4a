// What the generator wrote last time, as a hash per generated file, kept in
// .yo-rc.json (`files`). `config` re-renders the merge base from the stored
// answers with the templates it has now; after a generator upgrade that is
// not what an older version wrote. The hashes tell, per file:
// - untouched since it was written (the disk matches its hash): the file is
//   the generator's alone and takes the new render whole, template changes
//   included;
// - written before and now missing: the user deleted it; a file the record
//   does not name is new in this version and is created;
// - named by the record but no longer generated: an older version made it;
//   it is left on disk and said once.
// A hash of the text rather than the text itself keeps .yo-rc.json small.
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { GeneratedFile } from '../render/types.js';

/** The `files` value for .yo-rc.json: path -> hash, in render order. */
export function writtenRecord(files: readonly GeneratedFile[]): Record<string, string> {
  return Object.fromEntries(files.map((f) => [f.path, contentHash(f.contents)]));
}

/** 64 bits of SHA-256: a false match would need a collision, not an edit. */
export function contentHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/**
 * A path the generator could have written: relative, normal, inside the
 * workspace. A hand-edited record can name anything (`../x`, `/etc/x`), and
 * `config` must neither read nor advise deleting that.
 */
function insideWorkspace(path: string): boolean {
  return (
    path !== '' &&
    !path.includes('\\') &&
    !posix.isAbsolute(path) &&
    posix.normalize(path) === path &&
    path !== '.' &&
    !path.startsWith('../') &&
    path !== '..'
  );
}

/** The stored record, or undefined for a workspace made before hashes were kept (or a hand-broken one). */
export function readWrittenRecord(value: unknown): Map<string, string> | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const entries = Object.entries(value as Record<string, unknown>);
  if (!entries.every(([, hash]) => typeof hash === 'string')) return undefined;
  return new Map((entries as [string, string][]).filter(([path]) => insideWorkspace(path)));
}

/** The record's paths that readWrittenRecord leaves out, for a note. */
export function ignoredRecordPaths(value: unknown): string[] {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return [];
  return Object.keys(value).filter((path) => !insideWorkspace(path));
}
