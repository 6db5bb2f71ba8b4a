// What every command that writes a workspace does first: take the lock
// (state/lock.ts), then deal with a batch an interrupted run left
// (files/write.ts) before anything reads the files, so no plan is made from
// a half-written workspace and nothing calls such a workspace up to date.
import { JOURNAL_PATH, recoverBatch, type Recovery } from '../files/write.js';
import { UsageError } from '../answers/table.js';
import { acquireLock } from './lock.js';

interface Guard {
  /** What recovery did or found, one line each. */
  lines: string[];
  /** The workspace is half-written and this run cannot (or, read-only, may not) fix it: exit 1. */
  blocked: boolean;
  release(): void;
}

const READ_ONLY_FS = new Set(['EROFS', 'EACCES', 'EPERM']);

function describe(r: Recovery, command: string): { lines: string[]; blocked: boolean } {
  const run = `an interrupted run (pid ${r.pid})`;
  switch (r.kind) {
    case 'rolled-back':
      return {
        lines: [
          `recovered: ${run} had not changed any file yet; its ${r.removed} temporary file(s) were removed`,
        ],
        blocked: false,
      };
    case 'finished': {
      const moved = r.dirRename ? `, ${r.dirRename.from}/ moved to ${r.dirRename.to}/` : '';
      return {
        lines: [`recovered: finished ${run}: ${r.written} file(s) written${moved}`],
        blocked: false,
      };
    }
    case 'inconsistent':
      return {
        lines: [
          `${run} left this workspace half-written, and its changes cannot be finished:`,
          ...r.problems.map((p) => `  ${p}`),
          `restore these files (e.g. \`git checkout -- <file>\`) and run ${command} again, or delete ${JOURNAL_PATH} to keep them as they are`,
        ],
        blocked: true,
      };
    case 'pending':
      return {
        lines: [
          `${run} left this workspace half-written (${r.files.length} file(s): ${r.files.join(', ')}); run \`cruddur-observability config\` to ${r.state === 'committed' ? 'finish' : 'roll back'} it`,
        ],
        blocked: true,
      };
  }
}

/** Locks the workspace at `root` for `command` and recovers it (`write`) or reports what needs recovery. */
export function guardWorkspace(root: string, command: string, opts: { write: boolean }): Guard {
  let release = () => {};
  try {
    release = acquireLock(root, command);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (!READ_ONLY_FS.has(code)) throw err;
    // A read-only run in a read-only checkout (CI) needs no lock to look.
    if (opts.write)
      throw new UsageError(`cannot write in ${root} (${code}); ${command} needs to write there`);
  }
  try {
    const recovery = recoverBatch(root, opts);
    const { lines, blocked } = recovery ? describe(recovery, command) : { lines: [], blocked: false };
    return { lines, blocked, release };
  } catch (err) {
    release();
    throw err;
  }
}
