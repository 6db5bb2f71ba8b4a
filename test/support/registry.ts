// A local npm registry (verdaccio on 127.0.0.1) holding the two packages as
// `npm pack` makes them. They are served only from what was published here;
// every other package is proxied to the registry npm itself uses. Shared by
// test/registry.test.ts and the bench.
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import { runServer } from 'verdaccio';
import { stringify } from 'yaml';
import { REPO_ROOT } from './cli.js';

export const OWN_PACKAGES = ['cruddur-observability', 'generator-cruddur-observability'] as const;

export interface PackedPackage {
  name: string;
  version: string;
  /** Absolute path of the tarball. */
  tarball: string;
  integrity: string;
  files: string[];
  unpackedSize: number;
}

/** `npm pack`s both workspaces into `dest` (already built: scripts skipped). */
export async function packPackages(dest: string): Promise<PackedPackage[]> {
  const workspaces = OWN_PACKAGES.flatMap((name) => ['-w', name]);
  const { stdout } = await execa(
    'npm',
    ['pack', '--json', '--ignore-scripts', '--pack-destination', dest, ...workspaces],
    { cwd: REPO_ROOT, env: { npm_config_loglevel: 'error', npm_config_update_notifier: 'false' } },
  );
  const packed = JSON.parse(stdout) as Array<{
    name: string;
    version: string;
    filename: string;
    integrity: string;
    unpackedSize: number;
    files: Array<{ path: string }>;
  }>;
  return packed.map((p) => ({
    name: p.name,
    version: p.version,
    tarball: join(dest, p.filename),
    integrity: p.integrity,
    files: p.files.map((f) => f.path).sort(),
    unpackedSize: p.unpackedSize,
  }));
}

export interface LocalRegistry {
  url: string;
  /** The npm registry the uplink proxies to (what `npm config get registry` said). */
  upstream: string;
  /**
   * An environment for npm/npx children: this registry, `cache` as the npm
   * cache, nothing from the developer's npm config, no notifier or audit.
   */
  npmEnv(cache: string, extra?: Record<string, string>): Record<string, string>;
  close(): Promise<void>;
}

/** Starts verdaccio on a free port with its storage and config under `dir`, and publishes `packages`. */
export async function startRegistry(dir: string, packages: PackedPackage[]): Promise<LocalRegistry> {
  const upstream = (await execa('npm', ['config', 'get', 'registry'])).stdout.trim();
  const own = Object.fromEntries(
    OWN_PACKAGES.map((name) => [name, { access: '$all', publish: '$authenticated' }]),
  );
  const config = {
    storage: join(dir, 'storage'),
    auth: { htpasswd: { file: join(dir, 'htpasswd'), max_users: 1 } },
    uplinks: { upstream: { url: upstream, timeout: '60s', max_fails: 5 } },
    // Our two names have no `proxy`: the uplink is never asked for them.
    packages: { ...own, '**': { access: '$all', proxy: 'upstream' } },
    web: { enable: false },
    log: { type: 'stdout', format: 'pretty', level: 'error' },
    server: { keepAliveTimeout: 60 },
  };
  mkdirSync(dir, { recursive: true });
  const configPath = join(dir, 'config.yaml');
  writeFileSync(configPath, stringify(config));
  const server = (await runServer(configPath)) as Server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));

  const host = url.replace(/^http:/, '');
  const userconfig = join(dir, 'npmrc');
  writeFileSync(userconfig, '');
  const npmEnv = (cache: string, extra: Record<string, string> = {}) => ({
    PATH: process.env.PATH ?? '',
    HOME: join(dir, 'home'),
    npm_config_registry: url,
    npm_config_cache: cache,
    npm_config_userconfig: userconfig,
    npm_config_update_notifier: 'false',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_loglevel: 'warn',
    ...extra,
  });
  try {
    const response = await fetch(`${url}-/user/org.couchdb.user:publisher`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'publisher', password: `p-${process.pid}-${Date.now()}`, type: 'user' }),
    });
    const { token } = (await response.json()) as { token?: string };
    if (!token) throw new Error(`verdaccio gave no token (HTTP ${response.status})`);
    writeFileSync(userconfig, `${host}:_authToken=${token}\n`);
    for (const p of packages) {
      await execa('npm', ['publish', p.tarball, '--tag', 'latest'], {
        env: npmEnv(join(dir, 'publish-cache')),
        extendEnv: false,
      });
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { url, upstream, npmEnv, close };
}
