// Snapshots of every generated file for the answer matrix, through both
// entry points: the bin and Yeoman (yeoman-test). Both must produce the same
// bytes, and those bytes must match the reviewed files in test/__snapshots__.
// UPDATE_SNAPSHOTS=1 npm run test:unit rewrites them (review the git diff).
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import helpers from 'yeoman-test';
import { ANSWER_SPECS, type AnswerName } from '../src/answers/table.js';
import { cleanEnv, generatorPath, readTree, REPO_ROOT, runBin, tempDir } from './support/cli.js';
import { MATRIX, type MatrixCase } from './support/matrix.js';

const SNAPSHOTS = join(REPO_ROOT, 'test/__snapshots__');
const update = process.env.UPDATE_SNAPSHOTS === '1';

function flagArgs(c: MatrixCase): string[] {
  return Object.entries(c.flags).flatMap(([name, value]) => [
    `--${ANSWER_SPECS[name as AnswerName].flag}`,
    value,
  ]);
}

function viaBin(c: MatrixCase): Map<string, string> {
  const cwd = tempDir();
  const r = runBin([c.dir, '--yes', '--skip-install', '--skip-hooks', ...flagArgs(c)], {
    cwd,
    env: cleanEnv(c.env),
  });
  assert.equal(r.status, 0, r.stderr);
  return readTree(join(cwd, c.dir));
}

async function viaYeoman(c: MatrixCase): Promise<Map<string, string>> {
  const saved = { ...process.env };
  for (const key of [
    'GITPOD_WORKSPACE_ID',
    'GITPOD_WORKSPACE_CLUSTER_HOST',
    'CODESPACES',
    'CODESPACE_NAME',
    'GITHUB_CODESPACES_PORT_FORWARDING_DOMAIN',
    'REMOTE_CONTAINERS',
    'REMOTE_CONTAINERS_IPC',
    'DEVCONTAINER',
    'AWS_REGION',
    'AWS_DEFAULT_REGION',
  ]) {
    delete process.env[key];
  }
  Object.assign(process.env, c.env);
  try {
    const options: Record<string, unknown> = { yes: true, skipInstall: true, 'skip-hooks': true };
    for (const [name, value] of Object.entries(c.flags))
      options[ANSWER_SPECS[name as AnswerName].flag] = value;
    const result = await helpers.run(generatorPath('app')).withArguments([c.dir]).withOptions(options);
    return readTree(join(result.cwd, c.dir));
  } finally {
    process.env = saved;
  }
}

function compareWithSnapshot(c: MatrixCase, tree: Map<string, string>): void {
  const dir = join(SNAPSHOTS, c.name);
  if (update) {
    rmSync(dir, { recursive: true, force: true });
    for (const [path, text] of tree) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return;
  }
  const expected = readTree(dir);
  assert.deepEqual([...tree.keys()], [...expected.keys()], 'the same files');
  for (const [path, text] of tree)
    assert.equal(text, expected.get(path), `${c.name}/${path} matches its snapshot`);
}

for (const c of MATRIX) {
  describe(`snapshot ${c.name}`, () => {
    let binTree: Map<string, string>;
    test('the bin output matches the reviewed snapshot', () => {
      binTree = viaBin(c);
      compareWithSnapshot(c, binTree);
    });
    test('yo cruddur-observability (yeoman-test) writes byte-identical files', async () => {
      const yoTree = await viaYeoman(c);
      assert.deepEqual([...yoTree.keys()], [...binTree.keys()]);
      for (const [path, text] of yoTree) assert.equal(text, binTree.get(path), `${path} identical`);
    });
    test('a second bin run gives the same bytes (stable: no dates, ids or paths)', () => {
      assert.deepEqual(viaBin(c), binTree);
      for (const [path, text] of binTree) {
        assert.doesNotMatch(
          text,
          /\/tmp\/|cruddur-test-|\d{4}-\d{2}-\d{2}T/,
          `${path} has no absolute path or date`,
        );
      }
    });
  });
}
