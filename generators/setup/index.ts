// `yo cruddur-observability:setup`: the hooks, with the stored answers.
import Generator from 'yeoman-generator';
import { processIo } from '../../src/cli/io.js';
import { runHooks } from '../../src/app/install.js';
import { workspaceAnswers } from '../../src/app/scaffold.js';
import { declareOptions, flagSet } from '../../src/yeoman/options.js';

export default class SetupGenerator extends Generator {
  constructor(args: string[], options: Generator['options']) {
    super(args, options);
    declareOptions(this, 'setup');
  }

  async default(): Promise<void> {
    const opts = this.options as unknown as Record<string, unknown>;
    const root = this.destinationRoot();
    const answers = workspaceAnswers(root, process.env);
    const code = await runHooks(
      root,
      answers,
      { ...processIo(), cwd: root, out: (l) => this.log(l) },
      {
        strict: flagSet(opts, 'strict'),
        dryRun: flagSet(opts, 'dry-run'),
      },
    );
    if (code !== 0) process.exitCode = code;
  }
}
