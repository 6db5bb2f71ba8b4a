// The one Yeoman generator, made from the command table: `yo
// cruddur-observability:<command>` runs exactly what the bin runs
// (cli/run.ts: the same command function, lines, exit code and one-line
// error), then sets process.exitCode. Only the input differs: argv arrives as
// Yeoman hands it over, and `app`'s questions are Yeoman's prompts (Io.ask).
//
// Files are written by the command itself (compare/merge, then an atomic
// write), never through Yeoman's mem-fs: its conflicter would be a second
// judge that asks about files the user never edited, and its install task
// would comment on a package.json it did not see change.
//
// A new command in cli/commands.ts gets its generator from this adapter; all
// it needs is generators/<name>/index.ts saying
//   export default commandGenerator('<name>');
// (test/entry-points.test.ts fails until that file exists).
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Generator, { type Storage } from 'yeoman-generator';
import { parseCommandArgs } from '../cli/args.js';
import { COMMANDS, type CommandName } from '../cli/commands.js';
import { processIo, type Io } from '../cli/io.js';
import { runInvocation } from '../cli/run.js';
import { commandArgv, declareOptions, questionsFor } from './options.js';

export function commandGenerator(command: CommandName) {
  return class CommandGenerator extends Generator {
    /** The command's exit code, for a caller that runs the generator in-process. */
    exitCode = 0;

    constructor(args: string[], options: Generator['options']) {
      // The command installs what it installs itself (app's npm install):
      // Yeoman's install task would only comment on the root package.json.
      super(args, options, { customInstallTask: true });
      const argument = COMMANDS[command].argument;
      if (argument) {
        this.argument(argument.name, { type: String, required: false, description: argument.description });
      }
      declareOptions(this, command);
    }

    /**
     * Yeoman's own storage of .yo-rc.json, which it reads while the generator
     * is made. The commands keep .yo-rc.json themselves (state/yo-rc.ts) and
     * never use this one; a broken file must reach the command, which names
     * its line and column (exit 2), instead of throwing here with a stack.
     * So when it does not parse, Yeoman gets an empty storage no one writes.
     */
    override get config(): Storage {
      try {
        return super.config;
      } catch {
        // Called while the base class constructs, before fields exist: no cache.
        return this.createStorage(join(tmpdir(), `cruddur-observability-unused-${process.pid}.json`));
      }
    }

    async default(): Promise<void> {
      const init = this._initOptions as Record<string, unknown>;
      const io: Io = {
        ...processIo(),
        cwd: this.destinationRoot(),
        ask: async (missing, known, ctx, unusable) =>
          this.prompt(questionsFor(missing, known, ctx, unusable)),
      };
      this.exitCode = await runInvocation(
        () => parseCommandArgs(command, commandArgv(command, this._args, init)),
        io,
      );
      process.exitCode = this.exitCode;
    }
  };
}
