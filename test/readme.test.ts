// The README's option tables are generated from the tables in src/; this
// fails when someone changes a flag and forgets `npm run readme`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { format, resolveConfig } from 'prettier';
import { withOptions } from '../scripts/readme-options.js';
import { REPO_ROOT } from './support/cli.js';

test('README option tables are up to date (npm run readme)', async () => {
  const path = join(REPO_ROOT, 'README.md');
  const readme = readFileSync(path, 'utf8');
  const config = (await resolveConfig(path)) ?? {};
  const regenerated = await format(withOptions(readme), { ...config, filepath: path });
  assert.equal(readme, regenerated);
});

test('README gives the two set-up commands and the test command', () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  assert.match(readme, /^npm install\b/m);
  assert.match(readme, /^npx cruddur-observability my-workspace --yes/m);
  assert.match(readme, /`npm test`/);
});
