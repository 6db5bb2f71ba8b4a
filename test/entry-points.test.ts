// The two entry points behave as one: every scenario runs through the built
// bin and through yeoman-environment (`yo cruddur-observability:<command>`),
// each from its own copy of the same starting directory, and must give the
// same exit code, the same stdout and stderr lines, and the same files.
import assert from 'node:assert/strict';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, test } from 'node:test';
import { ANSWER_NAMES, type AnswerName } from '../src/answers/table.js';
import { runApp } from '../src/app/command.js';
import { parseInvocation } from '../src/cli/args.js';
import { COMMAND_NAMES, type CommandName } from '../src/cli/commands.js';
import type { Io } from '../src/cli/io.js';
import { cleanEnv, readTree, REPO_ROOT, runBin, runYeoman, tempDir, type RunResult } from './support/cli.js';

const QUIET = ['--yes', '--skip-install', '--skip-hooks'];

interface Scenario {
  command: CommandName;
  args: string[];
  /** Makes the starting directory (the cwd both entry points run in). */
  start: () => string;
  env?: Record<string, string>;
  status: number;
  /** What this scenario is about, checked on the bin's run (the other must equal it). */
  expect: (r: RunResult, dir: string) => void;
}

/** An empty directory. */
const empty = () => tempDir('cruddur-entry-');

let made: string | undefined;
/** A directory holding a workspace `ws/` made by the bin, copied fresh for each use. */
function workspace(): string {
  if (!made) {
    made = tempDir('cruddur-entry-tpl-');
    const r = runBin(['ws', ...QUIET], { cwd: made });
    assert.equal(r.status, 0, r.stderr);
  }
  const dir = tempDir('cruddur-entry-');
  cpSync(join(made, 'ws'), join(dir, 'ws'), { recursive: true });
  return join(dir, 'ws');
}

function edited(path: string, change: (text: string) => string): () => string {
  return () => {
    const dir = workspace();
    const before = readFileSync(join(dir, path), 'utf8');
    const after = change(before);
    assert.notEqual(after, before, `the edit of ${path} applies`);
    writeFileSync(join(dir, path), after);
    return dir;
  };
}

// npm with an empty cache and no network fails at once (ENOTCACHED), and
// writes no log file whose name would differ between the two runs.
const npmFails = () => ({
  npm_config_cache: tempDir('cruddur-npm-cache-'),
  npm_config_offline: 'true',
  npm_config_logs_max: '0',
});

const lines = (text: string) => text.split('\n');

