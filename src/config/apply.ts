// `config`'s only writes: the backend directory move and every changed file,
// as one journaled batch (files/write.ts): an interrupted run is rolled back
// or finished by the next one, never left half-applied unnoticed. Then the
// removals: files of the last answers the new ones no longer make, untouched.
import { rmSync } from 'node:fs';
import { insideRoot, sweepStaleTemps, writeBatch, writeTarget } from '../files/write.js';
import { pendingRemovals, pendingWrites, type ConfigPlan } from './plan.js';

/**
 * Refuses, before anything is reported or written, a workspace where a
 * generated file cannot be written: a directory (or a file, or a link to
 * nothing) in its place or in place of one of its directories.
 */
export function checkTargets(plan: ConfigPlan): void {
  for (const f of plan.files) if (f.status !== 'retired') writeTarget(plan.root, f.diskPath);
}

/**
 * Moves the backend directory and writes every changed file in one batch,
 * then removes. Returns how many stale temporary files of earlier failed runs
 * it removed.
 */
export function applyPlan(plan: ConfigPlan): number {
  const files = pendingWrites(plan).map((f) => ({ path: f.path, contents: f.result! }));
  // plan.files includes .yo-rc.json's own plan.
  const swept = sweepStaleTemps(
    plan.root,
    plan.files.flatMap((f) => [f.path, f.diskPath]),
  );
  writeBatch(plan.root, { files, dirRename: plan.dirRename });
  // After the batch: a failed one leaves every file where it was.
  for (const f of pendingRemovals(plan)) rmSync(insideRoot(plan.root, f.path), { force: true });
  return swept;
}
