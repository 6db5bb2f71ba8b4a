// How `config` writes: all or nothing, recoverably, one run at a time, and
// never through the user's mistakes. The kill and lock cases run the built
// bin as a child process with test/support/fault-points.mjs loaded, which
// numbers every disk-changing fs call and SIGKILLs (or pauses) the child at
// the chosen one: every point between the writes of one run is tried.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { BIN, cleanEnv, REPO_ROOT, runBin, tempDir, type RunResult } from './support/cli.js';

const QUIET = ['--yes', '--skip-install', '--skip-hooks'];
const FAULTS = join(REPO_ROOT, 'test/support/fault-points.mjs');
const LOCK = '.cruddur-observability.lock';
const JOURNAL = '.cruddur-observability.journal';

let template: string | undefined;
/** A fresh copy of a workspace as `app ws --yes --skip-install --skip-hooks` makes it. */
function workspace(): string {
  if (!template) {
    const cwd = tempDir('cruddur-write-tpl-');
    const r = runBin(['ws', ...QUIET], { cwd, env: cleanEnv() });
    assert.equal(r.status, 0, r.stderr);
    template = join(cwd, 'ws');
  }
  const dir = join(tempDir('cruddur-write-'), 'ws');
  cpSync(template, dir, { recursive: true, verbatimSymlinks: true });
  return dir;
}

const config = (dir: string, args: string[] = []) =>
  runBin(['config', ...args], { cwd: dir, env: cleanEnv() });

/**
 * Everything under `root` as path -> what it is: a file's text, `<dir>`, or
 * `-> target` for a link. Temporary files, the lock and empty directories
 * all show, unlike in readTree.
 */
function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const path = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(root, path));
      if (st.isSymbolicLink()) out.set(path, `-> ${readlinkSync(join(root, path))}`);
      else if (st.isDirectory()) {
        out.set(path, '<dir>');
        walk(path);
      } else out.set(path, readFileSync(join(root, path), 'utf8'));
    }
  };
  walk('');
  return out;
}

/** The paths where two snapshots differ, for a readable failure. */
function differing(a: Map<string, string>, b: Map<string, string>): string[] {
  return [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k)).sort();
}

function assertOneLine(r: RunResult, code: number, pattern: RegExp): void {
  assert.equal(r.status, code, r.stdout + r.stderr);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(r.stderr, /\bat .*\.js:\d+/, 'no stack trace');
}

