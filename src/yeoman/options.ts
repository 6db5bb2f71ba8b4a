// Declares the tables' flags on a Yeoman generator and reads them back, so
// `yo cruddur-observability[:config|:setup]` takes exactly the bin's flags.
import type Generator from 'yeoman-generator';
import {
  ANSWER_NAMES,
  ANSWER_SPECS,
  RuleBroken,
  resolveAnswers,
  type AnswerName,
  type AnswerSpec,
} from '../answers/table.js';
import { COMMANDS, type CommandName } from '../cli/commands.js';
import type { Given } from '../app/scaffold.js';

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

// Yeoman's base class already declares these for every generator.
const BUILT_IN = new Set(['skip-install']);

export function declareOptions(gen: Generator, command: CommandName): void {
  const spec = COMMANDS[command];
  for (const f of spec.flags) {
    if (BUILT_IN.has(f.flag)) continue;
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

function optionValue(options: Record<string, unknown>, flag: string): unknown {
  return options[flag] ?? options[camel(flag)];
}

export function flagSet(options: Record<string, unknown>, flag: string): boolean {
  return optionValue(options, flag) === true;
}

export function givenFromOptions(options: Record<string, unknown>): Given {
  const given: Given = {};
  for (const name of ANSWER_NAMES) {
    const v = optionValue(options, ANSWER_SPECS[name].flag);
    if (v !== undefined && v !== '') given[name] = v;
  }
  return given;
}

interface Question {
  name: AnswerName;
  message: string;
  default: (sofar: Record<string, unknown>) => string;
  validate: (raw: string) => string | true;
}

/**
 * Inquirer questions for the answers not given, defaults from earlier answers.
 * An answer with a closed set of values is a select list whose entries say
 * when to pick each; the rest are typed in.
 */
export function questionsFor(
  missing: AnswerName[],
  known: Given,
  ctx: Parameters<typeof resolveAnswers>[1],
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
      validate: (raw) => {
        const v = spec.parse(String(raw));
        return v instanceof RuleBroken ? `${spec.flag} ${v.rule}` : true;
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
