// The distribution series of `npm run bench` (issue 19): both packages packed
// and published to the local verdaccio of test/support/registry.ts (the rest
// proxied), then, each run from an empty npm cache of its own and in
// alternating rounds, cold `npx` of create-vite, of our CLI's --help, and of
// the setup command a scaffolded workspace runs, without credentials. Beside
// them the install size and package count of the CLI, of the Yeoman package
// and of yeoman-generator. Nothing here is asserted in tests.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { OWN_PACKAGES, packPackages, startRegistry, type LocalRegistry } from '../test/support/registry.js';
import { median } from './stats.js';

/** The create-vite every run uses: pinned so that rounds and dates compare. */
export const CREATE_VITE = 'create-vite@9.3.0';

/** Every child's limit: a cold npx or install through the proxy. */
const CHILD_TIMEOUT_MS = 180_000;

export interface Install {
  spec: string;
  packages: number;
  bytes: number;
  /** Installed package names (a name twice when npm nested two versions). */
  names: string[];
}

export interface RegistryFigures {
  rounds: number;
  version: string;
  /** Wall times in ms, one per round. */
  createVite: number[];
  help: number[];
  setup: number[];
  /** What npx put in its cache for `cruddur-observability --help`. */
  npxCli: Install;
  cli: Install;
  generator: Install;
  yeomanGenerator: Install;
}

/** Packages in npm's hidden lockfile (written with or without --no-save) and bytes under node_modules. */
async function measureTree(dir: string, spec: string): Promise<Install> {
  const lock = JSON.parse(readFileSync(join(dir, 'node_modules/.package-lock.json'), 'utf8')) as {
    packages: Record<string, unknown>;
  };
  const names = Object.keys(lock.packages)
    .filter((k) => k.startsWith('node_modules/'))
    .map((k) => k.slice(k.lastIndexOf('node_modules/') + 'node_modules/'.length));
  const du = await execa('du', ['-sb', join(dir, 'node_modules')], { timeout: 60_000 });
  return { spec, packages: names.length, bytes: Number(du.stdout.split(/\s/)[0]), names };
}

export async function benchRegistry(opts: { rounds: number; bin: string }): Promise<RegistryFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'cruddur-bench-registry-'));
  let registry: LocalRegistry | undefined;
  let cacheCount = 0;
  const freshCache = () => join(dir, 'caches', String(cacheCount++));
  try {
    const packed = await packPackages(dir);
    const version = packed.find((p) => p.name === 'cruddur-observability')!.version;
    registry = await startRegistry(join(dir, 'registry'), packed);
    const reg = registry;

    // Without credentials: the developer's AWS and Rollbar settings never reach
    // the child (npmEnv starts from nothing but PATH), nor does instance metadata.
    const run = async (argv: string[], cwd: string, cache = freshCache()) => {
      const start = process.hrtime.bigint();
      const r = await execa(argv[0]!, argv.slice(1), {
        cwd,
        env: reg.npmEnv(cache, { AWS_EC2_METADATA_DISABLED: 'true' }),
        extendEnv: false,
        reject: false,
        all: true,
        timeout: CHILD_TIMEOUT_MS,
      });
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (r.exitCode !== 0) {
        throw new Error(`${argv.join(' ')} exited ${r.exitCode ?? r.signal}: ${(r.all ?? '').slice(-2000)}`);
      }
      return { ms, cache };
    };

    const work = join(dir, 'work');
    mkdirSync(work);
    const ws = join(work, 'ws');
    await execa(process.execPath, [opts.bin, ws, '--yes', '--skip-install', '--skip-hooks'], {
      env: { PATH: process.env.PATH ?? '', HOME: dir },
      extendEnv: false,
      timeout: 60_000,
    });

    const range = `cruddur-observability@^${version}`;
    const commands = {
      createVite: ['npx', '--yes', CREATE_VITE, '--help'],
      help: ['npx', '--yes', range, '--help'],
      setup: ['npx', '--yes', range, 'setup'],
    };
    // Once each, not timed: verdaccio fetches create-vite from the uplink on
    // first request; afterwards every command is served from 127.0.0.1.
    await run(commands.createVite, work);
    await run(commands.help, work);

    const times = { createVite: [] as number[], help: [] as number[], setup: [] as number[] };
    let helpCache = '';
    for (let round = 0; round < opts.rounds; round++) {
      times.createVite.push((await run(commands.createVite, work)).ms);
      const help = await run(commands.help, work);
      times.help.push(help.ms);
      helpCache = help.cache;
      times.setup.push((await run(commands.setup, ws)).ms);
    }

    const npxRoot = join(helpCache, '_npx');
    const [hash] = readdirSync(npxRoot);
    const npxCli = await measureTree(join(npxRoot, hash!), `npx ${range}`);

    const install = async (spec: string) => {
      const prefix = join(dir, 'installs', String(cacheCount));
      mkdirSync(prefix, { recursive: true });
      await run(['npm', 'install', '--no-save', '--ignore-scripts', '--prefix', prefix, spec], prefix);
      return measureTree(prefix, spec);
    };
    const generatorPkg = JSON.parse(
      readFileSync(join(opts.bin, '../../generator-cruddur-observability/package.json'), 'utf8'),
    ) as { dependencies: Record<string, string> };
    const cli = await install(`cruddur-observability@${version}`);
    const generator = await install(`generator-cruddur-observability@${version}`);
    const yeomanGenerator = await install(
      `yeoman-generator@${generatorPkg.dependencies['yeoman-generator']}`,
    );

    return { rounds: opts.rounds, version, ...times, npxCli, cli, generator, yeomanGenerator };
  } finally {
    await registry?.close();
    rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
  }
}

