// `cruddur-observability setup`: the hooks, with answers from .yo-rc.json.
import { resolve } from 'node:path';
import type { Invocation } from './args.js';
import { UsageError } from './answers.js';
import type { Io } from './io.js';
import { runHooks } from './post-install.js';
import { answersFor, checkTarget } from './scaffold.js';

export async function runSetupCommand(inv: Invocation, io: Io): Promise<number> {
  const root = resolve(io.cwd);
  const target = checkTarget(root, '.', true);
  if (!target.stored) {
    throw new UsageError('no .yo-rc.json from this generator here; run setup in a generated workspace');
  }
  const answers = answersFor(root, {}, target, io.env);
  return runHooks(root, answers, io, { strict: inv.flags.has('strict'), dryRun: inv.flags.has('dry-run') });
}
