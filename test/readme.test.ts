// The README against what the code does: its option tables are generated
// from the tables in src/ (this fails when someone changes a flag and forgets
// `npm run readme`), its set-up command makes the tree it shows, and its
// command list is the command table's.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { format, resolveConfig } from 'prettier';
import { withOptions } from '../scripts/readme-options.js';
import { COMMAND_NAMES } from '../src/cli/commands.js';
import { REPO_ROOT, runBin, tempDir } from './support/cli.js';

test('README option tables are up to date (npm run readme)', async () => {
  const path = join(REPO_ROOT, 'README.md');
  const readme = readFileSync(path, 'utf8');
  const config = (await resolveConfig(path)) ?? {};
  const regenerated = await format(withOptions(readme), { ...config, filepath: path });
  assert.equal(readme, regenerated);
});

/** The fenced block that follows `heading`. */
function blockAfter(readme: string, heading: string): string[] {
  const from = readme.indexOf(`\n${heading}\n`);
  assert.ok(from >= 0, `README has ${heading}`);
  const open = readme.indexOf('```', from);
  const body = readme.slice(readme.indexOf('\n', open) + 1, readme.indexOf('\n```', open));
  return body.split('\n');
}

test('README\'s set-up command scaffolds what "What it makes" shows', () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const setUp = blockAfter(
    readme,
    'From a clone of this repository (it builds both packages through `prepare`):',
  ).map((line) => line.replace(/\s+#.*$/, ''));
  assert.ok(setUp.includes('npm install'), 'npm install');
  const scaffold = setUp.find((line) => line.startsWith('npx cruddur-observability '));
  assert.ok(scaffold, 'the npx command');
  const args = scaffold.split(/\s+/).slice(2);
  // In a clone: the target may be beside it (../).
  const clone = join(tempDir(), 'clone');
  mkdirSync(clone);
  // As written, without the install and setup that need the network.
  const r = runBin([...args, '--skip-install', '--skip-hooks'], { cwd: clone });
  assert.equal(r.status, 0, r.stderr);
  const made = join(clone, args[0]!);

  // The tree: two spaces a level; a name is a word without spaces, a description has them.
  const [root, ...lines] = blockAfter(readme, '## What it makes');
  assert.equal(root, `${basename(made)}/`);
  const dirs: string[] = [];
  const shown: string[] = [];
  for (const line of lines) {
    const level = (/^ */.exec(line)![0].length - 2) / 2;
    const names = line
      .trim()
      .split(/\s{2,}/)
      .filter((chunk) => !/\s/.test(chunk) && !chunk.startsWith('`'));
    if (names.length === 0) continue;
    dirs.length = level;
    for (const name of names) shown.push([...dirs, name].join(''));
    if (names.length === 1 && names[0]!.endsWith('/')) dirs.push(names[0]!);
  }
  assert.ok(shown.length >= 15, `the tree was read: ${shown.join(', ')}`);
  for (const path of shown) assert.ok(existsSync(join(made, path)), `${path} is made`);
});

test("README's command list names every command, as --help does", () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const listed = blockAfter(readme, '## Commands')
    .map((line) => /^npx cruddur-observability (\[?app\]?|\w+)/.exec(line)?.[1])
    .filter((name) => name !== undefined)
    .map((name) => name.replace(/[[\]]/g, ''));
  assert.deepEqual(listed, COMMAND_NAMES);
});

// Scaffolded inside the clone, a workspace is linted and format-checked by
// the clone's own `npm test`, which then fails on files that are not ours.
test("the README's scaffold commands in a clone write outside it", () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const fromClone = readme.slice(readme.indexOf('From a clone'), readme.indexOf('## Packages'));
  const targets = [...fromClone.matchAll(/^npx cruddur-observability (\S+)/gm)].map((m) => m[1]!);
  assert.ok(targets.length > 0, 'no scaffold command after "From a clone"');
  for (const target of targets) assert.match(target, /^(\.\.\/|\/)/, `${target} is inside the clone`);
});
