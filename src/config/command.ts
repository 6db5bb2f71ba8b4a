// `cruddur-observability config`: regenerate the configuration in the current
// directory from .yo-rc.json, flags and the workspace host, keeping the
// user's edits. It never prompts, so it needs neither a TTY nor --yes.
//
// Exit codes: 0 done (or up to date); 1 conflicts left as the user had them
// (every other update is written), or `--check` found the files out of date;
// 2 a user mistake (bad flag, no .yo-rc.json, a file that does not parse, a
// directory in the way): nothing is written.
import type { Invocation } from '../cli/args.js';
import { applyPlan } from './apply.js';
import { outOfDate, planConfig, unresolvedConflicts } from './plan.js';
import { reportPlan, summaryLines } from './report.js';
import type { Io } from '../cli/io.js';
import { fileTemplates } from '../files/templates.js';

export async function runConfig(inv: Invocation, io: Io): Promise<number> {
  const check = inv.flags.has('check');
  const dryRun = inv.flags.has('dry-run');
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
  reportPlan(plan, io.out, { diff: check || dryRun });
  const mode = check ? 'check' : dryRun ? 'dry-run' : 'write';
  if (mode === 'write') applyPlan(plan);
  for (const line of summaryLines(plan, mode)) io.out(line);
  if (check) return outOfDate(plan) ? 1 : 0;
  if (dryRun) return 0;
  return unresolvedConflicts(plan) > 0 ? 1 : 0;
}
