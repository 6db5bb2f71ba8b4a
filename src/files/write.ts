// Writes a batch of files so that no interruption leaves the workspace half
// written without a record of it (a crash, SIGKILL, a full disk):
//   1. check every target first (a directory where a file belongs, a file
//      where a directory belongs, a dangling link): a user mistake writes
//      nothing at all;
//   2. journal the batch ("staging"), then write every file to a temporary
//      sibling and flush it;
//   3. journal it again as "committed": from here the batch is complete on
//      disk and only renames remain;
//   4. rename the backend directory (if it moves) and every temporary file
//      into place, then remove the journal.
// A run that finds a journal (recoverBatch) rolls a staging batch back and
// finishes a committed one, or names exactly what it cannot reconcile.
// A generated file that is a symbolic link is written through the link, at
// its target, so a shared target keeps receiving updates.
import { createHash } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UsageError } from '../answers/table.js';
import type { GeneratedFile } from '../render/types.js';

/** The journal of a batch in progress, at the workspace root. */
export const JOURNAL_PATH = '.cruddur-observability.journal';

/** Absolute path of `path` under `root`; refuses anything that escapes it. */
export function insideRoot(root: string, path: string): string {
  const abs = resolve(root, path);
  const rel = relative(root, abs);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new UsageError(`refusing to write ${JSON.stringify(path)}: it is outside the target ${root}`);
  }
  return abs;
}

const lstatOrUndefined = (abs: string) => lstatSync(abs, { throwIfNoEntry: false });
const statOrUndefined = (abs: string) => statSync(abs, { throwIfNoEntry: false });

/**
 * Where the text of generated file `path` goes: the path itself, or the file
 * a symbolic link there points to. Refuses, as a user mistake, anything in
 * the way: a directory (or another non-file) at the path, a file where one of
 * its directories belongs, a link to nothing.
 */
export function writeTarget(root: string, path: string): string {
  const abs = insideRoot(root, path);
  const parts = relative(root, abs).split(sep);
  for (let i = 1; i < parts.length; i++) {
    const dir = join(root, ...parts.slice(0, i));
    const link = lstatOrUndefined(dir);
    if (!link) break;
    const st = statOrUndefined(dir);
    if (!st) throw new UsageError(danglingLink(parts.slice(0, i).join('/'), dir));
    if (!st.isDirectory()) {
      throw new UsageError(
        `${parts.slice(0, i).join('/')} is a file where the directory of ${path} belongs; move it away and run again (nothing was written)`,
      );
    }
  }
  const link = lstatOrUndefined(abs);
  if (!link) return abs;
  const st = statOrUndefined(abs);
  if (!st) throw new UsageError(danglingLink(path, abs));
  if (st.isDirectory()) {
    throw new UsageError(
      `${path} is a directory where a generated file belongs; move it away and run again (nothing was written)`,
    );
  }
  if (!st.isFile()) {
    throw new UsageError(
      `${path} is not a regular file (a pipe, socket or device) where a generated file belongs; remove it and run again (nothing was written)`,
    );
  }
  return link.isSymbolicLink() ? realpathSync(abs) : abs;
}

function danglingLink(path: string, abs: string): string {
  return `${path} is a symbolic link to ${readlinkSync(abs)}, which does not exist; create its target or remove the link and run again (nothing was written)`;
}

/** The text of generated file `path`, undefined when absent; refuses what writeTarget refuses. */
export function readGenerated(root: string, path: string): string | undefined {
  const target = writeTarget(root, path);
  return lstatOrUndefined(target) ? readFileSync(target, 'utf8') : undefined;
}

interface Batch {
  files: readonly GeneratedFile[];
  /** The backend directory moves first; `files` are at their paths after the move. */
  dirRename?: { from: string; to: string } | undefined;
}

interface JournalEntry {
  /** The generated path (after the directory move). */
  path: string;
  /** Where the text goes, after the move: relative to the root, or absolute outside it (a link's target). */
  target: string;
  /** The temporary file, where it is written (before the move) and where it is after. */
  staged: string;
  tmp: string;
  hash: string;
}

interface Journal {
  version: 1;
  state: 'staging' | 'committed';
  pid: number;
  dirRename: { from: string; to: string } | null;
  /** Directories this batch creates, parents first (before the move). */
  createdDirs: string[];
  files: JournalEntry[];
}

const hashOf = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