/** Runs the bin under fault-points.mjs; `count` is how many points it passed. */
function runFaulted(
  dir: string,
  args: string[],
  faultAt: number,
): RunResult & { signal: NodeJS.Signals | null; count: number } {
  const faults = tempDir('cruddur-faults-');
  const r = spawnSync(process.execPath, ['--import', FAULTS, BIN, ...args], {
    cwd: dir,
    env: cleanEnv({ FAULT_AT: String(faultAt), FAULT_DIR: faults }),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  const countFile = join(faults, 'count');
  const count = existsSync(countFile) ? Number(readFileSync(countFile, 'utf8')) : -1;
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, count };
}

describe('a user mistake in the way: one line, exit 2, nothing written', () => {
  test('a directory where .gitpod.yml belongs (the --port 5000 --restore repro)', () => {
    const dir = workspace();
    rmSync(join(dir, '.gitpod.yml'));
    mkdirSync(join(dir, '.gitpod.yml'));
    const before = snapshot(dir);
    const r = config(dir, ['--port', '5000', '--restore']);
    assertOneLine(
      r,
      2,
      /^cruddur-observability: \.gitpod\.yml is a directory where a generated file belongs; move it away and run again \(nothing was written\)$/,
    );
    assert.deepEqual(differing(snapshot(dir), before), [], 'not one file or temporary file changed');

    rmdirSync(join(dir, '.gitpod.yml'));
    const again = config(dir, ['--port', '5000', '--restore']);
    assert.equal(again.status, 0, again.stdout + again.stderr);
    assert.match(readFileSync(join(dir, '.gitpod.yml'), 'utf8'), /5000/);
    assert.match(readFileSync(join(dir, '.yo-rc.json'), 'utf8'), /"port": 5000/);
    assert.match(config(dir, ['--check']).stdout, /config --check: up to date/);
  });

  test('a file where the directory of a generated file belongs (ENOTDIR)', () => {
    const dir = workspace();
    rmSync(join(dir, 'aws'), { recursive: true });
    writeFileSync(join(dir, 'aws'), 'notes\n');
    const before = snapshot(dir);
    const r = config(dir, ['--port', '5000', '--restore']);
    assertOneLine(
      r,
      2,
      /^cruddur-observability: aws is a file where the directory of aws\/json\/x-ray\.json belongs; move it away and run again \(nothing was written\)$/,
    );
    assert.deepEqual(differing(snapshot(dir), before), []);
  });

  test('.yo-rc.json nested 100,000 levels deep', () => {
    const dir = workspace();
    const text = readFileSync(join(dir, '.yo-rc.json'), 'utf8');
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    writeFileSync(join(dir, '.yo-rc.json'), text.replace(/\n}\s*$/, `,\n  "deep": ${deep}\n}\n`));
    const before = snapshot(dir);
    assertOneLine(
      config(dir, ['--port', '5000']),
      2,
      /^cruddur-observability: \.yo-rc\.json:\d+:\d+: nested deeper than \d+ levels; fix or remove it$/,
    );
    assert.deepEqual(differing(snapshot(dir), before), []);
  });

  for (const olderVersion of [false, true]) {
    test(`a generated JSON file nested 100,000 levels deep${olderVersion ? ', written by an older version' : ''}: named as a file it cannot parse`, () => {
      const dir = workspace();
      const path = 'backend-express/package.json';
      if (olderVersion) {
        // A record hash the re-rendered base does not have: the merge base is then made from the user's text.
        const yoRc = JSON.parse(readFileSync(join(dir, '.yo-rc.json'), 'utf8')) as Record<
          string,
          { files: Record<string, string> }
        >;
        yoRc['generator-cruddur-observability']!.files[path] = '0123456789abcdef';
        writeFileSync(join(dir, '.yo-rc.json'), JSON.stringify(yoRc, null, 2) + '\n');
      }
      const text = readFileSync(join(dir, path), 'utf8');
      writeFileSync(
        join(dir, path),
        text.replace('{', `{"deep": ${'['.repeat(100_000)}${']'.repeat(100_000)},`),
      );
      const before = snapshot(dir);
      const r = config(dir, ['--port', '5000']);
      assert.equal(r.status, 2, r.stderr);
      assert.match(
        r.stderr,
        /^cruddur-observability: backend-express\/package\.json:1:\d+: nested deeper than 64 levels$/m,
      );
      assert.doesNotMatch(r.stderr, /Maximum call stack|\bat .*\.js:\d+/);
      assert.deepEqual(differing(snapshot(dir), before), []);
    });
  }

  test('temporary files a failed run of an earlier version left are removed', () => {
    const dir = workspace();
    writeFileSync(join(dir, '.gitpod.yml.8758.tmp'), 'half');
    writeFileSync(join(dir, 'backend-express/src/service.ts.8758.tmp'), 'half');
    writeFileSync(join(dir, 'notes.8758.tmp'), 'the user’s own');
    const r = config(dir);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^removed 2 temporary file\(s\) a failed earlier run left$/m);
    assert.ok(!existsSync(join(dir, '.gitpod.yml.8758.tmp')));
    assert.ok(!existsSync(join(dir, 'backend-express/src/service.ts.8758.tmp')));
    assert.ok(existsSync(join(dir, 'notes.8758.tmp')), 'not a generated file’s: left alone');
  });

  test("a killed run's half-written journal and its lock candidate are removed; a live run's candidate stays", () => {
    const dir = workspace();
    // No process has this pid (above Linux's pid_max), so the run that wrote these is gone.
    const dead = 2 ** 22 + 1;
    const live = process.pid;
    for (const name of [
      `${JOURNAL}.${dead}.tmp`,
      `${LOCK}.${dead}.tmp`,
      `${LOCK}.${live}.tmp`,
      `${JOURNAL}.x.tmp`,
    ])
      writeFileSync(join(dir, name), 'half');
    const r = config(dir);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(!existsSync(join(dir, `${JOURNAL}.${dead}.tmp`)));
    assert.ok(!existsSync(join(dir, `${LOCK}.${dead}.tmp`)));
    assert.ok(existsSync(join(dir, `${LOCK}.${live}.tmp`)), 'its run may still link it');
    assert.ok(existsSync(join(dir, `${JOURNAL}.x.tmp`)), 'not a name this tool writes');
  });
});

