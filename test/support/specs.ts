// Upstream schemas live outside the repo (../shared/specs or $SPECS_DIR).
// Where they are absent the tests that need them skip, saying what was skipped.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export const SPECS_DIR = process.env.SPECS_DIR ?? resolve(repoRoot, '../shared/specs');

export const specsAvailable = existsSync(join(SPECS_DIR, 'xray-smithy-model.json'));

/** For `test(name, { skip: specsSkip('what') }, ...)`. */
export function specsSkip(what: string): string | false {
  return specsAvailable ? false : `${what}: no upstream specs at ${SPECS_DIR} (set SPECS_DIR)`;
}

export function readSpec<T = unknown>(file: string): T {
  return JSON.parse(readFileSync(join(SPECS_DIR, file), 'utf8')) as T;
}
