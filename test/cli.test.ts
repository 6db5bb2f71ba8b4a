// The bin as a user meets it: help, version, bad input, refusals, reruns,
// dry runs and secrets. Every case runs the built bin (packages/cruddur-observability) with no TTY.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ANSWER_NAMES, ANSWER_SPECS } from '../src/answers/table.js';
import { COMMAND_NAMES, COMMANDS } from '../src/cli/commands.js';
import {
  BIN,
  CLI_PACKAGE,
  cleanEnv,
  generatorPath,
  readTree,
  REPO_ROOT,
  runBin,
  tempDir,
} from './support/cli.js';

const QUIET = ['--yes', '--skip-install', '--skip-hooks'];

describe('--help and --version', () => {
  test('--help lists every answer flag with its default and every behaviour flag', () => {
    const r = runBin(['--help'], { cwd: tempDir() });
    assert.equal(r.status, 0);
    for (const name of ANSWER_NAMES) {
      const a = ANSWER_SPECS[name];
      assert.ok(r.stdout.includes(`--${a.flag} <value>`), `--${a.flag} listed`);
      assert.ok(r.stdout.includes(`(default: ${a.defaultText})`), `default of --${a.flag} listed`);
    }
    for (const f of COMMANDS.app.flags) assert.ok(r.stdout.includes(`--${f.flag}`), `--${f.flag} listed`);
    for (const c of COMMAND_NAMES) assert.ok(r.stdout.includes(`  ${c} `), `command ${c} listed`);
  });
  test('each sub-command has its own help', () => {
    for (const c of ['config', 'setup'] as const) {
      const r = runBin([c, '--help'], { cwd: tempDir() });
      assert.equal(r.status, 0);
      assert.ok(r.stdout.includes(COMMANDS[c].usage));
      for (const f of COMMANDS[c].flags) assert.ok(r.stdout.includes(`--${f.flag}`));
    }
  });
  test('the bin is an executable file, as npx runs it (shebang, mode)', () => {
    const r = spawnSync(BIN, ['--version'], { encoding: 'utf8', env: cleanEnv() });
    assert.equal(r.error, undefined, String(r.error));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^\d+\.\d+\.\d+\n$/);
  });
  test('--version prints the package version', () => {
    const pkg = JSON.parse(readFileSync(join(CLI_PACKAGE, 'package.json'), 'utf8')) as { version: string };
    const r = runBin(['--version'], { cwd: tempDir() });
    assert.equal(r.status, 0);
    assert.equal(r.stdout.trim(), pkg.version);
  });
});

// [args, text the one-line message must contain]
const BAD_INPUT: Array<[string[], string]> = [
  [['--port', '0'], '--port "0" must be a whole number from 1 to 65535'],
  [['--port', '65536'], '--port "65536" must be a whole number from 1 to 65535'],
  [['--port', '80a'], '--port "80a" must be a whole number'],
  [['--sampling-rate', '1.5'], '--sampling-rate "1.5" must be a number from 0 to 1'],
  [['--sampling-rate=-0.1'], '--sampling-rate "-0.1" must be a number from 0 to 1'],
  [['--sampling-rate', '-0.1'], '--sampling-rate needs a value (write --sampling-rate=VALUE'],
  [['--sampling-rate', 'NaN'], '--sampling-rate "NaN" must be a number from 0 to 1'],
  [['--reservoir-size=-1'], '--reservoir-size "-1" must be a whole number from 0 up'],
  [['--reservoir-size', '2.5'], '--reservoir-size "2.5" must be a whole number from 0 up'],
  [['--region', 'mars-north-1'], '--region "mars-north-1" must be an AWS region'],
  [['--region', 'US-EAST-1'], '--region "US-EAST-1" must be an AWS region'],
  [['--group-name', 'Default'], '--group-name "Default" "Default" is reserved by X-Ray'],
  [['--rule-name', 'Default'], '--rule-name "Default" "Default" is reserved by X-Ray'],
  [['--rule-name', 'default'], '--rule-name "default" "default" is reserved by X-Ray'],
  [['--service-name', 'aws'], '--service-name "aws" collides with aws/json/x-ray.json'],
  [['--service-name', 'xray-daemon'], '--service-name "xray-daemon" collides with the xray-daemon service'],
  [['--service-name', 'workspace'], '--service-name "workspace" collides with the workspace service'],
  [['--group-name', 'x'.repeat(33)], 'must be 1-32 characters'],
  [['--group-name', 'has space'], '--group-name "has space" must be 1-32 characters'],
  [['--rule-name', 'a"b'], '--rule-name "a\\"b" must be 1-32 characters'],
  [['--rule-name', ''], '--rule-name "" must be 1-32 characters'],
  [['--service-name', '../escape'], '--service-name "../escape" must be 1-63 characters: lowercase'],
  [['--service-name', 'a/b'], '--service-name "a/b" must be 1-63 characters'],
  [['--service-name', 'Backend'], '--service-name "Backend" must be 1-63 characters: lowercase'],
  [['--service-name', 'x'.repeat(64)], 'must be 1-63 characters'],
  [['--service-name', 'backend_ts'], '--service-name "backend_ts" must be 1-63 characters'],
  [['--service-name', 'backend-'], 'starting and ending with a letter or digit'],
  [['--service-name', 'a: b\n- c'], 'must be 1-63 characters'],
  [['--rollbar-environment', 'prod env'], '--rollbar-environment "prod env" must be 1-64 characters'],
  [['--project-name=-rf'], '--project-name "-rf" must be 1-64 characters'],
  [['--project-name', '${HOME}'], '--project-name "${HOME}" must be 1-64 characters'],
  [['--tracing', 'zipkin'], '--tracing "zipkin" must be xray or otel'],
  [['--tracing', 'OTEL'], '--tracing "OTEL" must be xray or otel'],
  [['--port'], '--port needs a value'],
  [['--no-such-flag'], "Unknown option '--no-such-flag'"],
  [['one', 'two'], 'unexpected argument "two"'],
];

