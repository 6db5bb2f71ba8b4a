// What a command may touch of the outside world, passed in so tests can run
// commands in-process and capture everything.
import type { AnswerName, Answers, DefaultsContext, Given } from '../answers/table.js';

/** Environment variables: process.env, or what a test passes instead. */
export type Env = Readonly<Record<string, string | undefined>>;

export interface Io {
  cwd: string;
  env: Env;
  out: (line: string) => void;
  err: (line: string) => void;
  interactive: boolean;
  /**
   * Asks the user for `missing` answers, defaults from `known`: the bin with
   * readline (cli/prompt.ts), the Yeoman adapter with Yeoman's prompts. An
   * answer that `unusable` refuses (with the answers so far) is asked again.
   * Without it nothing is asked.
   */
  ask?: (
    missing: AnswerName[],
    known: Given,
    ctx: DefaultsContext,
    unusable: (answers: Answers) => string | undefined,
  ) => Promise<Given>;
}

export function processIo(): Io {
  return {
    cwd: process.cwd(),
    env: process.env,
    out: (line) => process.stdout.write(line + '\n'),
    err: (line) => process.stderr.write(line + '\n'),
    interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
  };
}