const SCENARIOS: Record<string, Scenario> = {
  'app: success': {
    command: 'app',
    args: ['ws', ...QUIET, '--port', '8080'],
    start: empty,
    status: 0,
    expect: (r, dir) => {
      assert.match(r.stdout, /^ {3}create docker-compose\.yml$/m);
      assert.match(r.stdout, /^Done\. Next: cd ws and read README\.md/m);
      assert.equal(r.stderr, '');
      assert.ok(existsSync(join(dir, 'ws/.yo-rc.json')));
    },
  },
  'app: without a TTY or --yes, defaults with a notice': {
    command: 'app',
    args: ['ws', '--skip-install', '--skip-hooks'],
    start: empty,
    status: 0,
    expect: (r) => assert.match(r.stderr, /^no TTY: using flags, stored answers and defaults/),
  },
  'app: a bad answer flag': {
    command: 'app',
    args: ['ws', ...QUIET, '--port', '0'],
    start: empty,
    status: 2,
    expect: (r, dir) => {
      assert.equal(r.stderr, 'cruddur-observability: --port "0" must be a whole number from 1 to 65535\n');
      assert.deepEqual(readdirSync(dir), []);
    },
  },
  'app: an unknown flag': {
    command: 'app',
    args: ['ws', ...QUIET, '--no-such-flag'],
    start: empty,
    status: 2,
    expect: (r) => assert.match(r.stderr, /^cruddur-observability: Unknown option '--no-such-flag'.*\n$/),
  },
  'app: a file the user changed is refused with its diff': {
    command: 'app',
    args: ['.', ...QUIET],
    start: edited('docker-compose.yml', (s) => s + '# my note\n'),
    status: 2,
    expect: (r, dir) => {
      assert.match(r.stderr, /^-# my note$/m);
      assert.match(r.stderr, /^cruddur-observability: 1 file\(s\) in \. differ .*--force to overwrite$/m);
      assert.match(readFileSync(join(dir, 'docker-compose.yml'), 'utf8'), /# my note/);
    },
  },
  'app: a failed npm install exits 1 and says so': {
    command: 'app',
    args: ['ws', '--yes', '--skip-hooks'],
    start: empty,
    env: npmFails(),
    status: 1,
    expect: (r) => {
      assert.match(r.stdout, /^installing backend-express dependencies \(npm install\)\.\.\.$/m);
      assert.match(r.stderr, /^npm install failed in backend-express\/ \(exit \d+\); fix the cause/m);
      assert.doesNotMatch(r.stdout, /Done\. Next/);
    },
  },
  'app: a broken .yo-rc.json': {
    command: 'app',
    args: ['.', ...QUIET],
    start: () => {
      const dir = empty();
      writeFileSync(join(dir, '.yo-rc.json'), '{\n  "generator-cruddur-observability": {,\n}\n');
      return dir;
    },
    status: 2,
    expect: (r) => assert.match(r.stderr, /^cruddur-observability: \.yo-rc\.json:2:\d+: not valid JSON/),
  },
  'app: --help': {
    command: 'app',
    args: ['--help'],
    start: empty,
    status: 0,
    expect: (r) => assert.match(r.stdout, /^Usage: cruddur-observability \[app\]/m),
  },
  'config: a changed answer updates every file that uses it': {
    command: 'config',
    args: ['--region', 'eu-west-2', '--yes'],
    start: workspace,
    status: 0,
    expect: (r, dir) => {
      assert.match(r.stdout, /^ {3}update docker-compose\.yml$/m);
      assert.match(r.stdout, /^ {3}update \.env\.example$/m);
      assert.match(
        readFileSync(join(dir, 'docker-compose.yml'), 'utf8'),
        /AWS_REGION: \$\{AWS_REGION:-eu-west-2\}/,
      );
      assert.match(readFileSync(join(dir, '.env.example'), 'utf8'), /^AWS_REGION=eu-west-2$/m);
    },
  },
  'config: a bad flag': {
    command: 'config',
    args: ['--port', 'x'],
    start: workspace,
    status: 2,
    expect: (r) =>
      assert.equal(r.stderr, 'cruddur-observability: --port "x" must be a whole number from 1 to 65535\n'),
  },
  'config: files that do not parse: one line per file, nothing written': {
    command: 'config',
    args: ['--port', '8080'],
    start: () => {
      const dir = edited('docker-compose.yml', (s) => s + 'services: [\n')();
      writeFileSync(join(dir, '.devcontainer/devcontainer.json'), '{ "name": ');
      return dir;
    },
    status: 2,
    expect: (r) => {
      const err = lines(r.stderr.trimEnd());
      assert.equal(err.length, 3, r.stderr);
      assert.match(err[0]!, /^cruddur-observability: docker-compose\.yml:\d+:\d+: not valid YAML/);
      assert.match(err[1]!, /^cruddur-observability: \.devcontainer\/devcontainer\.json:\d+:\d+: /);
      assert.match(err[2]!, /nothing was written$/);
    },
  },
  'config: a conflict is kept and exits 1': {
    command: 'config',
    args: ['--rollbar-environment', 'prod'],
    start: edited('docker-compose.yml', (s) =>
      s.replace('ROLLBAR_ENVIRONMENT: development', 'ROLLBAR_ENVIRONMENT: staging'),
    ),
    status: 1,
    expect: (r, dir) => {
      assert.match(r.stdout, /ROLLBAR_ENVIRONMENT: yours "staging" \/ generator "prod"/);
      assert.match(readFileSync(join(dir, 'docker-compose.yml'), 'utf8'), /ROLLBAR_ENVIRONMENT: staging/);
    },
  },
  'config --check: out of date exits 1 and writes nothing': {
    command: 'config',
    args: ['--check', '--port', '9000'],
    start: workspace,
    status: 1,
    expect: (r) => assert.match(r.stdout, /^config --check: out of date/m),
  },
  'config --check: up to date': {
    command: 'config',
    args: ['--check'],
    start: workspace,
    status: 0,
    expect: (r) => assert.match(r.stdout, /^config --check: up to date$/m),
  },
  'config: outside a workspace': {
    command: 'config',
    args: [],
    start: empty,
    status: 2,
    expect: (r) => assert.match(r.stderr, /^cruddur-observability: no \.yo-rc\.json with /),
  },
  'setup --dry-run': {
    command: 'setup',
    args: ['--dry-run'],
    start: workspace,
    status: 0,
    expect: (r) => assert.match(r.stdout, /^would call CreateGroup /m),
  },
  'setup --dry-run --strict: a skipped step exits 1': {
    command: 'setup',
    args: ['--dry-run', '--strict'],
    start: workspace,
    status: 1,
    expect: (r) => assert.match(r.stdout, /^rollbar token: skipped: ROLLBAR_ACCESS_TOKEN is not set/m),
  },
  'setup: a flag of another command': {
    command: 'setup',
    args: ['--region', 'eu-west-2'],
    start: workspace,
    status: 2,
    expect: (r) => assert.match(r.stderr, /^cruddur-observability: Unknown option '--region'/),
  },
  'setup: outside a workspace': {
    command: 'setup',
    args: [],
    start: empty,
    status: 2,
    expect: (r) =>
      assert.match(r.stderr, /^cruddur-observability: no \.yo-rc\.json from this generator here/),
  },
  'doctor: outside a workspace, every check after the first is skipped': {
    command: 'doctor',
    args: [],
    start: empty,
    status: 1,
    expect: (r) => {
      assert.match(r.stdout, /^fail workspace: no \.yo-rc\.json from this generator here/);
      assert.match(r.stdout, /^skip rollbar: needs a generated workspace/m);
    },
  },
  'doctor: a bad flag value': {
    command: 'doctor',
    args: ['--timeout', 'x'],
    start: empty,
    status: 2,
    expect: (r) =>
      assert.equal(
        r.stderr,
        'cruddur-observability: --timeout must be a number of seconds from 1 to 3600, not "x"\n',
      ),
  },
  'traces: a bad flag value': {
    command: 'traces',
    args: ['--listen', 'nowhere'],
    start: empty,
    status: 2,
    expect: (r) => assert.match(r.stderr, /^cruddur-observability: --listen /),
  },
};

describe('the bin and the Yeoman generator: the same exit code, lines and files', () => {
  for (const [name, s] of Object.entries(SCENARIOS)) {
    test(name, () => {
      const viaBin = s.start();
      const viaYeoman = join(tempDir('cruddur-entry-yo-'), basename(viaBin));
      cpSync(viaBin, viaYeoman, { recursive: true });
      const env = cleanEnv(s.env);
      const bin = runBin(s.command === 'app' ? s.args : [s.command, ...s.args], { cwd: viaBin, env });
      const yo = runYeoman(s.command, s.args, { cwd: viaYeoman, env });
      assert.equal(bin.status, s.status, bin.stdout + bin.stderr);
      s.expect(bin, viaBin);
      assert.doesNotMatch(bin.stderr + yo.stderr, /\n\s+at /, 'no stack trace');
      // Where a line names the directory, it names its own.
      const seen = (r: RunResult, dir: string) => ({
        status: r.status,
        stdout: lines(r.stdout.replaceAll(dir, '<dir>')),
        stderr: lines(r.stderr.replaceAll(dir, '<dir>')),
      });
      assert.deepEqual(seen(yo, viaYeoman), seen(bin, viaBin));
      assert.deepEqual(readTree(viaYeoman), readTree(viaBin));
    });
  }
});

test('every command in the table has its generator, the generic adapter', () => {
  const generators = readdirSync(join(REPO_ROOT, 'generators')).filter((name) =>
    existsSync(join(REPO_ROOT, 'generators', name, 'index.ts')),
  );
  assert.deepEqual(generators.sort(), [...COMMAND_NAMES].sort());
  for (const name of COMMAND_NAMES) {
    const source = readFileSync(join(REPO_ROOT, 'generators', name, 'index.ts'), 'utf8');
    assert.match(source, new RegExp(`^export default commandGenerator\\('${name}'\\);$`, 'm'));
  }
});

test("interactive app asks through Io.ask (Yeoman's prompts) for every answer no flag gave", async () => {
  const cwd = tempDir('cruddur-entry-');
  const out: string[] = [];
  let asked: AnswerName[] = [];
  const io: Io = {
    cwd,
    env: cleanEnv(),
    out: (line) => out.push(line),
    err: (line) => out.push(line),
    interactive: true,
    ask: async (missing) => {
      asked = missing;
      return { serviceName: 'api', port: '8080' };
    },
  };
  const code = await runApp(
    parseInvocation(['ws', '--skip-install', '--skip-hooks', '--region', 'eu-west-2']),
    io,
  );
  assert.equal(code, 0, out.join('\n'));
  assert.deepEqual(
    asked,
    ANSWER_NAMES.filter((name) => name !== 'region'),
  );
  const stored = JSON.parse(readFileSync(join(cwd, 'ws/.yo-rc.json'), 'utf8')) as Record<
    string,
    Record<string, unknown>
  >;
  assert.deepEqual(
    [stored['generator-cruddur-observability']!.serviceName, stored['generator-cruddur-observability']!.port],
    ['api', 8080],
  );
  assert.ok(existsSync(join(cwd, 'ws/api/package.json')));
  assert.ok(!out.some((line) => line.startsWith('no TTY')));
});
