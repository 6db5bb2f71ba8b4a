// The `config` pipeline, shared by the bin and `yo cruddur-observability:config`:
//   plan   - (this module) answers (.yo-rc.json + flags) and the workspace
//            host -> the files rendered last time (base) and now (next) ->
//            merged into each file on disk, value by value (src/merge/);
//   report - status lines, conflicts, diffs (report.ts);
//   apply  - the backend directory rename, then every write in one atomic
//            batch (apply.ts).
//
// "Last time" is re-rendered, not stored: .yo-rc.json keeps the answers
// (`rendered`) and the workspace host (`host`) the files were last rendered
// from, and rendering is pure. Those are kept apart from the answers at its
// top level, which the user may edit by hand: an edited answer then differs
// from the one the files were rendered with, and is applied as the same
// answer given as a flag would be. It also keeps a hash of every file as written (`files`, see
// state/written-files.ts): a file still matching its hash is the generator's alone
// and takes the new render whole, so a generator upgrade reaches it too. While
// conflicts are unresolved it also keeps `mergeBase`: the answers and host,
// where they differ, that the conflicting values were rendered from, so the
// conflict is reported again (and `--check` fails) until the user resolves
// it, instead of silently disappearing on the next run.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  ANSWER_NAMES,
  ANSWER_SPECS,
  UsageError,
  resolveAnswers,
  type Answers,
  type Given,
} from '../answers/table.js';
import type { Env } from '../cli/io.js';
import { bomLike, withoutBom } from '../files/bom.js';
import { FileParseError } from '../merge/errors.js';
import { formatOf, mergeFile } from '../merge/by-format.js';
import { escapeRegExp } from '../merge/references.js';
import type { Conflict } from '../merge/three-way.js';
import { deepEqual, type Json } from '../merge/value.js';
import { parseYaml } from '../merge/yaml.js';
import { COMPOSE_PATH } from '../render/compose.js';
import { renderWorkspace } from '../render/workspace.js';
import type { GeneratedFile, TemplateSource } from '../render/types.js';
import { answersFor, defaultsContext } from '../app/scaffold.js';
import {
  detectWorkspaceHost,
  isWorkspaceHost,
  WORKSPACE_HOSTS,
  xrayUrlPattern,
  type WorkspaceHost,
} from '../answers/workspace-host.js';
import { contentHash, ignoredRecordPaths, readWrittenRecord, writtenRecord } from '../state/written-files.js';
import {
  answerRecord,
  GENERATOR_KEY,
  objectAt,
  readYoRc,
  RENDERED_KEY,
  renderedAnswers,
  renderYoRc,
  storedAnswers,
  YO_RC_PATH,
} from '../state/yo-rc.js';

type FileStatus =
  | 'create'
  | 'restore'
  | 'update'
  | 'identical'
  | 'conflict'
  | 'deleted'
  | 'retired'
  | 'remove'
  | 'kept'
  | 'error';

export interface FilePlan {
  /** Where the file is written (after a backend directory rename). */
  path: string;
  /** Where it is now. */
  diskPath: string;
  status: FileStatus;
  /** The file on disk now (the user's); undefined when absent. */
  disk: string | undefined;
  /** The text to write (the merge's result); undefined when nothing is written. */
  result: string | undefined;
  conflicts: Conflict[];
  notes: string[];
  /** A configuration file merged by structure (its `identical` line is always shown). */
  structured: boolean;
  /** Why the file cannot be merged (status `error`). */
  error?: FileParseError;
}

