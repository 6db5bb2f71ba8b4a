// Builds the two entry points users run: the bin (dist/cli.js) and the Yeoman
// generators (generators/<name>/index.js beside their sources, where yo looks).
import { build } from 'esbuild';
import { readdirSync, existsSync } from 'node:fs';

const generators = readdirSync('generators').filter((name) => existsSync(`generators/${name}/index.ts`));

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
  // Packages stay in node_modules: the bin loads heavy ones lazily.
  packages: 'external',
};

await Promise.all([
  build({
    ...common,
    entryPoints: ['src/cli.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
  }),
  ...generators.map((name) =>
    build({
      ...common,
      entryPoints: [`generators/${name}/index.ts`],
      outfile: `generators/${name}/index.js`,
    }),
  ),
]);
