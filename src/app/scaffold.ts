// The `app` pipeline, shared by the bin and the Yeoman generator:
// answers -> rendered files -> compared with disk -> written.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import {
  ANSWER_SPECS,
  UsageError,
  resolveAnswers,
  type AnswerName,
  type Answers,
  type DefaultsContext,
  type Given,
} from '../answers/table.js';
import type { Env } from '../cli/io.js';
import { fileTemplates } from '../files/templates.js';
import { serviceNameCollision } from '../render/taken-names.js';
import { renderWorkspace } from '../render/workspace.js';
import type { GeneratedFile, TemplateSource } from '../render/types.js';
import { detectWorkspaceHost } from '../answers/workspace-host.js';
import {
  answerRecord,
  readYoRc,
  RENDERED_KEY,
  renderYoRc,
  storedAnswers,
  YO_RC_PATH,
} from '../state/yo-rc.js';
import { writtenRecord } from '../state/written-files.js';
import { LOCK_PATH } from '../state/lock.js';

interface TargetState {
  /** Raw answers stored by an earlier run here, if any. */
  stored: Given | undefined;
  yoRc: Record<string, unknown> | undefined;
}

/**
 * The target must be new, empty, or already this generator's. Anything else
 * is refused unless `force`, before a file is written.
 */
export function checkTarget(root: string, shownAs: string, force: boolean): TargetState {
  if (existsSync(root) && !statSync(root).isDirectory()) {
    throw new UsageError(`target ${shownAs} is a file, not a directory; choose a directory`);
  }
  const yoRc = existsSync(root) ? readYoRc(root) : undefined;
  const stored = storedAnswers(yoRc);
  if (!stored && !force && existsSync(root)) {
    const entries = readdirSync(root).filter((name) => name !== '.git' && name !== LOCK_PATH);
    if (entries.length > 0) {
      throw new UsageError(
        `target ${shownAs} is not empty and was not made by this generator; choose an empty or new directory, or pass --force`,
      );
    }
  }
  return { stored, yoRc };
}

/** What the answers' defaults are worked out from: the target directory's name and the environment. */
export function defaultsContext(root: string, env: Env): DefaultsContext {
  return { targetDirName: basename(root), env };
}

/** Where an answer came from, for error messages: its flag when given, else .yo-rc.json. */
function answerSource(given: Given): (name: AnswerName) => string {
  const fromFlags = new Set(Object.keys(given));
  return (name) => (fromFlags.has(name) ? `--${ANSWER_SPECS[name].flag}` : `${YO_RC_PATH} ${name}`);
}

/**
 * Why the answers cannot be generated although each is valid on its own:
 * `service-name "aws" collides with ...`; undefined when they can.
 */
export function generatedCollision(answers: Answers, env: Env): string | undefined {
  const collision = serviceNameCollision(answers, detectWorkspaceHost(env), fileTemplates());
  return collision && `${JSON.stringify(answers.serviceName)} ${collision}`;
}

/** For the prompts: why the answers so far cannot be generated, as `--service-name` would be refused. */
export function promptCollision(env: Env): (answers: Answers) => string | undefined {
  return (answers) => {
    const collision = generatedCollision(answers, env);
    return collision && `${ANSWER_SPECS.serviceName.flag} ${collision}`;
  };
}

/**
 * Flags win over stored answers, which win over defaults. Checked against
 * what they generate too: the service name must not collide with another
 * generated path or compose service.
 */
export function answersFor(root: string, given: Given, target: TargetState, env: Env): Answers {
  const source = answerSource(given);
  const answers = resolveAnswers({ ...target.stored, ...given }, defaultsContext(root, env), source);
  const collision = generatedCollision(answers, env);
  if (collision) throw new UsageError(`${source('serviceName')} ${collision}`);
  return answers;
}

/** Every file `app` writes, .yo-rc.json included. Pure apart from its inputs. */
export function scaffoldFiles(
  answers: Answers,
  target: TargetState,
  env: Env,
  templates: TemplateSource,
): GeneratedFile[] {
  const host = detectWorkspaceHost(env);
  const files = renderWorkspace({ answers, host, templates });
  // `host` and `rendered`: what the files were rendered for and from, the
  // base of `config`'s three-way merge; `files`: what was written, so
  // `config` knows untouched files.
  const state = { host, [RENDERED_KEY]: answerRecord(answers), files: writtenRecord(files) };
  return [...files, { path: YO_RC_PATH, contents: renderYoRc(answers, target.yoRc, state) }];
}

/** The stored answers of the generated workspace at `root`; refuses a directory this generator did not make. */
export function workspaceAnswers(root: string, env: Env): Answers {
  const target = checkTarget(root, '.', true);
  if (!target.stored) {
    throw new UsageError('no .yo-rc.json from this generator here; run setup in a generated workspace');
  }
  return answersFor(root, {}, target, env);
}