interface ConfigRequest {
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
  /** The answers the files were last rendered from. */
  previous: Answers;
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

function setupReasons(previous: Answers, answers: Answers): string[] {
  const reasons: string[] = [];
  for (const name of ANSWER_NAMES) {
    if (ANSWER_SPECS[name].setup && previous[name] !== answers[name]) {
      reasons.push(`${ANSWER_SPECS[name].flag} ${String(previous[name])} -> ${String(answers[name])}`);
    }
  }
  if (previous.groupName !== answers.groupName) {
    reasons.push(
      `the old group stays in AWS until you delete it: aws xray delete-group --group-name ${previous.groupName}`,
    );
  }
  if (previous.ruleName !== answers.ruleName) {
    reasons.push(
      `the old rule stays in AWS until you delete it: aws xray delete-sampling-rule --rule-name ${previous.ruleName}`,
    );
  }
  return reasons;
}

function statusOf(disk: string, result: string, conflicts: Conflict[], force: boolean): FileStatus {
  if (conflicts.length > 0 && !force) return 'conflict';
  return result === disk ? 'identical' : 'update';
}

/**
 * The two renderings a plan compares: what the files were rendered from last
 * time (the merge base) and what they are rendered from now.
 */
interface Sides {
  yoRc: Record<string, unknown>;
  /** Answers the files were last rendered from: `setup` is needed when these change. */
  previous: Answers;
  answers: Answers;
  host: WorkspaceHost;
  hostLine: string;
  baseAnswers: Answers;
  baseHost: WorkspaceHost;
  /** Hashes of the files as written last time; undefined before versions that kept them. */
  record: Map<string, string> | undefined;
  /** A conflict was left unresolved last time (.yo-rc.json keeps `mergeBase`). */
  conflictsOpen: boolean;
}

function readSides(req: ConfigRequest): Sides {
  const { root, env } = req;
  const yoRc = readYoRc(root);
  const stored = storedAnswers(yoRc);
  if (!yoRc || !stored) {
    throw new UsageError(
      `no ${YO_RC_PATH} with ${GENERATOR_KEY} answers in ${root}; run config in a workspace made by cruddur-observability (or run \`cruddur-observability\` there first)`,
    );
  }
  const section = yoRc[GENERATOR_KEY] as Record<string, unknown>;
  const mergeBase = objectAt(section, 'mergeBase') ?? {};
  const ctx = defaultsContext(root, env);
  // Flags first, so a bad flag is reported as such before anything else.
  const answers = answersFor(root, req.given, { stored, yoRc }, env);
  // What the files were last rendered from. A workspace from before this was
  // kept was rendered from its stored answers; an answer the record lacks is
  // one the version that wrote it did not have, so its files hold the default.
  const rendered = renderedAnswers(yoRc);
  const previous = resolveAnswers(
    rendered ?? stored,
    ctx,
    (name) => `${YO_RC_PATH} ${rendered ? `${RENDERED_KEY}.` : ''}${name}`,
  );
  const baseGiven: Record<string, unknown> = { ...previous };
  for (const name of ANSWER_NAMES) if (mergeBase[name] !== undefined) baseGiven[name] = mergeBase[name];
  const baseAnswers = resolveAnswers(baseGiven, ctx, (name) => `${YO_RC_PATH} mergeBase.${name}`);

  const storedHost = isWorkspaceHost(section.host) ? section.host : inferHost(root, baseAnswers);
  const { host, line: hostLine } = chooseHost(env, storedHost);
  const baseHost = isWorkspaceHost(mergeBase.host) ? mergeBase.host : (storedHost ?? host);
  return {
    yoRc,
    previous,
    answers,
    host,
    hostLine,
    baseAnswers,
    baseHost,
    record: readWrittenRecord(section.files),
    conflictsOpen: Object.keys(mergeBase).length > 0,
  };
}

/** Where files are: a renamed service moves its directory (the compose build context) with it. */
interface Paths {
  dirRename: ConfigPlan['dirRename'];
  /** A path of the old rendering, under the new directory name. */
  moved(path: string): string;
  /** Where a path of the new rendering is on disk before the rename. */
  onDisk(path: string): string;
}

function planPaths(root: string, from: string, to: string): Paths {
  let dirRename: ConfigPlan['dirRename'];
  if (from !== to && existsSync(join(root, from))) {
    if (existsSync(join(root, to))) {
      throw new UsageError(
        `cannot rename the backend directory ${from}/ to ${to}/: ${to}/ already exists; move one of them away and run config again (nothing was written)`,
      );
    }
    dirRename = { from, to };
  }
  return {
    dirRename,
    moved: (p) => (from !== to && p.startsWith(`${from}/`) ? to + p.slice(from.length) : p),
    onDisk: (p) => (dirRename && p.startsWith(`${to}/`) ? from + p.slice(to.length) : p),
  };
}

/** What planning one file needs besides the file. */
interface FileContext {
  root: string;
  /** The backend directory, as rendered now. */
  backendDir: string;
  rename: { from: string; to: string } | undefined;
  base: Map<string, GeneratedFile>;
  /**
   * On a move between tracing variants, the last answers rendered with the
   * new variant: the base of a file the new variant makes and the last one
   * did not, which the user may have kept (edited) from an earlier move back.
   */
  variantBase: Map<string, GeneratedFile> | undefined;
  /** Hashes as written last time, under today's paths. */
  written: Map<string, string> | undefined;
  conflictsOpen: boolean;
  paths: Paths;
  force: boolean;
  restore: boolean;
}

function emptyPlan(path: string, diskPath: string, disk: string | undefined, structured: boolean): FilePlan {
  return {
    path,
    diskPath,
    status: 'identical',
    disk,
    result: undefined,
    conflicts: [],
    notes: [],
    structured,
  };
}

/** One generated file: created, restored, replaced, merged, or left as it is. */
function planFile(file: GeneratedFile, c: FileContext): FilePlan {
  const diskPath = c.paths.onDisk(file.path);
  const disk = readText(c.root, diskPath);
  const baseText = (c.base.get(file.path) ?? c.variantBase?.get(file.path))?.contents;
  const writtenHash = c.written?.get(file.path);
  const format = formatOf(file.path, c.backendDir);
  const plan = emptyPlan(file.path, diskPath, disk, format !== 'text');
  if (disk === undefined) {
    // Written before: the record says so where there is one (a file a newer
    // version adds is not in it); without one, the re-rendered base does, and
    // only the base of the last answers: the variant's base is a merge base
    // for a file the move brings, which was never written here.
    const writtenBefore = c.written ? writtenHash !== undefined : c.base.has(file.path);
    if (writtenBefore && !c.restore) return { ...plan, status: 'deleted' };
    return { ...plan, status: writtenBefore ? 'restore' : 'create', result: file.contents };
  }
  if (writtenHash !== undefined && writtenHash === contentHash(disk)) {
    // Untouched since written: nothing of the user's to keep.
    return { ...plan, result: file.contents, status: statusOf(disk, file.contents, [], c.force) };
  }
  // Edited, and what was written then is not what these templates render
  // from the same answers: an older generator version wrote it, so the
  // re-rendered base already has this version's changes and cannot be used.
  const baseUnknown =
    writtenHash !== undefined &&
    baseText !== undefined &&
    !c.conflictsOpen &&
    writtenHash !== contentHash(baseText);
  if (baseUnknown) {
    plan.notes.push(
      format === 'text'
        ? "written by an older version of the generator and edited since: this version's changes to it are not merged into your copy; to take them, move your copy aside and run `config --restore`"
        : 'written by an older version of the generator and edited since: entries this version adds are added; where your copy has a value this version renders differently, yours is kept',
    );
  }
  try {
    const merged = mergeFile(file.path, format, disk, baseText, file.contents, {
      force: c.force,
      ...(c.rename ? { rename: c.rename } : {}),
      ...(baseUnknown ? { baseUnknown } : {}),
    });
    return {
      ...plan,
      result: merged.text,
      conflicts: merged.conflicts,
      notes: [...plan.notes, ...merged.notes],
      status: statusOf(disk, merged.text, merged.conflicts, c.force),
    };
  } catch (err) {
    if (!(err instanceof FileParseError)) throw err;
    return { ...plan, status: 'error', error: err };
  }
}

/**
 * Files the last answers generated and the new ones do not (the other
 * tracing variant's): removed when the user never touched them (the record's
 * hash, or without a record the re-rendered text, says so), else kept as
 * they are and named, since only the user knows what of theirs still uses them.
 */
function droppedFiles(
  root: string,
  c: Pick<FileContext, 'base' | 'written' | 'paths' | 'backendDir'>,
  next: GeneratedFile[],
): FilePlan[] {
  const generated = new Set(next.map((f) => f.path));
  const dropped: FilePlan[] = [];
  const packagePath = `${c.backendDir}/package.json`;
  const gone = droppedDependencies(
    c.base.get(packagePath)?.contents,
    next.find((f) => f.path === packagePath)?.contents,
  );
  for (const [path, file] of c.base) {
    if (generated.has(path)) continue;
    const diskPath = c.paths.onDisk(path);
    const before = readText(root, diskPath);
    if (before === undefined) continue;
    const writtenHash = c.written?.get(path);
    const untouched =
      writtenHash !== undefined ? writtenHash === contentHash(before) : before === file.contents;
    const plan: FilePlan = {
      ...emptyPlan(path, diskPath, before, false),
      status: untouched ? 'remove' : 'kept',
    };
    const imported = untouched ? [] : gone.filter((dep) => importsPackage(before, dep));
    if (imported.length > 0) {
      plan.notes.push(
        `it imports ${imported.join(', ')}, which ${packagePath} no longer lists: the backend will not build until you delete it or move what you need out of it`,
      );
    }
    dropped.push(plan);
  }
  return dropped;
}

/** Dependencies the last rendering's package.json had and the new one has not. */
function droppedDependencies(base: string | undefined, next: string | undefined): string[] {
  const deps = (text: string | undefined) =>
    Object.keys((text ? (JSON.parse(text) as { dependencies?: object }) : {}).dependencies ?? {});
  const kept = new Set(deps(next));
  return deps(base).filter((d) => !kept.has(d));
}

/** Does module text import `pkg` (or a subpath of it)? */
function importsPackage(text: string, pkg: string): boolean {
  return new RegExp(`(?:from|import|require\\()\\s*['"]${escapeRegExp(pkg)}(?:/[^'"]*)?['"]`).test(text);
}

/**
 * Written by an older version and no longer generated: the user's now, left
 * as it is and said once (the new record does not name it).
 */
function retiredFiles(
  root: string,
  written: Map<string, string> | undefined,
  next: GeneratedFile[],
  base: Map<string, GeneratedFile>,
  paths: Paths,
): FilePlan[] {
  const generated = new Set(next.map((f) => f.path));
  const retired: FilePlan[] = [];
  for (const path of written?.keys() ?? []) {
    if (generated.has(path) || base.has(path)) continue;
    const diskPath = paths.onDisk(path);
    const disk = readText(root, diskPath);
    if (disk !== undefined) retired.push({ ...emptyPlan(path, diskPath, disk, false), status: 'retired' });
  }
  return retired;
}

/** .yo-rc.json: the new answers, host and hashes; the merge base only while conflicts remain. */
function planYoRc(root: string, sides: Sides, next: GeneratedFile[], unresolved: boolean): FilePlan {
  const { yoRc, answers, host, baseAnswers, baseHost } = sides;
  const baseState: Record<string, unknown> = {};
  if (unresolved) {
    for (const name of ANSWER_NAMES)
      if (baseAnswers[name] !== answers[name]) baseState[name] = baseAnswers[name];
    if (baseHost !== host) baseState.host = baseHost;
  }
  // The text, for the diff and the status; its parsed value is `yoRc`.
  const disk = readText(root, YO_RC_PATH)!;
  let result = bomLike(
    disk,
    renderYoRc(answers, yoRc, {
      host,
      [RENDERED_KEY]: answerRecord(answers),
      files: writtenRecord(next),
      mergeBase: Object.keys(baseState).length > 0 ? baseState : undefined,
    }),
  );
  if (deepEqual(yoRc as Json, JSON.parse(withoutBom(result)) as Json)) result = disk;
  const ignored = ignoredRecordPaths((yoRc[GENERATOR_KEY] as Record<string, unknown>).files);
  return {
    ...emptyPlan(YO_RC_PATH, YO_RC_PATH, disk, true),
    status: result === disk ? 'identical' : 'update',
    result,
    notes: ignored.length
      ? [
          `ignored ${ignored.length} entr${ignored.length === 1 ? 'y' : 'ies'} of "files" that are not paths inside the workspace: ${ignored.join(', ')}`,
        ]
      : [],
  };
}

/** Everything `config` would do, computed without writing. */
export function planConfig(req: ConfigRequest): ConfigPlan {
  const { root, templates, force, restore } = req;
  const sides = readSides(req);
  const { answers, host, baseAnswers, baseHost } = sides;
  const from = baseAnswers.serviceName;
  const to = answers.serviceName;
  const paths = planPaths(root, from, to);

  const base = new Map(
    renderWorkspace({ answers: baseAnswers, host: baseHost, templates }).map((f) => [paths.moved(f.path), f]),
  );
  const next: GeneratedFile[] = renderWorkspace({ answers, host, templates });
  const variantBase =
    baseAnswers.tracing === answers.tracing
      ? undefined
      : new Map(
          renderWorkspace({
            answers: { ...baseAnswers, tracing: answers.tracing },
            host: baseHost,
            templates,
          }).map((f) => [paths.moved(f.path), f]),
        );
  const written = sides.record && new Map([...sides.record].map(([path, hash]) => [paths.moved(path), hash]));
  const context: FileContext = {
    root,
    backendDir: to,
    rename: from !== to ? { from, to } : undefined,
    base,
    variantBase,
    written,
    conflictsOpen: sides.conflictsOpen,
    paths,
    force,
    restore,
  };

  const files = next.map((file) => planFile(file, context));
  files.push(...droppedFiles(root, context, next));
  files.push(...retiredFiles(root, written, next, base, paths));
  const unresolved = files.some((f) => f.status === 'conflict');
  files.push(planYoRc(root, sides, next, unresolved));

  return {
    root,
    answers,
    previous: sides.previous,
    host,
    hostLine: sides.hostLine,
    dirRename: paths.dirRename,
    files,
    errors: files.flatMap((f) => (f.error ? [f.error] : [])),
    setup: setupReasons(sides.previous, answers),
    force,
  };
}

/** Files whose text changes (or that are created). */
export function pendingWrites(plan: ConfigPlan): FilePlan[] {
  return plan.files.filter((f) => f.result !== undefined && f.result !== f.disk);
}

/** Files to remove: the last answers' files the new ones no longer make, untouched. */
export function pendingRemovals(plan: ConfigPlan): FilePlan[] {
  return plan.files.filter((f) => f.status === 'remove');
}

/** Out of date: something would be written, removed or moved, or a conflict is unresolved. */
export function outOfDate(plan: ConfigPlan): boolean {
  return (
    plan.dirRename !== undefined ||
    pendingWrites(plan).length > 0 ||
    pendingRemovals(plan).length > 0 ||
    plan.files.some((f) => f.status === 'conflict')
  );
}

export function unresolvedConflicts(plan: ConfigPlan): number {
  return plan.files.filter((f) => f.status === 'conflict').reduce((n, f) => n + f.conflicts.length, 0);
}
