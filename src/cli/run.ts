// One invocation, start to exit code, for both entry points: the bin
// (cli.ts) and every Yeoman generator (yeoman/generator.ts). So --version,
// --help, the command itself and the one-line error with its exit code are
// the same whichever way the user came in.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Invocation } from './args.js';
import { UsageError } from '../answers/table.js';
import { COMMANDS } from './commands.js';
import { helpText } from './help.js';
import type { Io } from './io.js';
import { packageRoot } from '../files/templates.js';

function version(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string })
    .version;
}

/** `parse` runs inside, so a bad flag is reported like any other user mistake. */
export async function runInvocation(parse: () => Invocation, io: Io): Promise<number> {
  try {
    const inv = parse();
    if (inv.version) {
      io.out(version());
      return 0;
    }
    if (inv.help) {
      io.out(helpText(inv.command, version()).trimEnd());
      return 0;
    }
    return await COMMANDS[inv.command].run(inv, io);
  } catch (err) {
    // Ctrl-C at a prompt (inquirer's error, or the bin's PromptCancelled of
    // the same name): the user's choice, asked before any write.
    if ((err as Error).name === 'ExitPromptError') {
      io.err('cruddur-observability: cancelled; nothing was written');
      return 130;
    }
    // Exit 2: the user's mistake, one line; 1: anything else, one line (the
    // stack only with DEBUG set).
    if (err instanceof UsageError) {
      io.err(`cruddur-observability: ${err.message}`);
      return 2;
    }
    io.err(`cruddur-observability: ${(err as Error).message ?? String(err)}`);
    if (process.env.DEBUG) io.err((err as Error).stack ?? '');
    return 1;
  }
}