describe('bad input: one line naming the flag and the rule, exit 2, nothing written', () => {
  for (const [args, message] of BAD_INPUT) {
    test(args.join(' ') || '(empty)', () => {
      const cwd = tempDir();
      const hasDir = args[0] === 'one';
      const r = runBin(hasDir ? [...args, ...QUIET] : ['ws', ...args, ...QUIET], { cwd });
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stdout, '');
      const lines = r.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, `one line, got: ${r.stderr}`);
      assert.ok(lines[0]!.startsWith('cruddur-observability: '), lines[0]);
      assert.ok(lines[0]!.includes(message), `${lines[0]} should contain ${message}`);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
      assert.deepEqual(readdirSync(cwd), [], 'nothing written');
    });
  }
});

describe('the target directory', () => {
  test('a non-empty directory not made by the generator is refused, untouched', () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, 'ws'));
    writeFileSync(join(cwd, 'ws', 'notes.txt'), 'mine\n');
    const r = runBin(['ws', ...QUIET], { cwd });
    assert.equal(r.status, 2);
    assert.match(
      r.stderr,
      /^cruddur-observability: target ws is not empty and was not made by this generator; .*--force\n$/,
    );
    assert.deepEqual(readdirSync(join(cwd, 'ws')), ['notes.txt']);
  });
  test('--force scaffolds into it and keeps unrelated files', () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, 'ws'));
    writeFileSync(join(cwd, 'ws', 'notes.txt'), 'mine\n');
    const r = runBin(['ws', ...QUIET, '--force'], { cwd });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(join(cwd, 'ws', 'notes.txt'), 'utf8'), 'mine\n');
    assert.ok(existsSync(join(cwd, 'ws', 'docker-compose.yml')));
  });
  test('the sub-command is found after answer flags: `--region eu-west-1 config` runs config', () => {
    const cwd = tempDir();
    const r = runBin(['--region', 'eu-west-1', 'config', '--yes'], { cwd });
    assert.equal(r.status, 2);
    assert.match(
      r.stderr,
      /^cruddur-observability: no \.yo-rc\.json with generator-cruddur-observability answers/,
    );
    assert.deepEqual(readdirSync(cwd), [], 'no workspace scaffolded into ./config');
  });
  test('a file as target is refused', () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'ws'), 'x');
    const r = runBin(['ws', ...QUIET], { cwd });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /target ws is a file, not a directory/);
  });
  test('rerunning with the stored answers changes nothing and needs no flags', () => {
    const cwd = tempDir();
    assert.equal(runBin(['ws', ...QUIET, '--port', '8080', '--service-name', 'api'], { cwd }).status, 0);
    const before = readTree(join(cwd, 'ws'));
    const r = runBin(['ws', ...QUIET], { cwd });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(readTree(join(cwd, 'ws')), before);
    assert.match(r.stdout, /identical docker-compose\.yml/);
    assert.doesNotMatch(r.stdout, /^\s*(create|force) /m);
  });
  test('a file the user changed is not overwritten silently: a diff and a refusal, or --force', () => {
    const cwd = tempDir();
    assert.equal(runBin(['ws', ...QUIET], { cwd }).status, 0);
    const compose = join(cwd, 'ws', 'docker-compose.yml');
    writeFileSync(compose, readFileSync(compose, 'utf8') + '# my note\n');
    const refused = runBin(['ws', ...QUIET], { cwd });
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /^-# my note$/m, 'shows the diff');
    assert.match(refused.stderr, /1 file\(s\) in ws differ .*docker-compose\.yml.*config.*--force/);
    assert.match(readFileSync(compose, 'utf8'), /# my note/);
    const forced = runBin(['ws', ...QUIET, '--force'], { cwd });
    assert.equal(forced.status, 0);
    assert.doesNotMatch(readFileSync(compose, 'utf8'), /# my note/);
  });
  test('--dry-run prints the files as a diff and writes nothing', () => {
    const cwd = tempDir();
    const r = runBin(['ws', ...QUIET, '--dry-run'], { cwd });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^\+\+\+ b\/docker-compose\.yml/m);
    assert.match(r.stdout, /nothing was written/);
    assert.deepEqual(readdirSync(cwd), []);
  });
  test('without a TTY and without --yes it does not hang: defaults, with a notice', () => {
    const cwd = tempDir();
    const r = runBin(['ws', '--skip-install', '--skip-hooks'], { cwd });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /no TTY: using flags, stored answers and defaults/);
    const yoRc = JSON.parse(readFileSync(join(cwd, 'ws', '.yo-rc.json'), 'utf8')) as Record<
      string,
      Record<string, unknown>
    >;
    assert.equal(yoRc['generator-cruddur-observability']!.projectName, 'ws');
    assert.equal(yoRc['generator-cruddur-observability']!.groupName, 'Ws');
  });
});

