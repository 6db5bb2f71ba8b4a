// Builds the two published packages from the shared sources in src/ and
// generators/*/index.ts:
//   packages/cruddur-observability: the bin's code (dist/cli.js, run by bin.js) and the library the
//     generators import (dist/index.js), one self-contained bundle with split
//     chunks, plus templates/, README.md and LICENSE copied in;
//   packages/generator-cruddur-observability: generators/<name>/index.js and
//     the Yeoman adapter they share, importing every other src/ module from
//     `cruddur-observability` (one copy).
// Runs from any directory (npm runs `prepack` in the package's own).
import { build } from 'esbuild';
import { cpSync, existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { isBuiltin } from 'node:module';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
process.chdir(ROOT);
const CLI_PKG = 'packages/cruddur-observability';
const GEN_PKG = 'packages/generator-cruddur-observability';
const SRC = join(ROOT, 'src') + sep;

const generators = readdirSync('generators').filter((name) => existsSync(`generators/${name}/index.ts`));

// What builds before the packages wrote beside the sources: a test still
// pointing there must fail, not pass against a stale copy.
rmSync('dist', { recursive: true, force: true });
for (const name of readdirSync('generators')) {
  for (const file of ['index.js', 'index.js.map']) rmSync(`generators/${name}/${file}`, { force: true });
}
for (const out of [`${CLI_PKG}/dist`, `${CLI_PKG}/templates`, `${GEN_PKG}/generators`]) {
  rmSync(out, { recursive: true, force: true });
}

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // For stack traces here (node --enable-source-maps); `files` leaves them out of the tarballs.
  sourcemap: true,
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
};

// The generators: yeoman-generator stays a dependency. The modules that
// import it (the Yeoman adapter, src/yeoman/generator.ts) are the Yeoman
// package's own and are bundled here, once, in a shared chunk; every other
// import that lands in src/ becomes an import of the CLI package's library
// entry, and is recorded so that entry exports exactly what is used.
const usesYeoman = (path) =>
  /^import (?!type\b)[^;]*from 'yeoman-generator'/m.test(readFileSync(path, 'utf8'));
const libModules = new Set();
const fromCliPackage = {
  name: 'src-from-cruddur-observability',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const path = join(args.resolveDir, args.path).replace(/\.js$/, '.ts');
      if (!path.startsWith(SRC) || usesYeoman(path)) return undefined;
      libModules.add(relative(ROOT, path).split(sep).join('/'));
      return { path: 'cruddur-observability', external: true };
    });
  },
};
await build({
  ...common,
  packages: 'external',
  plugins: [fromCliPackage],
  entryPoints: Object.fromEntries(generators.map((name) => [`${name}/index`, `generators/${name}/index.ts`])),
  outdir: `${GEN_PKG}/generators`,
  splitting: true,
  chunkNames: '_shared/[name]-[hash]',
});

// The CLI package: everything bundled (no runtime dependency), split so that
// each command loads only its own chunk (--help and --version load none).
// jsonc-parser is taken from its ESM build: its `main` is UMD, which esbuild
// cannot follow. Bundled CommonJS (ejs) calls require() for Node built-ins.
const REQUIRE_SHIM =
  "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);";
const libEntry = {
  name: 'library-entry',
  setup(b) {
    b.onResolve({ filter: /^library-entry$/ }, () => ({ path: 'index.ts', namespace: 'library-entry' }));
    b.onLoad({ filter: /.*/, namespace: 'library-entry' }, () => ({
      contents: [...libModules]
        .sort()
        .map((m) => `export * from './${m}';`)
        .join('\n'),
      resolveDir: ROOT,
      loader: 'ts',
    }));
  },
};
const cliBuild = await build({
  ...common,
  entryPoints: { cli: 'src/cli/cli.ts', index: 'library-entry' },
  outdir: `${CLI_PKG}/dist`,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  mainFields: ['module', 'main'],
  plugins: [libEntry],
  banner: { js: REQUIRE_SHIM },
  // Left out so that the check below names it, instead of bundling it.
  external: ['yeoman-generator'],
  metafile: true,
});
// The CLI package has no dependencies; Yeoman belongs to the Yeoman package.
for (const [file, output] of Object.entries(cliBuild.metafile.outputs)) {
  const external = output.imports.filter((i) => i.external && !isBuiltin(i.path));
  if (external.length > 0) {
    process.stderr.write(`build: ${file} imports ${external.map((i) => i.path).join(', ')}\n`);
    process.exit(1);
  }
}
// Read at run time from the package root (src/files/templates.ts), so they
// ship beside dist/; README and LICENSE have one home, the repository root.
cpSync('templates', `${CLI_PKG}/templates`, { recursive: true });
for (const pkg of [CLI_PKG, GEN_PKG]) {
  for (const file of ['README.md', 'LICENSE']) cpSync(file, `${pkg}/${file}`);
}

// A generator importing a name the library does not export fails at link
// time; find it here rather than in a user's `yo`.
for (const name of generators) {
  try {
    await import(pathToFileURL(join(ROOT, GEN_PKG, 'generators', name, 'index.js')).href);
  } catch (err) {
    process.stderr.write(`build: ${GEN_PKG}/generators/${name}/index.js does not load: ${err.message}\n`);
    process.exit(1);
  }
}
