// `config`'s only writes: the backend directory rename, then every changed
// file in one atomic batch, the rename undone if the batch fails.
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import type { GeneratedFile } from '../render/types.js';
import { writeFilesAtomic } from '../files/write.js';
import { pendingWrites, type ConfigPlan } from './plan.js';

/** Renames the backend directory, then writes every changed file in one atomic batch. */
export function applyPlan(
  plan: ConfigPlan,
  write = (files: GeneratedFile[]) => writeFilesAtomic(plan.root, files),
): void {
  const files = pendingWrites(plan).map((f) => ({ path: f.path, contents: f.after! }));
  const moved = plan.dirRename;
  if (moved) renameSync(join(plan.root, moved.from), join(plan.root, moved.to));
  try {
    write(files);
  } catch (err) {
    if (moved) renameSync(join(plan.root, moved.to), join(plan.root, moved.from));
    throw err;
  }
}
