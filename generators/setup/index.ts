// `yo cruddur-observability:setup`: the hooks, with the stored answers.
import Generator from 'yeoman-generator';
import { processIo } from '../../src/io.js';
import { runHooks } from '../../src/post-install.js';
import { answersFor, checkTarget } from '../../src/scaffold.js';
import { UsageError } from '../../src/answers.js';
import { declareOptions, flagSet } from '../../src/yeoman-options.js';

export default class SetupGenerator extends Generator {
  constructor(args: string[], options: Generator['options']) {
    super(args, options);
    declareOptions(this, 'setup');
  }

  async default(): Promise<void> {
    const opts = this.options as unknown as Record<string, unknown>;
    const root = this.destinationRoot();
    const target = checkTarget(root, '.', true);
    if (!target.stored) {
      throw new UsageError('no .yo-rc.json from this generator here; run setup in a generated workspace');
    }
    const answers = answersFor(root, {}, target, process.env);
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
