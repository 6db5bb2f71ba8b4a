// Upstream schemas live outside the repo (../shared/specs or $SPECS_DIR).
// Where they are absent the tests that need them skip, each one counted in
// the summary's "skipped" with the reason (a skipped describe() would hide
// how many tests it holds).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after as nodeAfter, before as nodeBefore, test as nodeTest } from 'node:test';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export const SPECS_DIR = process.env.SPECS_DIR ?? resolve(repoRoot, '../shared/specs');

export const specsAvailable = existsSync(join(SPECS_DIR, 'xray-smithy-model.json'));

/** For `test(name, { skip: specsSkip('what') }, ...)`. */
export function specsSkip(what: string): string | false {
  return specsAvailable ? false : `${what}: no upstream specs at ${SPECS_DIR} (set SPECS_DIR)`;
}

/**
 * `test`, `before` and `after` for a suite whose every test needs the specs:
 * `describe(name, () => { const { test, before, after } = needingSpecs('what'); ... })`.
 * Without the specs each test is registered as skipped with the reason, and
 * the hooks (which would start the stand-ins) do not run.
 */
export function needingSpecs(what: string): {
  test: typeof nodeTest;
  before: typeof nodeBefore;
  after: typeof nodeAfter;
} {
  const skip = specsSkip(what);
  if (!skip) return { test: nodeTest, before: nodeBefore, after: nodeAfter };
  const test = (name: string, a?: unknown, b?: unknown) => {
    const options = typeof a === 'object' && a !== null ? a : {};
    return nodeTest(name, { ...options, skip }, (typeof a === 'function' ? a : b) as () => void);
  };
  const noHook = () => {};
  return { test: test as typeof nodeTest, before: noHook, after: noHook };
}

export function readSpec<T = unknown>(file: string): T {
  return JSON.parse(readFileSync(join(SPECS_DIR, file), 'utf8')) as T;
}
