// `cruddur-observability setup`: setup's steps, with answers from .yo-rc.json.
import { resolve } from 'node:path';
import type { Invocation } from '../cli/args.js';
import type { Answers } from '../answers/table.js';
import type { Io } from '../cli/io.js';
import { workspaceAnswers } from '../app/scaffold.js';

export async function runSetup(inv: Invocation, io: Io): Promise<number> {
  const root = resolve(io.cwd);
  const answers = workspaceAnswers(root, io.env);
  return setupWorkspace(root, answers, io, {
    strict: inv.flags.has('strict'),
    dryRun: inv.flags.has('dry-run'),
  });
}

/**
 * setup's steps for a workspace whose answers are known: `app` runs them
 * after scaffolding, `setup` with the answers from .yo-rc.json.
 */
export async function setupWorkspace(
  root: string,
  answers: Answers,
  io: Io,
  opts: { strict: boolean; dryRun: boolean },
): Promise<number> {
  const { setupSteps } = await import('./setup.js');
  return setupSteps({
    cwd: root,
    answers,
    env: { ...io.env },
    strict: opts.strict,
    dryRun: opts.dryRun,
    log: io.out,
  });
}
