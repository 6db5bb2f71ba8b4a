// .yo-rc.json: the stored answers, under the generator's name as Yeoman keeps
// them. Other generators' keys in the same file are left alone.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ANSWER_NAMES, UsageError, type AnswerName, type Answers } from '../answers/table.js';
import { FileParseError } from '../merge/errors.js';
import { parseJsonTree } from '../merge/jsonc.js';

export const YO_RC_PATH = '.yo-rc.json';
export const GENERATOR_KEY = 'generator-cruddur-observability';

type YoRc = Record<string, unknown>;

export function readYoRc(root: string): YoRc | undefined {
  const file = join(root, YO_RC_PATH);
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, 'utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
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
  const mine: Record<string, unknown> = {};
  for (const name of ANSWER_NAMES) mine[name] = answers[name];
  Object.assign(mine, extra);
  for (const [key, value] of Object.entries(kept)) if (!(key in mine)) mine[key] = value;
  return JSON.stringify({ ...existing, [GENERATOR_KEY]: mine }, null, 2) + '\n';
}
