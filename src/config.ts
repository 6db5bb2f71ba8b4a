// The `config` pipeline, shared by the bin and `yo cruddur-observability:config`:
//   plan   - answers (.yo-rc.json + flags) and the workspace host -> the files
//            rendered last time (base) and now (next) -> merged into each
//            file on disk, value by value (src/merge/);
//   report - status lines, conflicts, diffs;
//   apply  - the backend directory rename, then every write in one atomic batch.
//
// "Last time" is re-rendered, not stored: .yo-rc.json keeps the answers and
// the workspace host (`host`) the files were rendered from, and rendering is
// pure. It also keeps a hash of every file as written (`files`, see
// written-files.ts): a file still matching its hash is the generator's alone
// and takes the new render whole, so a generator upgrade reaches it too. While
// conflicts are unresolved it also keeps `mergeBase`: the answers and host,
// where they differ, that the conflicting values were rendered from, so the
// conflict is reported again (and `--check` fails) until the user resolves
// it, instead of silently disappearing on the next run.
import { existsSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { filePatch } from './changes.js';
import { ANSWER_NAMES, ANSWER_SPECS, UsageError, resolveAnswers, type Answers } from './answers.js';
import type { Env } from './io.js';
import { FileParseError } from './merge/errors.js';
import { describeConflict, formatOf, mergeFile } from './merge/owned.js';
import type { Conflict } from './merge/three-way.js';
import { deepEqual, type Json } from './merge/value.js';
import { parseYaml } from './merge/yaml.js';
import { COMPOSE_PATH } from './render/compose.js';
import { renderWorkspace } from './render/workspace.js';
import type { GeneratedFile, TemplateSource } from './render/types.js';
import { answerSource, answersFor, defaultsContext, type Given } from './scaffold.js';
import {
  detectWorkspaceHost,
  isWorkspaceHost,
  WORKSPACE_HOSTS,
  xrayUrlPattern,
  type WorkspaceHost,
} from './workspace-host.js';
import { writeFilesAtomic } from './write.js';
import { contentHash, readWrittenRecord, writtenRecord } from './written-files.js';
import { GENERATOR_KEY, readYoRc, renderYoRc, storedAnswers, YO_RC_PATH } from './yo-rc.js';

export const SETUP_HINT = 'npx cruddur-observability setup';

export type FileStatus =
  'create' | 'restore' | 'update' | 'identical' | 'conflict' | 'deleted' | 'retired' | 'error';

export interface FilePlan {
  /** Where the file is written (after a backend directory rename). */
  path: string;
  /** Where it is now. */
  diskPath: string;
  status: FileStatus;
  before: string | undefined;
  /** The text to write; undefined when nothing is written. */
  after: string | undefined;
  conflicts: Conflict[];
  notes: string[];
  /** A configuration file merged by structure (its `identical` line is always shown). */
  structured: boolean;
}

export interface ConfigRequest {
  root: string;
  given: Given;
  env: Env;
  templates: TemplateSource;
  /** Take the generator's value where both changed. */
  force: boolean;
  /** Recreate generated files the user deleted. */
  restore: boolean;
}

export interface ConfigPlan {
  root: string;
  answers: Answers;
  host: WorkspaceHost;
  hostLine: string;
  dirRename: { from: string; to: string } | undefined;
  files: FilePlan[];
  errors: FileParseError[];
  /** Why the AWS side needs `setup`, one entry per reason. */
  setup: string[];
  force: boolean;
}

function readText(root: string, path: string): string | undefined {
  const abs = join(root, path);
  return existsSync(abs) && statSync(abs).isFile() ? readFileSync(abs, 'utf8') : undefined;
}

/** For workspaces made before the host was stored: the host whose AWS_XRAY_URL the compose file has. */
function inferHost(root: string, answers: Answers): WorkspaceHost | undefined {
  const text = readText(root, COMPOSE_PATH);
  if (text === undefined) return undefined;
  try {
    const url: unknown = parseYaml(COMPOSE_PATH, text).getIn([
      'services',
      answers.serviceName,
      'environment',
      'AWS_XRAY_URL',
    ]);
    return WORKSPACE_HOSTS.find((h) => xrayUrlPattern(h, answers.port) === url);
  } catch {
    return undefined;
  }
}

function chooseHost(env: Env, stored: WorkspaceHost | undefined): { host: WorkspaceHost; line: string } {
  const detected = detectWorkspaceHost(env);
  // Where no workspace host is detected (a laptop, CI), keep the one the
  // files are for: `config --check` in CI must not turn Codespaces files into Gitpod ones.
  if (detected === 'local' && stored) {
    return { host: stored, line: `workspace host: ${stored} (as stored; none detected here)` };
  }
  const was = stored && stored !== detected ? `, was ${stored}` : '';
  return { host: detected, line: `workspace host: ${detected} (detected${was})` };
}

function setupReasons(before: Answers, after: Answers): string[] {
  const reasons: string[] = [];
  for (const name of [
    'serviceName',
    'groupName',
    'ruleName',
    'region',
    'samplingRate',
    'reservoirSize',
  ] as const) {
    if (before[name] !== after[name]) {
      reasons.push(`${ANSWER_SPECS[name].flag} ${String(before[name])} -> ${String(after[name])}`);
    }
  }
  if (before.groupName !== after.groupName) {
    reasons.push(
      `the old group stays in AWS until you delete it: aws xray delete-group --group-name ${before.groupName}`,
    );
  }
  if (before.ruleName !== after.ruleName) {
    reasons.push(
      `the old rule stays in AWS until you delete it: aws xray delete-sampling-rule --rule-name ${before.ruleName}`,
    );
  }
  return reasons;
}

function statusOf(before: string, after: string, conflicts: Conflict[], force: boolean): FileStatus {
  if (conflicts.length > 0 && !force) return 'conflict';
  return after === before ? 'identical' : 'update';
}

/** Everything `config` would do, computed without writing. */
export function planConfig(req: ConfigRequest): ConfigPlan {
  const { root, env, templates, force, restore } = req;
  const yoRc = readYoRc(root);
  const stored = storedAnswers(yoRc);
  if (!stored) {
    throw new UsageError(
      `no ${YO_RC_PATH} with ${GENERATOR_KEY} answers in ${root}; run config in a workspace made by cruddur-observability (or run \`cruddur-observability\` there first)`,
    );
  }
  const mine = yoRc![GENERATOR_KEY] as Record<string, unknown>;
  const mergeBase =
    mine.mergeBase && typeof mine.mergeBase === 'object' ? (mine.mergeBase as Record<string, unknown>) : {};
  const ctx = defaultsContext(root, env);
  const source = answerSource(req.given);
  // Flags first, so a bad flag is reported as such before anything else.
  const answers = answersFor(root, req.given, { stored, yoRc }, env);
  const previous = resolveAnswers(stored, ctx, source);
  const baseGiven = { ...stored };
  for (const name of ANSWER_NAMES) if (mergeBase[name] !== undefined) baseGiven[name] = mergeBase[name];
  const baseAnswers = resolveAnswers(baseGiven, ctx, (name) => `${YO_RC_PATH} mergeBase.${name}`);

  const storedHost = isWorkspaceHost(mine.host) ? mine.host : inferHost(root, baseAnswers);
  const { host, line: hostLine } = chooseHost(env, storedHost);
  const baseHost = isWorkspaceHost(mergeBase.host) ? mergeBase.host : (storedHost ?? host);

  // A renamed service moves its directory (the compose build context) with it.
  const from = baseAnswers.serviceName;
  const to = answers.serviceName;
  let dirRename: ConfigPlan['dirRename'];
  if (from !== to && existsSync(join(root, from))) {
    if (existsSync(join(root, to))) {
      throw new UsageError(
        `cannot rename the backend directory ${from}/ to ${to}/: ${to}/ already exists; move one of them away and run config again (nothing was written)`,
      );
    }
    dirRename = { from, to };
  }
  const movedPath = (p: string) => (from !== to && p.startsWith(`${from}/`) ? to + p.slice(from.length) : p);
  const diskPathOf = (p: string) => (dirRename && p.startsWith(`${to}/`) ? from + p.slice(to.length) : p);

  const base = new Map(
    renderWorkspace({ answers: baseAnswers, host: baseHost, templates }).map((f) => [movedPath(f.path), f]),
  );
  const next: GeneratedFile[] = renderWorkspace({ answers, host, templates });
  const rename = from !== to ? { from, to } : undefined;
  // Hashes of what was written last time, under today's paths; undefined for a
  // workspace from a version that did not keep them (the re-rendered base decides).
  const record = readWrittenRecord(mine.files);
  const written = record && new Map([...record].map(([path, hash]) => [movedPath(path), hash]));
  const conflictsOpen = Object.keys(mergeBase).length > 0;
  const files: FilePlan[] = [];
  const errors: FileParseError[] = [];
  let unresolved = false;

  for (const file of next) {
    const diskPath = diskPathOf(file.path);
    const before = readText(root, diskPath);
    const baseText = base.get(file.path)?.contents;
    const writtenHash = written?.get(file.path);
    const format = formatOf(file.path, to);
    const plan: FilePlan = {
      path: file.path,
      diskPath,
      status: 'identical',
      before,
      after: undefined,
      conflicts: [],
      notes: [],
      structured: format !== 'text',
    };
    files.push(plan);
    if (before === undefined) {
      // Written before: the record says so where there is one (a file a newer
      // version adds is not in it); without one, the re-rendered base does.
      const writtenBefore = written ? writtenHash !== undefined : baseText !== undefined;
      if (!writtenBefore || restore) {
        plan.status = writtenBefore ? 'restore' : 'create';
        plan.after = file.contents;
      } else {
        plan.status = 'deleted';
      }
      continue;
    }
    if (writtenHash !== undefined && writtenHash === contentHash(before)) {
      // Untouched since written: nothing of the user's to keep.
      plan.after = file.contents;
      plan.status = statusOf(before, file.contents, [], force);
      continue;
    }
    // Edited, and what was written then is not what these templates render
    // from the same answers: an older generator version wrote it, so the
    // re-rendered base already has this version's changes and cannot be used.
    const baseUnknown =
      writtenHash !== undefined &&
      baseText !== undefined &&
      !conflictsOpen &&
      writtenHash !== contentHash(baseText);
    if (baseUnknown) {
      plan.notes.push(
        format === 'text'
          ? "written by an older version of the generator and edited since: this version's changes to it are not merged into your copy; to take them, move your copy aside and run `config --restore`"
          : 'written by an older version of the generator and edited since: entries this version adds are added; where your copy has a value this version renders differently, yours is kept',
      );
    }
    try {
      const merged = mergeFile(file.path, format, before, baseText, file.contents, {
        force,
        ...(rename ? { rename } : {}),
        ...(baseUnknown ? { baseUnknown } : {}),
      });
      plan.after = merged.text;
      plan.conflicts = merged.conflicts;
      plan.notes.push(...merged.notes);
      plan.status = statusOf(before, merged.text, merged.conflicts, force);
      if (plan.status === 'conflict') unresolved = true;
    } catch (err) {
      if (!(err instanceof FileParseError)) throw err;
      plan.status = 'error';
      errors.push(err);
    }
  }

  // Written by an older version and no longer generated: the user's now, left
  // as it is and said once (the new record does not name it).
  const generated = new Set(next.map((f) => f.path));
  for (const path of written?.keys() ?? []) {
    const diskPath = diskPathOf(path);
    const before = generated.has(path) ? undefined : readText(root, diskPath);
    if (before === undefined) continue;
    files.push({
      path,
      diskPath,
      status: 'retired',
      before,
      after: undefined,
      conflicts: [],
      notes: [],
      structured: false,
    });
  }

  // .yo-rc.json: the new answers and host; the merge base only while conflicts remain.
  const baseState: Record<string, unknown> = {};
  if (unresolved) {
    for (const name of ANSWER_NAMES)
      if (baseAnswers[name] !== answers[name]) baseState[name] = baseAnswers[name];
    if (baseHost !== host) baseState.host = baseHost;
  }
  // The text, for the diff and the status; its parsed value is `yoRc`.
  const yoRcBefore = readText(root, YO_RC_PATH)!;
  let yoRcAfter = renderYoRc(answers, yoRc, {
    host,
    files: writtenRecord(next),
    mergeBase: Object.keys(baseState).length > 0 ? baseState : undefined,
  });
  if (deepEqual(yoRc as Json, JSON.parse(yoRcAfter) as Json)) yoRcAfter = yoRcBefore;
  files.push({
    path: YO_RC_PATH,
    diskPath: YO_RC_PATH,
    status: yoRcAfter === yoRcBefore ? 'identical' : 'update',
    before: yoRcBefore,
    after: yoRcAfter,
    conflicts: [],
    notes: [],
    structured: true,
  });

  return {
    root,
    answers,
    host,
    hostLine,
    dirRename,
    files,
    errors,
    setup: setupReasons(previous, answers),
    force,
  };
}

/** Files whose text changes (or that are created). */
export function pendingWrites(plan: ConfigPlan): FilePlan[] {
  return plan.files.filter((f) => f.after !== undefined && f.after !== f.before);
}

/** Out of date: something would be written or moved, or a conflict is unresolved. */
export function outOfDate(plan: ConfigPlan): boolean {
  return (
    plan.dirRename !== undefined ||
    pendingWrites(plan).length > 0 ||
    plan.files.some((f) => f.status === 'conflict')
  );
}

export function unresolvedConflicts(plan: ConfigPlan): number {
  return plan.files.filter((f) => f.status === 'conflict').reduce((n, f) => n + f.conflicts.length, 0);
}

export function diffOf(file: FilePlan): string {
  return filePatch(
    file.before === undefined ? undefined : file.diskPath,
    file.path,
    file.before ?? '',
    file.after ?? '',
  );
}

/** What a file's status line says after its path. */
function statusNote(f: FilePlan): string {
  switch (f.status) {
    // A file with a conflict that still gets other updates says both.
    case 'conflict':
      return f.after !== f.before ? ' (other values updated)' : '';
    case 'deleted':
      return ' (you deleted it: kept deleted; --restore brings it back)';
    case 'retired':
      return ' (no longer generated by this version: left as it is; delete it if nothing uses it)';
    default:
      return '';
  }
}

/** Status lines (and diffs when asked), one call per line. */
export function reportPlan(plan: ConfigPlan, out: (line: string) => void, opts: { diff: boolean }): void {
  out(plan.hostLine);
  if (plan.dirRename) out(`${'rename'.padStart(9)} ${plan.dirRename.from}/ -> ${plan.dirRename.to}/`);
  let quiet = 0;
  for (const f of plan.files) {
    if (f.status === 'error') continue;
    if (f.status === 'identical' && !f.structured && f.notes.length === 0) {
      quiet++;
      continue;
    }
    out(`${f.status.padStart(9)} ${f.path}${statusNote(f)}`);
    for (const note of f.notes) out(`          ${note}`);
    for (const c of f.conflicts) {
      out(`          ${plan.force ? 'forced ' : ''}${describeConflict(c)}`);
    }
  }
  if (quiet > 0) out(`${'identical'.padStart(9)} ${quiet} other generated file(s)`);
  if (opts.diff) for (const f of pendingWrites(plan)) out(diffOf(f));
}

/** The closing lines: conflicts, setup. */
export function summaryLines(
  plan: ConfigPlan,
  mode: 'write' | 'dry-run' | 'check',
  opts: { viaYeoman?: boolean } = {},
): string[] {
  const lines: string[] = [];
  const n = unresolvedConflicts(plan);
  const writes = pendingWrites(plan).length;
  if (mode === 'check') {
    lines.push(
      outOfDate(plan)
        ? `config --check: out of date (${writes} file(s) to update${n ? `, ${n} conflict(s)` : ''}); run \`cruddur-observability config\``
        : 'config --check: up to date',
    );
  } else if (mode === 'dry-run') {
    lines.push(`dry run: ${writes} file(s) would be written; nothing was written`);
  } else {
    lines.push(
      opts.viaYeoman
        ? `config: ${writes} file(s) to write (Yeoman's conflicter checks each)`
        : `config: ${writes} file(s) written`,
    );
  }
  if (n > 0) {
    lines.push(
      `${n} conflict(s): you and the generator both changed these values; yours are kept. ` +
        'Take the generator\'s with `config --force`, or set them as you want them and remove "mergeBase" ' +
        `from ${YO_RC_PATH} to keep yours.`,
    );
  }
  if (plan.setup.length > 0 && mode === 'write') {
    lines.push(`next: run \`${SETUP_HINT}\` so the X-Ray group and sampling rule in AWS follow:`);
    for (const reason of plan.setup) lines.push(`  ${reason}`);
  }
  return lines;
}

/** Renames the backend directory, then writes every changed file in one atomic batch. */
export function applyPlan(
  plan: ConfigPlan,
  write = (files: GeneratedFile[]) => writeFilesAtomic(plan.root, files),
): void {
  const files = pendingWrites(plan).map((f) => ({ path: f.path, contents: f.after! }));
  const moved = plan.dirRename;
  if (moved) renameSync(join(plan.root, moved.from), join(plan.root, moved.to));
  try {
    write(files);
  } catch (err) {
    if (moved) renameSync(join(plan.root, moved.to), join(plan.root, moved.from));
    throw err;
  }
}
