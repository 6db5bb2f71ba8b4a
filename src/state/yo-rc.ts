// .yo-rc.json: the stored answers, under the generator's name as Yeoman keeps
// them. Other generators' keys in the same file are left alone.
//
// Beside the answers (the user's to edit) it keeps what the generated files
// were last rendered from: the answers again under `rendered`, the workspace
// host, and a hash per file (see written-files.ts). `config` renders its
// merge base from `rendered`, so an answer edited here by hand is applied
// to the files like the same answer given as a flag.
import { ANSWER_NAMES, UsageError, type AnswerName, type Answers } from '../answers/table.js';
import { withoutBom } from '../files/bom.js';
import { FileParseError } from '../merge/errors.js';
import { tooDeepAt } from '../merge/nesting.js';
import { parseJsonTree } from '../merge/jsonc.js';
import { readGenerated } from '../files/write.js';

export const YO_RC_PATH = '.yo-rc.json';
export const GENERATOR_KEY = 'generator-cruddur-observability';

type YoRc = Record<string, unknown>;

export function readYoRc(root: string): YoRc | undefined {
  // A directory in its place is refused as the user's mistake, a link is read through.
  const text = readGenerated(root, YO_RC_PATH);
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    // Deep enough nesting parses, then overflows the stack of whatever walks
    // it: parseJsonTree refuses it first.
    if (tooDeepAt(text) >= 0) parseJsonTree(YO_RC_PATH, text, 'json');
    parsed = JSON.parse(withoutBom(text));
  } catch {
    // Only on this error path: parse again to name the line and column.
    try {
      parseJsonTree(YO_RC_PATH, text, 'json');
    } catch (err) {
      if (err instanceof FileParseError) throw new UsageError(`${err.message}; fix or remove it`);
    }
    throw new UsageError(`${YO_RC_PATH}: not valid JSON; fix or remove it`);
  }
  if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as YoRc;
  throw new UsageError(`${YO_RC_PATH}: expected a JSON object; fix or remove it`);
}

/** Where the answers the files were last rendered from are kept. */
export const RENDERED_KEY = 'rendered';

/** `parent[key]` when it is a JSON object. */
export function objectAt(parent: unknown, key: string): Record<string, unknown> | undefined {
  const v = parent && typeof parent === 'object' ? (parent as Record<string, unknown>)[key] : undefined;
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** The raw answers the files were last rendered from, or undefined where they were not kept. */
export function renderedAnswers(yoRc: YoRc | undefined): Partial<Record<AnswerName, unknown>> | undefined {
  const rendered = objectAt(objectAt(yoRc, GENERATOR_KEY), RENDERED_KEY);
  if (!rendered) return undefined;
  const out: Partial<Record<AnswerName, unknown>> = {};
  for (const name of ANSWER_NAMES) if (rendered[name] !== undefined) out[name] = rendered[name];
  return out;
}

/** Answers as stored: in table order, whatever order the object was built in. */
export function answerRecord(answers: Answers): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of ANSWER_NAMES) out[name] = answers[name];
  return out;
}

/** The raw stored answers, or undefined when this generator has not run here. */
export function storedAnswers(yoRc: YoRc | undefined): Partial<Record<AnswerName, unknown>> | undefined {
  const mine = yoRc?.[GENERATOR_KEY];
  if (!mine || typeof mine !== 'object') return undefined;
  const out: Partial<Record<AnswerName, unknown>> = {};
  for (const name of ANSWER_NAMES) {
    const v = (mine as Record<string, unknown>)[name];
    if (v !== undefined) out[name] = v;
  }
  return out;
}

/**
 * The whole .yo-rc.json text: our answers in table order, then `extra` in its
 * order (an undefined value removes the key), then any other key found there.
 * One order whatever the file had, so app and config write the same bytes.
 */
export function renderYoRc(
  answers: Answers,
  existing: YoRc | undefined,
  extra: Record<string, unknown> = {},
): string {
  const previous = existing?.[GENERATOR_KEY];
  const kept = previous && typeof previous === 'object' ? (previous as Record<string, unknown>) : {};
  const mine = answerRecord(answers);
  Object.assign(mine, extra);
  for (const [key, value] of Object.entries(kept)) if (!(key in mine)) mine[key] = value;
  return JSON.stringify({ ...existing, [GENERATOR_KEY]: mine }, null, 2) + '\n';
}