describe('a generated file that is a symbolic link', () => {
  test('is written through the link, at its target, which stays shared', () => {
    const dir = workspace();
    const shared = join(tempDir('cruddur-shared-'), 'env.example');
    cpSync(join(dir, '.env.example'), shared);
    rmSync(join(dir, '.env.example'));
    symlinkSync(shared, join(dir, '.env.example'));
    const r = config(dir, ['--port', '5000']);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(lstatSync(join(dir, '.env.example')).isSymbolicLink(), 'still a link');
    assert.equal(readlinkSync(join(dir, '.env.example')), shared);
    assert.match(readFileSync(shared, 'utf8'), /^PORT=5000$/m, 'the shared target took the update');
    assert.deepEqual(
      readdirSync(join(shared, '..')),
      ['env.example'],
      'no temporary file left beside the target',
    );
    assert.match(config(dir, ['--check']).stdout, /config --check: up to date/);
  });

  test('a link to nothing is refused with one line, nothing written', () => {
    const dir = workspace();
    rmSync(join(dir, '.gitpod.yml'));
    symlinkSync('../gone/gitpod.yml', join(dir, '.gitpod.yml'));
    const before = snapshot(dir);
    assertOneLine(
      config(dir, ['--restore']),
      2,
      /^cruddur-observability: \.gitpod\.yml is a symbolic link to \.\.\/gone\/gitpod\.yml, which does not exist; create its target or remove the link and run again \(nothing was written\)$/,
    );
    assert.deepEqual(differing(snapshot(dir), before), []);
  });
});

describe("a path in .yo-rc.json's files record outside the workspace", () => {
  test('is ignored with a line, never advised for deletion', () => {
    const dir = workspace();
    const outside = join(dir, '..', 'precious.txt');
    writeFileSync(outside, 'mine\n');
    const yoRc = JSON.parse(readFileSync(join(dir, '.yo-rc.json'), 'utf8')) as Record<
      string,
      { files: Record<string, string> }
    >;
    const mine = yoRc['generator-cruddur-observability']!;
    mine.files['../precious.txt'] = '0123456789abcdef';
    mine.files[outside] = '0123456789abcdef';
    writeFileSync(join(dir, '.yo-rc.json'), JSON.stringify(yoRc, null, 2) + '\n');
    const r = config(dir);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /retired|delete it/);
    assert.match(
      r.stdout,
      /ignored 2 entr(y|ies) of "files" that are not paths inside the workspace: \.\.\/precious\.txt, /,
    );
    assert.equal(readFileSync(outside, 'utf8'), 'mine\n');
    assert.match(config(dir, ['--check']).stdout, /config --check: up to date/);
  });
});

