// `yo cruddur-observability:config`: the same pipeline as the bin's `config`
// (src/config/); writes go through this.fs, so Yeoman's conflicter applies.
import Generator from 'yeoman-generator';
import { UsageError } from '../../src/answers/table.js';
import { applyPlan } from '../../src/config/apply.js';
import { outOfDate, planConfig, unresolvedConflicts } from '../../src/config/plan.js';
import { reportPlan, summaryLines } from '../../src/config/report.js';
import { fileTemplates } from '../../src/files/templates.js';
import { declareOptions, flagSet, givenFromOptions } from '../../src/yeoman/options.js';

export default class ConfigGenerator extends Generator {
  constructor(args: string[], options: Generator['options']) {
    super(args, options);
    declareOptions(this, 'config');
  }

  writing(): void {
    const opts = this.options as unknown as Record<string, unknown>;
    const check = flagSet(opts, 'check');
    const dryRun = flagSet(opts, 'dry-run');
    const plan = planConfig({
      root: this.destinationRoot(),
      given: givenFromOptions(opts),
      env: process.env,
      templates: fileTemplates(),
      force: flagSet(opts, 'force'),
      restore: flagSet(opts, 'restore'),
    });
    if (plan.errors.length > 0) {
      throw new UsageError(
        `${plan.errors.map((e) => e.message).join('; ')}; fix and run config again; nothing was written`,
      );
    }
    const log = (line: string) => this.log(line);
    reportPlan(plan, log, { diff: check || dryRun });
    const mode = check ? 'check' : dryRun ? 'dry-run' : 'write';
    if (mode === 'write') {
      applyPlan(plan, (files) => {
        for (const file of files) this.fs.write(this.destinationPath(file.path), file.contents);
      });
    }
    for (const line of summaryLines(plan, mode, { viaYeoman: true })) log(line);
    if ((check && outOfDate(plan)) || (mode === 'write' && unresolvedConflicts(plan) > 0))
      process.exitCode = 1;
  }
}