/** `abs` as stored in the journal: relative to the root when inside it, so a moved workspace still recovers. */
function stored(root: string, abs: string): string {
  const rel = relative(root, abs);
  return rel.startsWith('..') || isAbsolute(rel) ? abs : rel.split(sep).join('/');
}

function movedPath(root: string, abs: string, rename: Batch['dirRename']): string {
  if (!rename) return abs;
  const from = join(root, rename.from);
  return abs === from || abs.startsWith(from + sep) ? join(root, rename.to) + abs.slice(from.length) : abs;
}

/** Writes `text` to `abs` and flushes it to the disk. */
function writeDurably(abs: string, text: string): void {
  const fd = openSync(abs, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function syncDir(abs: string): void {
  try {
    const fd = openSync(abs, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Not every file system lets a directory be flushed; the renames stand.
  }
}

function writeJournal(root: string, journal: Journal): void {
  const abs = join(root, JOURNAL_PATH);
  const tmp = `${abs}.${process.pid}.tmp`;
  writeDurably(tmp, JSON.stringify(journal) + '\n');
  renameSync(tmp, abs);
  syncDir(root);
}

/** Builds the journal: every target checked and resolved, nothing written. */
function planBatch(root: string, batch: Batch): Journal {
  const rename = batch.dirRename;
  const created = new Set<string>();
  const byTarget = new Map<string, string>();
  const files = batch.files.map((file): JournalEntry => {
    // Before the move the file is under the old directory name.
    const before =
      rename && file.path.startsWith(`${rename.to}/`)
        ? rename.from + file.path.slice(rename.to.length)
        : file.path;
    const target = writeTarget(root, before);
    const twin = byTarget.get(target);
    if (twin !== undefined) {
      throw new UsageError(
        `${twin} and ${file.path} are links to the same file, and each gets its own text; make one a plain file and run again (nothing was written)`,
      );
    }
    byTarget.set(target, file.path);
    for (let dir = dirname(target); dir.startsWith(root + sep) && !lstatOrUndefined(dir); dir = dirname(dir))
      created.add(dir);
    const staged = `${target}.${process.pid}.tmp`;
    return {
      path: file.path,
      target: stored(root, movedPath(root, target, rename)),
      staged: stored(root, staged),
      tmp: stored(root, movedPath(root, staged, rename)),
      hash: hashOf(file.contents),
    };
  });
  return {
    version: 1,
    state: 'staging',
    pid: process.pid,
    dirRename: rename ?? null,
    createdDirs: [...created].sort((a, b) => a.length - b.length).map((d) => stored(root, d)),
    files,
  };
}

/** Undoes a batch that never committed: its temporary files and the directories it made go. */
function rollBack(root: string, journal: Journal): number {
  let removed = 0;
  for (const f of journal.files) {
    const staged = resolve(root, f.staged);
    if (lstatOrUndefined(staged)) removed++;
    rmSync(staged, { force: true });
  }
  rmSync(join(root, JOURNAL_PATH), { force: true });
  for (const dir of [...journal.createdDirs].reverse()) {
    try {
      rmdirSync(resolve(root, dir));
    } catch {
      // Not empty (someone put a file there) or already gone: leave it.
    }
  }
  return removed;
}

/** The renames of a committed batch; what could not be reconciled, one line per file. */
function rollForward(root: string, journal: Journal): { written: number; problems: string[] } {
  const problems: string[] = [];
  let written = 0;
  const rename = journal.dirRename;
  if (rename) {
    const from = join(root, rename.from);
    const to = join(root, rename.to);
    if (lstatOrUndefined(from) && !lstatOrUndefined(to)) renameSync(from, to);
    else if (!lstatOrUndefined(to)) {
      problems.push(
        `${rename.to}/: the backend directory was to move here from ${rename.from}/, and neither exists`,
      );
      return { written, problems };
    }
  }
  for (const f of journal.files) {
    const tmp = resolve(root, f.tmp);
    const target = resolve(root, f.target);
    if (lstatOrUndefined(tmp)) {
      renameSync(tmp, target);
      written++;
      continue;
    }
    const now = statOrUndefined(target)?.isFile() ? hashOf(readFileSync(target)) : undefined;
    if (now !== f.hash) {
      problems.push(
        `${f.path}: ${now === undefined ? 'missing' : 'holds other text than this run wrote'}, and the new text (${f.tmp}) is gone`,
      );
    }
  }
  return { written, problems };
}

export function writeBatch(workspace: string, batch: Batch): void {
  const root = resolve(workspace);
  const journal = planBatch(root, batch);
  if (journal.files.length === 0 && !journal.dirRename) return;
  const made: string[] = [];
  try {
    if (!lstatOrUndefined(root)) {
      mkdirSync(root, { recursive: true });
      made.push(root);
    }
    writeJournal(root, journal);
    for (const dir of journal.createdDirs) mkdirSync(resolve(root, dir));
    for (const [i, f] of journal.files.entries())
      writeDurably(resolve(root, f.staged), batch.files[i]!.contents);
  } catch (err) {
    rollBack(root, journal);
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  writeJournal(root, { ...journal, state: 'committed' });
  const { problems } = rollForward(root, journal);
  if (problems.length > 0) {
    throw new Error(`the batch could not be finished: ${problems.join('; ')}; run again to see what to do`);
  }
  rmSync(join(root, JOURNAL_PATH), { force: true });
  syncDir(root);
}

/** `app`'s batch: every file, no directory move. */
export function writeFilesAtomic(root: string, files: readonly GeneratedFile[]): void {
  writeBatch(root, { files });
}

export type Recovery =
  | { kind: 'rolled-back'; pid: number; removed: number }
  | { kind: 'finished'; pid: number; written: number; dirRename: Journal['dirRename'] }
  | { kind: 'inconsistent'; pid: number; problems: string[] }
  | { kind: 'pending'; pid: number; state: Journal['state']; files: string[] };

function readJournal(root: string): Journal | undefined {
  const abs = join(root, JOURNAL_PATH);
  if (!lstatOrUndefined(abs)) return undefined;
  try {
    const j = JSON.parse(readFileSync(abs, 'utf8')) as Journal;
    if (j.version === 1 && Array.isArray(j.files) && Array.isArray(j.createdDirs)) return j;
  } catch {
    // Reported below: it is written whole or not at all, so this is not ours.
  }
  throw new UsageError(
    `${JOURNAL_PATH} is not a journal this version wrote; delete it and run again (nothing was written)`,
  );
}

/**
 * What an interrupted batch left: with `write`, rolled back (it had not
 * committed) or finished (it had); without, only described. Undefined when
 * no batch was interrupted. Call it while holding the workspace lock.
 */
export function recoverBatch(root: string, opts: { write: boolean }): Recovery | undefined {
  if (!lstatOrUndefined(root)) return undefined;
  // Journals left half-written by a run killed while writing one.
  if (opts.write) sweepStaleTemps(root, [JOURNAL_PATH]);
  const journal = readJournal(root);
  if (!journal) return undefined;
  const pid = journal.pid;
  if (!opts.write)
    return { kind: 'pending', pid, state: journal.state, files: journal.files.map((f) => f.path) };
  if (journal.state === 'staging') return { kind: 'rolled-back', pid, removed: rollBack(root, journal) };
  const { written, problems } = rollForward(root, journal);
  if (problems.length > 0) return { kind: 'inconsistent', pid, problems };
  rmSync(join(root, JOURNAL_PATH), { force: true });
  return { kind: 'finished', pid, written, dirRename: journal.dirRename };
}

/** A temporary file's name (`<file>.<pid>.tmp`, as this module and the lock write them): whose, by which process. */
export function temporaryOf(name: string): { of: string; pid: number } | undefined {
  const m = /^(.*)\.(\d+)\.tmp$/.exec(name);
  return m ? { of: m[1]!, pid: Number(m[2]) } : undefined;
}

/**
 * Temporary files an earlier version left beside generated files when it
 * failed (`<file>.<pid>.tmp`); removed, and counted.
 */
export function sweepStaleTemps(root: string, paths: readonly string[]): number {
  let removed = 0;
  const byDir = new Map<string, Set<string>>();
  for (const path of paths) {
    const abs = resolve(root, path);
    const names = byDir.get(dirname(abs)) ?? new Set<string>();
    names.add(basename(abs));
    byDir.set(dirname(abs), names);
  }
  for (const [dir, names] of byDir) {
    if (!statOrUndefined(dir)?.isDirectory()) continue;
    for (const entry of readdirSync(dir)) {
      const temporary = temporaryOf(entry);
      if (temporary && names.has(temporary.of)) {
        rmSync(join(dir, entry), { force: true });
        removed++;
      }
    }
  }
  return removed;
}
