// Compares what would be written with what is on disk, and shows it as
// Yeoman-style status lines and unified diffs (jsdiff).
import { existsSync, readFileSync } from 'node:fs';
import { createTwoFilesPatch } from 'diff';
import type { GeneratedFile } from './render/types.js';
import { insideRoot } from './write.js';

export type ChangeStatus = 'create' | 'identical' | 'differs';

export interface Change {
  file: GeneratedFile;
  status: ChangeStatus;
  /** What is on disk now (undefined when absent). */
  current: string | undefined;
}

export function compareWithDisk(root: string, files: readonly GeneratedFile[]): Change[] {
  return files.map((file) => {
    const abs = insideRoot(root, file.path);
    const current = existsSync(abs) ? readFileSync(abs, 'utf8') : undefined;
    const status: ChangeStatus =
      current === undefined ? 'create' : current === file.contents ? 'identical' : 'differs';
    return { file, status, current };
  });
}

export function unifiedDiff(change: Change): string {
  const { path, contents } = change.file;
  return createTwoFilesPatch(
    change.current === undefined ? '/dev/null' : `a/${path}`,
    `b/${path}`,
    change.current ?? '',
    contents,
    undefined,
    undefined,
    { context: 3 },
  ).replace(/^=+\n/, '');
}
