// `yo cruddur-observability`: Yeoman's prompts and conflicter around the
// same pipeline the bin runs (src/app/).
import { resolve } from 'node:path';
import Generator from 'yeoman-generator';
import { ANSWER_NAMES, type Answers } from '../../src/answers/table.js';
import { processIo } from '../../src/cli/io.js';
import { installBackend, runHooks } from '../../src/app/install.js';
import {
  answersFor,
  checkTarget,
  defaultsContext,
  scaffoldFiles,
  type Given,
  type TargetState,
} from '../../src/app/scaffold.js';
import { fileTemplates } from '../../src/files/templates.js';
import { declareOptions, flagSet, givenFromOptions, questionsFor } from '../../src/yeoman/options.js';

export default class AppGenerator extends Generator {
  private target!: TargetState;
  private given: Given = {};
  private answers!: Answers;

  constructor(args: string[], options: Generator['options']) {
    super(args, options);
    this.argument('dir', { type: String, required: false, description: 'Target directory (default: .)' });
    declareOptions(this, 'app');
  }

  private get opts(): Record<string, unknown> {
    return this.options as unknown as Record<string, unknown>;
  }

  initializing(): void {
    const dir = this.opts.dir as string | undefined;
    if (dir) this.destinationRoot(resolve(this.destinationRoot(), dir));
    this.target = checkTarget(this.destinationRoot(), dir ?? '.', flagSet(this.opts, 'force'));
    this.given = givenFromOptions(this.opts);
    // Validate given flags before asking anything.
    answersFor(this.destinationRoot(), this.given, this.target, process.env);
  }

  async prompting(): Promise<void> {
    // As the bin decides: prompts need a terminal on both ends.
    if (flagSet(this.opts, 'yes') || !processIo().interactive) return;
    const known: Given = { ...this.target.stored, ...this.given };
    const missing = ANSWER_NAMES.filter((name) => this.given[name] === undefined);
    const prompted = await this.prompt(
      questionsFor(missing, known, defaultsContext(this.destinationRoot(), process.env)),
    );
    Object.assign(this.given, prompted);
  }

  writing(): void {
    this.answers = answersFor(this.destinationRoot(), this.given, this.target, process.env);
    for (const file of scaffoldFiles(this.answers, this.target, process.env, fileTemplates())) {
      this.fs.write(this.destinationPath(file.path), file.contents);
    }
  }

  async install(): Promise<void> {
    if (flagSet(this.opts, 'skip-install')) return;
    await installBackend(this.destinationRoot(), this.answers, { ...processIo(), out: (l) => this.log(l) });
  }

  async end(): Promise<void> {
    if (flagSet(this.opts, 'skip-hooks')) return;
    await runHooks(
      this.destinationRoot(),
      this.answers,
      { ...processIo(), out: (l) => this.log(l) },
      {
        strict: false,
        dryRun: false,
      },
    );
  }
}