test('no secret from the environment is written to any file or printed', () => {
  const canaries = {
    AWS_ACCESS_KEY_ID: 'AKIACANARY1234567890',
    AWS_SECRET_ACCESS_KEY: 'canary-secret-key-0xDEADBEEF',
    AWS_SESSION_TOKEN: 'canary-session-token-cafe',
    ROLLBAR_ACCESS_TOKEN: 'canaryrollbartoken0123456789abcd',
  };
  const cwd = tempDir();
  const r = runBin(['ws', ...QUIET], {
    cwd,
    env: cleanEnv({
      ...canaries,
      GITPOD_WORKSPACE_ID: 'ws-1',
      GITPOD_WORKSPACE_CLUSTER_HOST: 'gitpod.example',
    }),
  });
  assert.equal(r.status, 0, r.stderr);
  const tree = readTree(join(cwd, 'ws'));
  assert.ok(tree.size > 10);
  for (const [name, value] of Object.entries(canaries)) {
    for (const [path, text] of tree) assert.ok(!text.includes(value), `${name} leaked into ${path}`);
    assert.ok(!r.stdout.includes(value) && !r.stderr.includes(value), `${name} printed`);
  }
});

test('the real `yo` runs the generator (dropping root as yo does) and writes what the bin writes', () => {
  const yo = join(REPO_ROOT, 'node_modules/.bin/yo');
  const home = tempDir('cruddur-yo-home-');
  const viaYo = tempDir('cruddur-yo-');
  const viaBin = tempDir();
  // yo drops root to an unprivileged user, which must be able to write here.
  for (const dir of [home, viaYo]) chmodSync(dir, 0o777);
  const r = spawnSync(yo, [generatorPath('app'), 'ws', '--yes', '--skip-install', '--skip-hooks'], {
    cwd: viaYo,
    env: cleanEnv({ HOME: home }),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
  });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  assert.equal(runBin(['ws', ...QUIET], { cwd: viaBin }).status, 0);
  assert.deepEqual(readTree(join(viaYo, 'ws')), readTree(join(viaBin, 'ws')));
});

test('a broken .yo-rc.json is named with line and column, and nothing is written', () => {
  const cwd = tempDir();
  mkdirSync(join(cwd, 'ws'));
  writeFileSync(
    join(cwd, 'ws', '.yo-rc.json'),
    '{\n  "generator-cruddur-observability": {\n    "port": 4567,\n  }\n}\n',
  );
  const r = runBin(['ws', ...QUIET], { cwd });
  assert.equal(r.status, 2);
  assert.match(
    r.stderr,
    /^cruddur-observability: \.yo-rc\.json:4:3: not valid JSON: .*; fix or remove it\n$/,
  );
  assert.deepEqual(readdirSync(join(cwd, 'ws')), ['.yo-rc.json']);
});
