// Runs the built bin as a user would: a child process, no TTY, no stdin.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertFreshBuild } from './build.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The CLI package (cruddur-observability) as built in this checkout. */
export const CLI_PACKAGE = join(REPO_ROOT, 'packages/cruddur-observability');
export const BIN = join(CLI_PACKAGE, 'bin.js');

/** Generator `name` (app, config, setup) as the Yeoman package ships it. */
export function generatorPath(name: string): string {
  return join(REPO_ROOT, 'packages/generator-cruddur-observability/generators', name, 'index.js');
}

let checked = false;
/** Before the first run of the bin or a generator: the build is not older than its sources. */
function freshBuild(): void {
  if (!checked) assertFreshBuild(REPO_ROOT);
  checked = true;
}

/** An environment with nothing of the developer's machine that could leak in. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? tmpdir(),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runBin(args: string[], opts: { cwd: string; env?: Record<string, string> }): RunResult {
  freshBuild();
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd,
    env: opts.env ?? cleanEnv(),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// yeoman-environment as `yo` drives it (yo itself refuses to run as root):
// the generator registered under its namespace, then env.run with argv.
const YEOMAN_RUNNER = `
const { createEnv } = await import(process.env.YEOMAN_ENVIRONMENT);
const [command, ...args] = process.argv.slice(1);
const env = createEnv({ cwd: process.cwd() });
env.register(process.env.GENERATOR, { namespace: 'cruddur-observability:' + command });
await env.run(['cruddur-observability:' + command, ...args]);
`;

/**
 * `yo cruddur-observability:<command> ...args` through yeoman-environment in
 * a child process (no TTY, no stdin), so its exit code (process.exitCode)
 * and both streams are the ones a user sees.
 */
export function runYeoman(
  command: string,
  args: string[],
  opts: { cwd: string; env?: Record<string, string> },
): RunResult {
  freshBuild();
  const r = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', YEOMAN_RUNNER, '--', command, ...args],
    {
      cwd: opts.cwd,
      env: {
        ...(opts.env ?? cleanEnv()),
        YEOMAN_ENVIRONMENT: import.meta.resolve('yeoman-environment'),
        GENERATOR: generatorPath(command),
      },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
    },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tempDirs: string[] = [];

// node:test runs each test file in its own process: its temp dirs go when it
// exits. KEEP_TEST_DIRS=1 keeps them for a post-mortem.
process.on('exit', () => {
  if (process.env.KEEP_TEST_DIRS) return;
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
});

/** A fresh directory under the OS temp dir, removed when the test process exits. */
export function tempDir(prefix = 'cruddur-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** Every file under `root` as relative POSIX path -> contents, sorted. */
export function readTree(root: string, skip = new Set(['node_modules', '.git'])): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      if (skip.has(name)) continue;
      const abs = join(dir, name);
      if (statSync(abs).isDirectory()) walk(abs);
      else out.set(relative(root, abs).split('\\').join('/'), readFileSync(abs, 'utf8'));
    }
  };
  walk(root);
  return out;
}
