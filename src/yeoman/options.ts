// Between the tables and Yeoman: declares a command's flags as generator
// options (so `yo cruddur-observability:<command> --help` lists the bin's
// flags), turns what Yeoman hands a generator back into the bin's argv, and
// makes the answers table's prompts.
import type Generator from 'yeoman-generator';
import {
  ANSWER_NAMES,
  ANSWER_SPECS,
  RuleBroken,
  resolveAnswers,
  type AnswerName,
  type AnswerSpec,
  type Answers,
  type DefaultsContext,
  type Given,
} from '../answers/table.js';
import { COMMANDS, type CommandName } from '../cli/commands.js';

// Yeoman's base class declares these for every generator; the bin knows them
// only where a command has a flag of that name (`app --skip-install`).
const YEOMAN_FLAGS = ['skip-cache', 'skip-install', 'force-install', 'ask-answered'];

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

/** Every flag of `command`, long names: its own and, when it takes them, the answers'. */
function commandFlags(command: CommandName): Array<{ flag: string; boolean: boolean }> {
  const spec = COMMANDS[command];
  return [
    ...spec.flags.map((f) => ({ flag: f.flag, boolean: !f.value })),
    ...(spec.takesAnswers
      ? ANSWER_NAMES.map((name) => ({ flag: ANSWER_SPECS[name].flag, boolean: false }))
      : []),
  ];
}

export function declareOptions(gen: Generator, command: CommandName): void {
  const spec = COMMANDS[command];
  for (const f of spec.flags) {
    if (YEOMAN_FLAGS.includes(f.flag)) continue;
    gen.option(f.flag, {
      type: f.value ? String : Boolean,
      description: f.description,
      ...(f.short ? { alias: f.short } : {}),
    });
  }
  if (!spec.takesAnswers) return;
  for (const name of ANSWER_NAMES) {
    const a = ANSWER_SPECS[name];
    gen.option(a.flag, { type: String, description: `${a.description} (default: ${a.defaultText})` });
  }
}

/**
 * The argv the bin would have had. `env.run([namespace, ...argv])` hands the
 * generator argv whole (`args`); `yo` parses flags itself and hands only
 * positionals, with the flags as options, as do yeoman-test and composeWith.
 * Options are turned back into flags unless argv has them already; options
 * that are not this command's flags are Yeoman's or yo's and are left out,
 * so through `yo` an unknown flag is ignored, not refused.
 */
export function commandArgv(
  command: CommandName,
  args: readonly string[],
  options: Record<string, unknown>,
): string[] {
  const argv = args.filter((a) => !isYeomanFlag(a, command));
  const inArgv = (flag: string) => argv.some((a) => a === `--${flag}` || a.startsWith(`--${flag}=`));
  for (const { flag, boolean } of commandFlags(command)) {
    if (inArgv(flag)) continue;
    const value = options[flag] ?? options[camel(flag)];
    if (value === undefined || value === null || value === false) continue;
    argv.push(boolean && value === true ? `--${flag}` : `--${flag}=${String(value)}`);
  }
  return argv;
}

function isYeomanFlag(arg: string, command: CommandName): boolean {
  const name = /^--(?:no-)?([a-z-]+)(=.*)?$/.exec(arg)?.[1];
  return (
    name !== undefined && YEOMAN_FLAGS.includes(name) && !COMMANDS[command].flags.some((f) => f.flag === name)
  );
}

interface Question {
  name: AnswerName;
  message: string;
  default: (sofar: Record<string, unknown>) => string;
  /** `sofar`: the answers given earlier in this session (inquirer and cli/prompt.ts pass them). */
  validate: (raw: string, sofar?: Record<string, unknown>) => string | true;
}

/**
 * Inquirer questions for the answers not given, defaults from earlier answers.
 * An answer with a closed set of values is a select list whose entries say
 * when to pick each; the rest are typed in. An answer valid on its own that
 * `unusable` refuses together with the others is asked again at once, not
 * refused after the last question.
 */
export function questionsFor(
  missing: AnswerName[],
  known: Given,
  ctx: DefaultsContext,
  unusable: (answers: Answers) => string | undefined,
): Array<(Question & { type: 'input' }) | (Question & { type: 'select'; choices: Choice[] })> {
  return missing.map((name) => {
    const spec: AnswerSpec = ANSWER_SPECS[name];
    const question: Question = {
      name,
      message: spec.description,
      default: (sofar) => {
        const answers = resolveAnswers({ ...known, ...sofar, [name]: undefined }, ctx);
        return String(known[name] ?? answers[name]);
      },
      validate: (raw, sofar = {}) => {
        const v = spec.parse(String(raw));
        if (v instanceof RuleBroken) return `${spec.flag} ${v.rule}`;
        return unusable(resolveAnswers({ ...known, ...sofar, [name]: v }, ctx)) ?? true;
      },
    };
    return spec.choices
      ? {
          ...question,
          type: 'select' as const,
          choices: spec.choices.map((c) => ({ value: String(c.value), name: c.name })),
        }
      : { ...question, type: 'input' as const };
  });
}

interface Choice {
  value: string;
  name: string;
}
