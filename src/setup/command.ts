// `cruddur-observability setup`: the hooks, with answers from .yo-rc.json.
import { resolve } from 'node:path';
import type { Invocation } from '../cli/args.js';
import type { Io } from '../cli/io.js';
import { runHooks } from '../app/install.js';
import { workspaceAnswers } from '../app/scaffold.js';

export async function runSetupCommand(inv: Invocation, io: Io): Promise<number> {
  const root = resolve(io.cwd);
  const answers = workspaceAnswers(root, io.env);
  return runHooks(root, answers, io, { strict: inv.flags.has('strict'), dryRun: inv.flags.has('dry-run') });
}
