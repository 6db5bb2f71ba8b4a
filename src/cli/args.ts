// argv -> what the user asked for. Uses node:util parseArgs with options
// built from the two tables, so a flag exists exactly when a table says so.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ANSWER_NAMES, ANSWER_SPECS, UsageError, type AnswerName } from '../answers/table.js';
import { COMMAND_NAMES, COMMANDS, type CommandName } from './commands.js';

export interface Invocation {
  command: CommandName;
  /** Target directory as typed (app only). */
  dir: string | undefined;
  /** Answer values given as flags, unparsed. */
  given: Partial<Record<AnswerName, string>>;
  /** Behaviour flags that were set, by long name. */
  flags: Set<string>;
  /** Values of behaviour flags that take one (FlagSpec.value), by long name. */
  values: Map<string, string>;
  help: boolean;
  version: boolean;
}

type Options = NonNullable<ParseArgsConfig['options']>;

function optionsFor(command: CommandName): Options {
  const spec = COMMANDS[command];
  const options: Options = {
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean', short: 'v' },
  };
  for (const f of spec.flags)
    options[f.flag] = { type: f.value ? 'string' : 'boolean', ...(f.short ? { short: f.short } : {}) };
  if (spec.takesAnswers)
    for (const name of ANSWER_NAMES) options[ANSWER_SPECS[name].flag] = { type: 'string' };
  return options;
}

/** parseArgs' messages span lines; a user gets one that names the flag. */
function oneLine(message: string): string {
  const flag = /Option '(-[^' ]+)/.exec(message)?.[1];
  if (flag && /argument is ambiguous|argument missing/.test(message)) {
    return `${flag} needs a value (write ${flag}=VALUE for a value that starts with "-")`;
  }
  return message.split('\n')[0]!.replace(/\. To specify a positional.*$/, '');
}

/**
 * The first word that is not an option or an option's value: the sub-command
 * when it names one. Read with every command's options, so in
 * `--region eu-west-1 config` the word is `config`, not the region.
 */
function firstWord(argv: string[]): string | undefined {
  const options: Options = Object.assign({}, ...COMMAND_NAMES.map(optionsFor));
  const { tokens } = parseArgs({ args: argv, options, allowPositionals: true, strict: false, tokens: true });
  return tokens.find((t) => t.kind === 'positional')?.value;
}

export function parseInvocation(argv: string[]): Invocation {
  const first = firstWord(argv);
  const named = first !== undefined && (COMMAND_NAMES as string[]).includes(first);
  return parseCommandArgs(named ? (first as CommandName) : 'app', argv, named);
}

/**
 * argv of a known command (`yo cruddur-observability:<command> ...` knows it
 * from the namespace). `named`: argv's first positional is the command's name,
 * as the bin reads it, and not an argument.
 */
export function parseCommandArgs(command: CommandName, argv: string[], named = false): Invocation {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: optionsFor(command), allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(
      `${oneLine((err as Error).message)} (see \`cruddur-observability ${command} --help\`)`,
    );
  }
  const positionals = [...parsed.positionals];
  if (named && positionals[0] === command) positionals.shift();
  const maxPositionals = COMMANDS[command].argument ? 1 : 0;
  if (positionals.length > maxPositionals) {
    throw new UsageError(
      `unexpected argument ${JSON.stringify(positionals[maxPositionals])}: usage: ${COMMANDS[command].usage}`,
    );
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const given: Partial<Record<AnswerName, string>> = {};
  for (const name of ANSWER_NAMES) {
    const v = values[ANSWER_SPECS[name].flag];
    if (typeof v === 'string') given[name] = v;
  }
  const flags = new Set(COMMANDS[command].flags.filter((f) => values[f.flag] === true).map((f) => f.flag));
  const flagValues = new Map<string, string>();
  for (const f of COMMANDS[command].flags) {
    const v = values[f.flag];
    if (f.value && typeof v === 'string') flagValues.set(f.flag, v);
  }
  return {
    command,
    dir: positionals[0],
    given,
    flags,
    values: flagValues,
    help: values.help === true,
    version: values.version === true,
  };
}
