// Interactive `app` in the bin asks the same questions as `yo` (from the
// answers table) with node:readline, so the CLI package carries no prompt
// library and no Yeoman.
import { createInterface } from 'node:readline/promises';
import type { Readable, Writable } from 'node:stream';
import { UsageError } from '../answers/table.js';

export interface Question {
  name: string;
  message: string;
  /** The default, from the answers given so far. */
  default: (sofar: Record<string, string>) => string;
  /** true, or what is wrong with `raw` (given the answers so far). */
  validate: (raw: string, sofar: Record<string, string>) => true | string;
  /** A closed set of values: listed, and picked by number or value. */
  choices?: ReadonlyArray<{ value: string; name: string }>;
}

/**
 * Ctrl-C at a question. Named as inquirer names its own, so that one place
 * (cli/run.ts) turns either into "cancelled" and exit 130.
 */
export class PromptCancelled extends Error {
  override name = 'ExitPromptError';
  constructor() {
    super('cancelled at a prompt');
  }
}

/** A choice's number (1-based) stands for its value. */
function picked(q: Question, raw: string): string {
  const n = Number(raw);
  return q.choices && Number.isInteger(n) && n >= 1 && n <= q.choices.length ? q.choices[n - 1]!.value : raw;
}

/** Asks each question in turn; Enter takes the default, an invalid answer is asked again. */
export async function ask(
  questions: readonly Question[],
  input: Readable,
  output: Writable,
): Promise<Record<string, string>> {
  const answers: Record<string, string> = {};
  if (questions.length === 0) return answers;
  const rl = createInterface({ input, output });
  let cancelled = false;
  rl.on('SIGINT', () => {
    cancelled = true;
    rl.close();
  });
  // Lines are read through the iterator, which queues them: answers typed
  // ahead (or piped in) are not lost between questions. End of input or
  // Ctrl-C ends it.
  const lines = rl[Symbol.asyncIterator]();
  try {
    for (const q of questions) {
      const fallback = q.default(answers);
      q.choices?.forEach((c, i) => output.write(`  ${i + 1}) ${c.name}\n`));
      for (;;) {
        rl.setPrompt(`? ${q.message} (${fallback}) `);
        rl.prompt();
        const next = await lines.next();
        if (next.done && cancelled) throw new PromptCancelled();
        if (next.done) {
          throw new UsageError(
            'input ended before every answer was given; nothing was written (--yes takes defaults)',
          );
        }
        const raw = String(next.value).trim();
        const value = raw === '' ? fallback : picked(q, raw);
        const verdict = q.validate(value, answers);
        if (verdict === true) {
          answers[q.name] = value;
          break;
        }
        output.write(`  ${verdict}\n`);
      }
    }
  } finally {
    rl.close();
  }
  return answers;
}
