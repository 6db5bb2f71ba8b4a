// The published shape, proven through a real registry: both packages as
// `npm pack` makes them, published to a local verdaccio (test/support/
// registry.ts), then used as a user would from an empty npm cache: the
// command the generated .gitpod.yml runs, `npx cruddur-observability --help`,
// and `yo cruddur-observability` from the Yeoman package installed beside yo.
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { execa } from 'execa';
import { parse as parseYaml } from 'yaml';
import { REPO_ROOT, tempDir } from './support/cli.js';
import { packPackages, startRegistry, type LocalRegistry, type PackedPackage } from './support/registry.js';

let dir: string;
let packed: PackedPackage[];
let registry: LocalRegistry;
const cli = () => packed.find((p) => p.name === 'cruddur-observability')!;

before(async () => {
  dir = tempDir('cruddur-registry-');
  chmodSync(dir, 0o755);
  packed = await packPackages(dir);
  registry = await startRegistry(join(dir, 'registry'), packed);
});
after(() => registry?.close());

/** Runs `command` through a shell in `cwd` against the registry, with an empty npm cache of its own. */
async function coldly(command: string, cwd: string, cache: string) {
  return execa('sh', ['-c', command], {
    cwd,
    env: registry.npmEnv(join(dir, cache), { AWS_EC2_METADATA_DISABLED: 'true' }),
    extendEnv: false,
    reject: false,
    all: true,
    timeout: 120_000,
  });
}

/** The packages npx installed for a run with this cache. */
function npxInstalled(cache: string): string[] {
  const npx = join(dir, cache, '_npx');
  return readdirSync(npx).flatMap((hash) =>
    readdirSync(join(npx, hash, 'node_modules')).filter((name) => !name.startsWith('.')),
  );
}

test('the CLI tarball: the bundle, templates and LICENSE; no source maps, no dependencies', () => {
  const files = cli().files;
  for (const f of ['bin.js', 'dist/cli.js', 'dist/index.js', 'LICENSE', 'README.md', 'package.json']) {
    assert.ok(files.includes(f), f);
  }
  assert.ok(files.some((f) => f.startsWith('templates/app/')));
  assert.deepEqual(
    files.filter((f) => f.endsWith('.map')),
    [],
  );
  const generator = packed.find((p) => p.name === 'generator-cruddur-observability')!;
  assert.ok(generator.files.includes('generators/app/index.js'));
  assert.deepEqual(
    generator.files.filter((f) => f.startsWith('templates/') || f.endsWith('.map')),
    [],
  );
});

test('the registry serves our two packages only as published here', async () => {
  for (const p of packed) {
    const doc = (await (await fetch(registry.url + p.name)).json()) as {
      versions: Record<string, { dist: { integrity: string } }>;
    };
    assert.deepEqual(Object.keys(doc.versions), [p.version]);
    assert.equal(doc.versions[p.version]!.dist.integrity, p.integrity);
  }
});

test('from an empty cache: scaffold, then the exact setup command .gitpod.yml runs, then --help', async () => {
  const work = join(dir, 'work');
  mkdirSync(work);
  const made = await coldly(
    `npx --yes cruddur-observability@${cli().version} ws --yes --skip-install`,
    work,
    'c1',
  );
  assert.equal(made.exitCode, 0, made.all);
  assert.deepEqual(npxInstalled('c1'), ['cruddur-observability'], 'one package, nothing else');

  const gitpod = parseYaml(readFileSync(join(work, 'ws/.gitpod.yml'), 'utf8')) as {
    tasks: Array<{ command?: string }>;
  };
  const setup = gitpod.tasks
    .flatMap((t) => (t.command ?? '').split('\n'))
    .find((line) => line.startsWith('npx '));
  assert.ok(setup, 'a task runs npx');
  const r = await coldly(setup, join(work, 'ws'), 'c2');
  assert.equal(r.exitCode, 0, r.all);
  assert.match(r.all!, /^x-ray group \S+: skipped: no AWS credentials/m);
  assert.match(r.all!, /^rollbar token: skipped/m);

  const help = await coldly('npx cruddur-observability --help', work, 'c3');
  assert.equal(help.exitCode, 0, help.all);
  assert.match(help.stdout, new RegExp(`^cruddur-observability ${cli().version}\\n`));
});

test('yo cruddur-observability from the Yeoman package installed beside yo, as a user who is not root', async () => {
  const prefix = join(dir, 'yo');
  const yoRange = (
    JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    }
  ).devDependencies.yo!;
  // The developer's npm cache: yo's own dependencies are not what is tested.
  const userCache = (await execa('npm', ['config', 'get', 'cache'])).stdout.trim();
  const install = await execa(
    'npm',
    ['install', '--prefix', prefix, `yo@${yoRange}`, `generator-cruddur-observability@${cli().version}`],
    { env: registry.npmEnv(userCache), extendEnv: false, reject: false, all: true, timeout: 300_000 },
  );
  assert.equal(install.exitCode, 0, install.all);
  // One copy of the commands: the generator uses the CLI package's.
  assert.deepEqual(
    readdirSync(join(prefix, 'node_modules/generator-cruddur-observability')).filter(
      (n) => n === 'node_modules',
    ),
    [],
  );

  const work = join(prefix, 'work');
  const home = join(dir, 'yo-home');
  mkdirSync(work);
  mkdirSync(home);
  // yo refuses root; CI runs as root here, so the run is as `nobody`.
  const asRoot = process.getuid?.() === 0;
  const nobody = asRoot ? Number((await execa('id', ['-u', 'nobody'])).stdout) : undefined;
  if (nobody !== undefined) {
    for (const d of [work, home]) chownSync(d, nobody, nobody);
  }
  const r = await execa(
    join(prefix, 'node_modules/.bin/yo'),
    ['cruddur-observability', 'ws', '--yes', '--skip-install'],
    {
      cwd: work,
      env: {
        ...registry.npmEnv(join(home, 'npm-cache')),
        HOME: home,
        NO_UPDATE_NOTIFIER: '1',
        AWS_EC2_METADATA_DISABLED: 'true',
      },
      extendEnv: false,
      reject: false,
      all: true,
      timeout: 120_000,
      ...(nobody !== undefined ? { uid: nobody, gid: nobody } : {}),
    },
  );
  assert.equal(r.exitCode, 0, r.all);
  const gitpod = readFileSync(join(work, 'ws/.gitpod.yml'), 'utf8');
  assert.ok(gitpod.includes(`npx --yes cruddur-observability@^${cli().version} setup`));
});
