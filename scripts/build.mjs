// Builds the two entry points users run: the bin (dist/cli.js) and the Yeoman
// generators (generators/<name>/index.js beside their sources, where yo looks).
import { build } from 'esbuild';
import { chmodSync, readdirSync, existsSync } from 'node:fs';

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

// Small pure-JS packages on the hot path are bundled (one file to load
// instead of dozens); heavy ones stay external and load lazily. jsonc-parser
// is taken from its ESM build: its `main` is UMD, which esbuild cannot follow.
const bundleSmallPackages = {
  packages: undefined,
  mainFields: ['module', 'main'],
  external: ['yeoman-environment', 'yeoman-generator', '@aws-sdk/*', '@smithy/*', 'execa', 'rollbar'],
};
// Bundled CommonJS (ejs) calls require() for Node built-ins.
const REQUIRE_SHIM =
  "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);";

await Promise.all([
  // Split so that each command's dependencies load only when it runs:
  // --help and --version import no package at all.
  build({
    ...common,
    entryPoints: { cli: 'src/cli/cli.ts' },
    outdir: 'dist',
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    ...bundleSmallPackages,
    banner: { js: `#!/usr/bin/env node\n${REQUIRE_SHIM}` },
  }),
  ...generators.map((name) =>
    build({
      ...common,
      ...bundleSmallPackages,
      entryPoints: [`generators/${name}/index.ts`],
      outfile: `generators/${name}/index.js`,
      banner: { js: REQUIRE_SHIM },
    }),
  ),
]);

// npx runs the bin as a file (`#!/usr/bin/env node`), so it must be executable;
// esbuild writes it 0644.
chmodSync('dist/cli.js', 0o755);
