// Compares what would be written with what is on disk, and shows it as
// Yeoman-style status lines and unified diffs (jsdiff).
import { createTwoFilesPatch } from 'diff';
import type { GeneratedFile } from '../render/types.js';
import { readGenerated } from './write.js';

type ChangeStatus = 'create' | 'identical' | 'differs';

interface Change {
  file: GeneratedFile;
  status: ChangeStatus;
  /** What is on disk now (undefined when absent). */
  current: string | undefined;
}

export function compareWithDisk(root: string, files: readonly GeneratedFile[]): Change[] {
  return files.map((file) => {
    const current = readGenerated(root, file.path);
    const status: ChangeStatus =
      current === undefined ? 'create' : current === file.contents ? 'identical' : 'differs';
    return { file, status, current };
  });
}

/** A unified diff from `before` at `oldPath` (undefined: a new file) to `after` at `newPath`. */
export function filePatch(
  oldPath: string | undefined,
  newPath: string,
  before: string,
  after: string,
): string {
  return createTwoFilesPatch(
    oldPath === undefined ? '/dev/null' : `a/${oldPath}`,
    `b/${newPath}`,
    before,
    after,
    undefined,
    undefined,
    { context: 3 },
  ).replace(/^=+\n/, '');
}

export function unifiedDiff(change: Change): string {
  const { path, contents } = change.file;
  return filePatch(change.current === undefined ? undefined : path, path, change.current ?? '', contents);
}
