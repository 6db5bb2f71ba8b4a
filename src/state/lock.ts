// One run at a time changes a workspace: two `config` runs planned from the
// same disk and written one after the other would mix their files. The lock
// is a file holding the owner's pid and host, created exclusively: written
// whole under a name of its own, then hard-linked to the lock's name, which
// fails like O_EXCL when the lock exists, and never shows an empty lock
// whatever point the owner is killed at. A lock whose owner is gone (killed,
// crashed) is taken over.
import { linkSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../answers/table.js';
import { temporaryOf } from '../files/write.js';

export const LOCK_PATH = '.cruddur-observability.lock';

/** Another run holds the workspace: exit 2, nothing written. */
class LockHeld extends UsageError {}

interface Owner {
  pid: number;
  host: string;
  command: string;
}

function readOwner(abs: string): Owner | undefined {
  try {
    const owner = JSON.parse(readFileSync(abs, 'utf8')) as Partial<Owner>;
    if (typeof owner.pid === 'number' && typeof owner.host === 'string')
      return { pid: owner.pid, host: owner.host, command: String(owner.command ?? 'run') };
  } catch {
    // Absent, or caught between its creation and its first write: held.
  }
  return undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP']);

/** Lock candidates of runs killed before they linked or removed theirs. */
function sweepCandidates(root: string): void {
  for (const name of readdirSync(root)) {
    const temporary = temporaryOf(name);
    if (temporary?.of === LOCK_PATH && !alive(temporary.pid)) rmSync(join(root, name), { force: true });
  }
}

/** Takes the workspace lock at `root` for `command`; returns its release. */
export function acquireLock(root: string, command: string): () => void {
  const abs = join(root, LOCK_PATH);
  const me: Owner = { pid: process.pid, host: hostname(), command };
  sweepCandidates(root);
  const candidate = `${abs}.${process.pid}.tmp`;
  writeFileSync(candidate, JSON.stringify(me) + '\n');
  for (let attempt = 0; ; attempt++) {
    try {
      try {
        linkSync(candidate, abs);
      } catch (err) {
        // A file system without hard links: O_EXCL itself.
        if (!NO_LINKS.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
        writeFileSync(abs, JSON.stringify(me) + '\n', { flag: 'wx' });
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        rmSync(candidate, { force: true });
        throw err;
      }
      const owner = readOwner(abs);
      // A dead owner on this machine cannot finish: its lock is stale. Its
      // half-written batch, if any, is the journal's business (files/write.ts).
      if (attempt === 0 && owner && owner.host === me.host && !alive(owner.pid)) {
        rmSync(abs, { force: true });
        continue;
      }
      rmSync(candidate, { force: true });
      const who = owner
        ? `${owner.command} run (pid ${owner.pid}${owner.host === me.host ? '' : ` on ${owner.host}`})`
        : 'run';
      throw new LockHeld(
        `another ${who} is changing this workspace (${LOCK_PATH}); wait for it to finish and run ${command} again (if none is running, delete ${LOCK_PATH}); nothing was written`,
      );
    }
    rmSync(candidate, { force: true });
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // Only our own lock: a run that judged ours stale must not lose its own.
      if (readOwner(abs)?.pid === me.pid) rmSync(abs, { force: true });
    };
  }
}
