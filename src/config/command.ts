// `cruddur-observability config`: regenerate the configuration in the current
// directory from .yo-rc.json, flags and the workspace host, keeping the
// user's edits. It never prompts, so it needs neither a TTY nor --yes.
//
// Exit codes: 0 done (or up to date); 1 conflicts left as the user had them
// (every other update is written), or `--check` found the files out of date;
// 2 a user mistake (bad flag, no .yo-rc.json, a file that does not parse, a
// directory in the way) or another run holding the workspace: nothing is
// written. An interrupted earlier run is finished or rolled back first; one
// that cannot be is reported file by file, exit 1.
import type { Invocation } from '../cli/args.js';
import { applyPlan, checkTargets } from './apply.js';
import { outOfDate, planConfig, unresolvedConflicts } from './plan.js';
import { reportPlan, summaryLines } from './report.js';
import type { Io } from '../cli/io.js';
import { fileTemplates } from '../files/templates.js';
import { guardWorkspace } from '../state/workspace-guard.js';

export async function runConfig(inv: Invocation, io: Io): Promise<number> {
  const check = inv.flags.has('check');
  const dryRun = inv.flags.has('dry-run');
  const guard = guardWorkspace(io.cwd, 'config', { write: !check && !dryRun });
  try {
    for (const line of guard.lines) io.out(line);
    return guard.blocked ? 1 : configLocked(inv, io, check, dryRun);
  } finally {
    guard.release();
  }
}

function configLocked(inv: Invocation, io: Io, check: boolean, dryRun: boolean): number {
  const plan = planConfig({
    root: io.cwd,
    given: inv.given,
    env: io.env,
    templates: fileTemplates(),
    force: inv.flags.has('force'),
    restore: inv.flags.has('restore'),
  });
  if (plan.errors.length > 0) {
    for (const e of plan.errors) io.err(`cruddur-observability: ${e.message}`);
    io.err(`cruddur-observability: config: fix the file(s) above and run config again; nothing was written`);
    return 2;
  }
  checkTargets(plan);
  reportPlan(plan, io.out, { diff: check || dryRun });
  const mode = check ? 'check' : dryRun ? 'dry-run' : 'write';
  if (mode === 'write') {
    const swept = applyPlan(plan);
    if (swept > 0) io.out(`removed ${swept} temporary file(s) a failed earlier run left`);
  }
  for (const line of summaryLines(plan, mode)) io.out(line);
  if (check) return outOfDate(plan) ? 1 : 0;
  if (dryRun) return 0;
  return unresolvedConflicts(plan) > 0 ? 1 : 0;
}
