// Writes a batch of files so that a failure leaves no half-written file:
// every file is written to a temporary sibling first, then all are renamed.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { UsageError } from '../answers/table.js';
import type { GeneratedFile } from '../render/types.js';

/** Absolute path of `path` under `root`; refuses anything that escapes it. */
export function insideRoot(root: string, path: string): string {
  const abs = resolve(root, path);
  const rel = relative(root, abs);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new UsageError(`refusing to write ${JSON.stringify(path)}: it is outside the target ${root}`);
  }
  return abs;
}

export function writeFilesAtomic(root: string, files: readonly GeneratedFile[]): void {
  const staged: Array<{ tmp: string; target: string }> = [];
  try {
    for (const file of files) {
      const target = insideRoot(root, file.path);
      mkdirSync(dirname(target), { recursive: true });
      const tmp = `${target}.${process.pid}.tmp`;
      writeFileSync(tmp, file.contents);
      staged.push({ tmp, target });
    }
  } catch (err) {
    for (const { tmp } of staged) rmSync(tmp, { force: true });
    throw err;
  }
  for (const { tmp, target } of staged) renameSync(tmp, target);
}