describe('one run at a time', () => {
  test('a run holding the lock: the second run says so in one line, exit 2, nothing written', () => {
    const dir = workspace();
    writeFileSync(join(dir, LOCK), JSON.stringify({ pid: process.pid, host: hostname(), command: 'config' }));
    const before = snapshot(dir);
    assertOneLine(
      config(dir, ['--port', '5000']),
      2,
      new RegExp(
        `^cruddur-observability: another config run \\(pid ${process.pid}\\) is changing this workspace \\(\\${LOCK}\\); wait for it to finish and run config again \\(if none is running, delete \\${LOCK}\\); nothing was written$`,
      ),
    );
    assert.deepEqual(differing(snapshot(dir), before), []);
  });

  test('a lock whose process is gone is taken over', () => {
    const dir = workspace();
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(join(dir, LOCK), JSON.stringify({ pid: gone, host: hostname(), command: 'config' }));
    const r = config(dir, ['--port', '5000']);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(!existsSync(join(dir, LOCK)), 'released after the run');
    assert.match(readFileSync(join(dir, '.yo-rc.json'), 'utf8'), /"port": 5000/);
  });

  test('two real runs at once: the second is refused while the first writes, which then finishes', async () => {
    const dir = workspace();
    const args = ['config', '--port', '5000'];
    const points = runFaulted(workspace(), args, 0).count;
    const faults = tempDir('cruddur-pause-');
    // The first run stops half-way through its renames, holding the lock.
    const first = spawn(process.execPath, ['--import', FAULTS, BIN, ...args], {
      cwd: dir,
      env: cleanEnv({ FAULT_AT: String(points - 4), FAULT_ACTION: 'pause', FAULT_DIR: faults }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let firstOut = '';
    first.stdout.on('data', (d: Buffer) => (firstOut += d.toString()));
    first.stderr.on('data', (d: Buffer) => (firstOut += d.toString()));
    const exited = new Promise<number | null>((done) => first.on('exit', (code) => done(code)));
    const deadline = Date.now() + 30_000;
    while (!existsSync(join(faults, 'paused'))) {
      assert.ok(Date.now() < deadline, `the first run reached its pause point: ${firstOut}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const during = snapshot(dir);
    const second = config(dir, ['--port', '6000']);
    assertOneLine(second, 2, /another config run \(pid \d+\) is changing this workspace/);
    assert.deepEqual(differing(snapshot(dir), during), [], 'the second run wrote nothing');
    assert.match(
      config(dir, ['--check']).stderr,
      /another config run/,
      '--check does not look half-way either',
    );

    writeFileSync(join(faults, 'resume'), '');
    assert.equal(await exited, 0, firstOut);
    const expected = workspace();
    assert.equal(config(expected, ['--port', '5000']).status, 0);
    assert.deepEqual(differing(snapshot(dir), snapshot(expected)), []);
  });

  test('several runs started together end in one consistent workspace', async () => {
    const dir = workspace();
    const ports = ['5001', '5002', '5003'];
    const runs = ports.map(
      (port) =>
        new Promise<{ port: string; code: number | null; err: string }>((done) => {
          const child = spawn(process.execPath, [BIN, 'config', '--port', port], {
            cwd: dir,
            env: cleanEnv(),
            stdio: ['ignore', 'ignore', 'pipe'],
          });
          let err = '';
          child.stderr.on('data', (d: Buffer) => (err += d.toString()));
          child.on('exit', (code) => done({ port, code, err }));
        }),
    );
    const results = await Promise.all(runs);
    for (const r of results) {
      assert.ok(r.code === 0 || r.code === 2, `exit 0 or 2: ${r.code} ${r.err}`);
      if (r.code === 2) assert.match(r.err, /^cruddur-observability: another config run .*\n$/);
    }
    const port = (
      JSON.parse(readFileSync(join(dir, '.yo-rc.json'), 'utf8')) as Record<string, { port: number }>
    )['generator-cruddur-observability']!.port;
    assert.ok(
      results.some((r) => r.code === 0 && r.port === String(port)),
      'the stored port is a winner’s',
    );
    const expected = workspace();
    assert.equal(config(expected, ['--port', String(port)]).status, 0);
    assert.deepEqual(differing(snapshot(dir), snapshot(expected)), [], 'every file at that one port');
  });
});

describe('killed at any point of a run, the next run finishes the job or rolls it back', () => {
  // The widest batch: a restored file, updated files, and the backend directory moving.
  const ARGS = ['config', '--service-name', 'api', '--port', '5000', '--restore'];
  const start = () => {
    const dir = workspace();
    rmSync(join(dir, '.gitpod.yml'));
    return dir;
  };

  test('every kill point', () => {
    const original = snapshot(start());
    const done = start();
    const clean = runFaulted(done, ARGS, 0);
    assert.equal(clean.status, 0, clean.stderr);
    const expected = snapshot(done);
    assert.ok(clean.count > 20, `a run passes many points (${clean.count})`);

    const outcomes = new Map<string, number>();
    for (let at = 1; at <= clean.count; at++) {
      const dir = start();
      const killed = runFaulted(dir, ARGS, at);
      assert.equal(killed.signal, 'SIGKILL', `killed at point ${at}`);

      // Read-only, --check must not call a half-written workspace up to date.
      const check = config(dir, ['--check']);
      const now = snapshot(dir);
      // Left by a kill before the batch began, they hold no change: the
      // lock is taken over, the half-written journal swept by a writing run.
      now.delete(LOCK);
      for (const path of now.keys())
        if (/^\.cruddur-observability\.journal\.\d+\.tmp$/.test(path)) now.delete(path);
      if (check.status === 0) {
        const same = differing(now, original).length === 0 || differing(now, expected).length === 0;
        assert.ok(same, `point ${at}: --check said up to date over ${differing(now, original).join(', ')}`);
      } else {
        assert.equal(check.status, 1, `point ${at}: ${check.stdout}${check.stderr}`);
        assert.match(check.stdout, /interrupted run \(pid \d+\) left this workspace half-written/);
      }

      // A plain re-run: no flags, as a user would.
      const rerun = config(dir);
      assert.equal(rerun.status, 0, `point ${at}: ${rerun.stdout}${rerun.stderr}`);
      const after = snapshot(dir);
      const rolledBack = differing(after, original).length === 0;
      const finished = differing(after, expected).length === 0;
      assert.ok(
        rolledBack || finished,
        `point ${at}: neither the old nor the new workspace; differs from the new in ${differing(after, expected).join(', ')}`,
      );
      if (differing(now, after).length > 0)
        assert.match(rerun.stdout, /^recovered: /m, `point ${at} says so`);
      const outcome = finished ? 'finished' : 'rolled back';
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      assert.match(config(dir, ['--check']).stdout, /config --check: up to date/);
    }
    assert.ok(
      (outcomes.get('finished') ?? 0) > 5 && (outcomes.get('rolled back') ?? 0) > 5,
      [...outcomes].join(),
    );
  });

  test('a journal whose new text is gone: each file is named, exit 1, and --check never says up to date', () => {
    const dir = start();
    const clean = runFaulted(start(), ARGS, 0);
    // Killed before the last three renames (then the journal's and the
    // lock's removal): the journal is committed.
    const killed = runFaulted(dir, ARGS, clean.count - 4);
    assert.equal(killed.signal, 'SIGKILL');
    const journal = JSON.parse(readFileSync(join(dir, JOURNAL), 'utf8')) as { files: Array<{ tmp: string }> };
    const pending = journal.files.filter((f) => existsSync(join(dir, f.tmp)));
    assert.ok(pending.length > 0);
    for (const f of pending) rmSync(join(dir, f.tmp));
    const r = config(dir);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /left this workspace half-written, and its changes cannot be finished:/);
    for (const f of pending) assert.ok(r.stdout.includes(f.tmp), `names ${f.tmp}`);
    assert.match(r.stdout, /delete \.cruddur-observability\.journal to keep them as they are/);
    const check = config(dir, ['--check']);
    assert.equal(check.status, 1);
    assert.doesNotMatch(check.stdout, /up to date/);
  });
});

/** `script` (util-linux) gives the bin a terminal, so `app` prompts as it does for a user. */
const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

/** Runs the bin on a terminal; `answer` sees the output so far and returns keys to type, once per prompt. */
function onTerminal(
  cwd: string,
  args: string[],
  keys: (prompt: number) => string,
): Promise<{ code: number | null; out: string }> {
  const command = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd,
    env: cleanEnv({ TERM: 'dumb' }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let typedFor = -1;
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    // Each question opens a line with "? "; answer each one once.
    const asked = out.split(/(?:^|\n)\? \S/).length - 1;
    if (asked > 0 && typedFor !== asked) {
      typedFor = asked;
      child.stdin.write(keys(asked - 1));
    }
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((done) =>
    child.on('exit', (code) => {
      clearTimeout(timer);
      done({ code, out });
    }),
  );
}

describe('app on a terminal', () => {
  test(
    'Ctrl-C at the first prompt leaves no directory behind',
    { skip: !hasScript && 'no `script` to give the bin a terminal' },
    async () => {
      const cwd = tempDir();
      const r = await onTerminal(cwd, ['app', 'newdir'], () => '\x03');
      assert.equal(r.code, 130, r.out);
      assert.match(r.out, /cruddur-observability: cancelled; nothing was written/);
      assert.deepEqual(readdirSync(cwd), [], 'no empty target directory');
    },
  );

  test(
    'answering every prompt still writes the workspace there',
    { skip: !hasScript && 'no `script` to give the bin a terminal' },
    async () => {
      const cwd = tempDir();
      const r = await onTerminal(cwd, ['app', 'newdir', '--skip-install', '--skip-hooks'], () => '\r');
      assert.equal(r.code, 0, r.out);
      assert.match(readFileSync(join(cwd, 'newdir/.yo-rc.json'), 'utf8'), /"projectName": "newdir"/);
      assert.ok(existsSync(join(cwd, 'newdir/backend-express/package.json')));
    },
  );
});
