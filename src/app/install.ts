// After the files are written: install the backend (setup follows, from setup/command.ts).
import { join } from 'node:path';
import type { Answers } from '../answers/table.js';
import type { Io } from '../cli/io.js';

export async function installBackend(root: string, answers: Answers, io: Io): Promise<boolean> {
  const { execa } = await import('execa');
  const cwd = join(root, answers.serviceName);
  io.out(`installing ${answers.serviceName} dependencies (npm install)...`);
  const result = await execa('npm', ['install', '--no-audit', '--no-fund'], {
    cwd,
    reject: false,
    stdout: 'pipe',
    stderr: 'pipe',
    all: true,
  });
  if (result.exitCode !== 0) {
    io.err(result.all ?? '');
    io.err(
      `npm install failed in ${answers.serviceName}/ (exit ${result.exitCode}); fix the cause and run it there yourself`,
    );
    return false;
  }
  return true;
}