const MIB = 2 ** 20;
const mib = (b: number) => `${(b / MIB).toFixed(1)} MiB`;
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');

/** The figures as bench/results.md lines. */
export function registryLines(f: RegistryFigures): string[] {
  const cv = median(f.createVite);
  const rowFor = (name: string, xs: number[]) =>
    `| \`${name}\` | ${median(xs).toFixed(0)} ms | ${(median(xs) / cv).toFixed(2)}× | ${xs.map((x) => x.toFixed(0)).join(', ')} |`;
  const installRow = (i: Install) => `| \`${i.spec}\` | ${i.packages} | ${mib(i.bytes)} |`;
  const setupRatio = median(f.setup) / cv;
  const cliOk = f.npxCli.packages <= 5 && f.npxCli.bytes <= 5e6;
  const addedPackages = f.generator.packages - f.yeomanGenerator.packages;
  const addedBytes = f.generator.bytes - f.yeomanGenerator.bytes;
  // "Adds at most what yeoman-generator brings": beyond yeoman-generator's own
  // tree, only our two packages.
  const theirs = new Set(f.yeomanGenerator.names);
  const extra = [...new Set(f.generator.names.filter((n) => !theirs.has(n)))].sort();
  const yeomanOk = extra.every((n) => (OWN_PACKAGES as readonly string[]).includes(n));
  return [
    `Distribution, cold npx against the local verdaccio (our two packages as packed, the rest proxied; ` +
      `each run with an empty npm cache, ${f.rounds} alternating rounds, no AWS credentials or Rollbar token):`,
    '',
    '| command (empty npm cache) | median | ÷ create-vite | runs |',
    '| --- | ---: | ---: | --- |',
    rowFor(`npx --yes ${CREATE_VITE} --help`, f.createVite),
    rowFor(`npx --yes cruddur-observability@^${f.version} --help`, f.help),
    rowFor(`npx --yes cruddur-observability@^${f.version} setup (scaffolded workspace)`, f.setup),
    '',
    '| installed | packages | size (du -sb) |',
    '| --- | ---: | ---: |',
    installRow(f.npxCli),
    installRow(f.cli),
    installRow(f.yeomanGenerator),
    installRow(f.generator),
    '',
    `Targets: CLI ≤ 5 packages and ≤ 5 MB (npx: ${f.npxCli.packages}, ${(f.npxCli.bytes / 1e6).toFixed(1)} MB): ${verdict(cliOk)}; ` +
      `cold npx setup ≤ 3× create-vite (${setupRatio.toFixed(2)}×): ${verdict(setupRatio <= 3)}; ` +
      `the Yeoman package adds at most what yeoman-generator brings (+${addedPackages} packages, +${mib(addedBytes)} ` +
      `over ${f.yeomanGenerator.packages}, ${mib(f.yeomanGenerator.bytes)}; not in yeoman-generator's tree: ` +
      `${extra.join(', ') || 'none'}): ${verdict(yeomanOk)}.`,
  ];
}
