// `cruddur-observability [app] [<dir>]`, for the bin and
// `yo cruddur-observability` alike. Prompts need a terminal and a way to ask
// (Io.ask): the bin's readline questions (cli/prompt.ts) or Yeoman's.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Invocation } from '../cli/args.js';
import { ANSWER_NAMES, UsageError, type Given } from '../answers/table.js';
import { compareWithDisk, unifiedDiff } from '../files/changes.js';
import type { Io } from '../cli/io.js';
import { installBackend } from './install.js';
import { setupWorkspace } from '../setup/command.js';
import { answersFor, checkTarget, defaultsContext, promptCollision, scaffoldFiles } from './scaffold.js';
import { fileTemplates } from '../files/templates.js';
import { writeFilesAtomic } from '../files/write.js';
import { guardWorkspace } from '../state/workspace-guard.js';

export async function runApp(inv: Invocation, io: Io): Promise<number> {
  const yes = inv.flags.has('yes');
  const prompt = !yes && io.interactive && io.ask !== undefined;
  const shownAs = inv.dir ?? '.';
  const root = resolve(io.cwd, shownAs);
  const dryRun = inv.flags.has('dry-run');
  // A target that exists may be a workspace another run is writing, or one
  // an interrupted run left half-written: lock it and recover it first.
  const guard =
    existsSync(root) && statSync(root).isDirectory()
      ? guardWorkspace(root, 'app', { write: !dryRun })
      : undefined;
  try {
    for (const line of guard?.lines ?? []) io.out(line);
    return guard?.blocked ? 1 : await scaffold(inv, io, root, shownAs, prompt);
  } finally {
    guard?.release();
  }
}

async function scaffold(
  inv: Invocation,
  io: Io,
  root: string,
  shownAs: string,
  prompt: boolean,
): Promise<number> {
  const yes = inv.flags.has('yes');
  const force = inv.flags.has('force');
  const dryRun = inv.flags.has('dry-run');
  const target = checkTarget(root, shownAs, force);
  let given: Given = inv.given;
  if (prompt) {
    // Bad flags are refused before any question is asked.
    answersFor(root, given, target, io.env);
    const missing = ANSWER_NAMES.filter((name) => given[name] === undefined);
    given = {
      ...given,
      ...(await io.ask!(
        missing,
        { ...target.stored, ...given },
        defaultsContext(root, io.env),
        promptCollision(io.env),
      )),
    };
  } else if (!yes) {
    io.err('no TTY: using flags, stored answers and defaults (pass --yes to say so)');
  }
  const answers = answersFor(root, given, target, io.env);
  const changes = compareWithDisk(root, scaffoldFiles(answers, target, io.env, fileTemplates()));
  const pending = changes.filter((c) => c.status !== 'identical');
  const differing = changes.filter((c) => c.status === 'differs');

  if (dryRun) {
    for (const change of pending) io.out(unifiedDiff(change));
    io.out(`dry run: ${pending.length} file(s) would be written in ${shownAs}; nothing was written`);
    return 0;
  }
  if (differing.length > 0 && !force) {
    for (const change of differing) io.err(unifiedDiff(change));
    throw new UsageError(
      `${differing.length} file(s) in ${shownAs} differ from what app would write (${differing
        .map((c) => c.file.path)
        .join(', ')}); run \`cruddur-observability config\` to merge, or pass --force to overwrite`,
    );
  }
  writeFilesAtomic(
    root,
    pending.map((c) => c.file),
  );
  for (const c of changes)
    io.out(`${(c.status === 'differs' ? 'force' : c.status).padStart(9)} ${c.file.path}`);

  if (!inv.flags.has('skip-install') && !(await installBackend(root, answers, io))) return 1;
  // The files are written whatever setup says: the next steps still hold, and
  // a failed setup step (exit 1) is named with how to run it again.
  const setup = inv.flags.has('skip-hooks')
    ? 0
    : await setupWorkspace(root, answers, io, { strict: false, dryRun: false });
  if (setup !== 0) {
    io.out(
      'setup did not finish (see above): fix what it names, then run `npx cruddur-observability setup` there',
    );
  }
  io.out(`\nDone. Next: cd ${shownAs} and read README.md (secrets, then \`docker compose up --build\`).`);
  return setup;
}
