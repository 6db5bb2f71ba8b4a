// The guard that keeps bin and generator tests off a stale build
// (test/support/build.ts), on a tree of its own with chosen times.
import assert from 'node:assert/strict';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { staleBuild } from './support/build.js';
import { tempDir } from './support/cli.js';

function tree(times: Record<string, number>): string {
  const root = tempDir('cruddur-build-');
  for (const [path, seconds] of Object.entries(times)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), '');
    utimesSync(join(root, path), seconds, seconds);
  }
  return root;
}

const CLI = 'packages/cruddur-observability/dist/cli.js';
const GENERATORS = 'packages/generator-cruddur-observability/generators';
const BUILT = { [CLI]: 2000, [`${GENERATORS}/app/index.js`]: 2000, 'generators/app/index.ts': 1000 };

test('a build newer than every source is fresh', () => {
  assert.equal(staleBuild(tree({ ...BUILT, 'src/cli/cli.ts': 1000, 'scripts/build.mjs': 1000 })), undefined);
});

test('a source changed after the build makes it stale, named', () => {
  const why = staleBuild(tree({ ...BUILT, 'src/cli/cli.ts': 1000, 'src/render/compose.ts': 3000 }));
  assert.equal(why, 'src/render/compose.ts changed after the last build');
});

test('a generator source or the build script changed after the build makes it stale', () => {
  assert.match(
    staleBuild(tree({ ...BUILT, 'generators/app/index.ts': 3000 }))!,
    /^generators\/app\/index\.ts /,
  );
  assert.match(staleBuild(tree({ ...BUILT, 'scripts/build.mjs': 3000 }))!, /^scripts\/build\.mjs /);
});

test('the oldest output counts: one generator built before a change is stale', () => {
  const why = staleBuild(
    tree({
      ...BUILT,
      'generators/app/index.ts': 400,
      [`${GENERATORS}/config/index.js`]: 500,
      'src/a.ts': 1000,
    }),
  );
  assert.equal(why, 'src/a.ts changed after the last build');
});

test('no build at all', () => {
  assert.equal(staleBuild(tree({ 'src/a.ts': 1000 })), `no build (${CLI})`);
});

test('a template changed after the build makes it stale: the CLI package carries a copy', () => {
  assert.equal(
    staleBuild(tree({ ...BUILT, 'templates/app/README.md.ejs': 3000 })),
    'templates/app/README.md.ejs changed after the last build',
  );
});
