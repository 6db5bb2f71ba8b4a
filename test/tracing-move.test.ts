// `config --tracing otel` and back on a workspace the user has worked in: a
// route of their own (mounted in the generated app.ts), a compose service and
// environment entries, an edited file only the X-Ray variant has. After each
// move the backend really installs, builds, passes its own tests, and the
// user's route is traced by the variant now in place.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { startOtlpCollectorFake } from './fakes/otlp-collector.js';
import { startXrayDaemonFake } from './fakes/xray-daemon.js';
import { cleanEnv, runBin, tempDir } from './support/cli.js';
import { httpGet, killAllBackends, npm, startBackend } from './support/backend.js';

const GITPOD = {
  GITPOD_WORKSPACE_ID: 'andrewb-cruddur-abc123',
  GITPOD_WORKSPACE_CLUSTER_HOST: 'ws-us99.gitpod.io',
};
const SERVICE = 'backend-express';

const read = (dir: string, path: string) => readFileSync(join(dir, path), 'utf8');
function write(dir: string, path: string, text: string): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), text);
}
const edit = (dir: string, path: string, change: (text: string) => string) =>
  write(dir, path, change(read(dir, path)));

interface Compose {
  services: Record<string, { environment?: Record<string, string>; image?: string; depends_on?: string[] }>;
}
const compose = (dir: string) => parseYaml(read(dir, 'docker-compose.yml')) as Compose;
const dependencies = (dir: string) =>
  Object.keys((JSON.parse(read(dir, `${SERVICE}/package.json`)) as { dependencies: object }).dependencies);

// The user's route, written only against observability/index.ts's exports.
const USER_ROUTE = `import type { IRouter } from 'express';
import { withSubsegment } from '../observability/index.js';

export function ordersRoutes(router: IRouter): void {
  router.get('/api/orders', async (req, res) => {
    const orders = await withSubsegment(req, 'load-orders', async (span) => {
      span.annotate('orders_count', 2);
      span.metadata('filter', { status: 'open' }, 'shop');
      return [{ id: 1 }, { id: 2 }];
    });
    res.json(orders);
  });
}
`;

function userEdits(dir: string): void {
  write(dir, `${SERVICE}/src/routes/orders.ts`, USER_ROUTE);
  edit(dir, `${SERVICE}/src/app.ts`, (s) =>
    s
      .replace(
        "import { rollbarRoutes } from './routes/rollbar.js';",
        "import { rollbarRoutes } from './routes/rollbar.js';\nimport { ordersRoutes } from './routes/orders.js';",
      )
      .replace('  activitiesRoutes(app);', '  activitiesRoutes(app);\n  ordersRoutes(app);'),
  );
  edit(dir, 'docker-compose.yml', (s) =>
    s
      .replace('      PORT: "4567"\n', '      PORT: "4567"\n      DATABASE_URL: postgres://db/dev\n')
      .concat('  db:\n    image: postgres:16\n'),
  );
  edit(dir, '.env.example', (s) => s + '# the database\nDATABASE_URL=postgres://localhost/dev\n');
  // An edit to a file only the X-Ray variant has (one that imports nothing of the SDK): it survives the move.
  edit(dir, `${SERVICE}/src/observability/xray-preload.ts`, (s) => `// reviewed by the team\n${s}`);
}

function config(dir: string, args: string[]): string {
  const r = runBin(['config', ...args], { cwd: dir, env: cleanEnv(GITPOD) });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  return r.stdout;
}

after(() => killAllBackends());

/** npm install (pruning the other variant's packages), build, and the backend's own tests. */
async function buildAndTest(backendDir: string): Promise<void> {
  await npm(['install', '--no-audit', '--no-fund', '--prefer-offline'], backendDir, 300_000);
  await npm(['test'], backendDir, 180_000);
}

/** The user's route, traced by the OpenTelemetry backend: a SERVER span and its load-orders child. */
async function userRouteTracedWithOtel(backendDir: string): Promise<void> {
  const collector = await startOtlpCollectorFake();
  try {
    const backend = await startBackend(backendDir, {
      PORT: '0',
      HOST: '127.0.0.1',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: collector.url,
      OTEL_TRACES_SAMPLER: 'always_on',
    });
    const res = await httpGet(backend.port, '/api/orders');
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body), [{ id: 1 }, { id: 2 }]);
    const child = await collector.waitFor((s) => s.name === 'load-orders');
    const parent = collector.spans.find((s) => s.spanId === child.parentSpanId);
    assert.equal(parent?.kind, 2, 'a child of the SERVER request span');
    assert.equal(parent?.attributes['url.path'], '/api/orders');
    assert.deepEqual(child.attributes['aws.xray.annotations'], ['orders_count']);
    assert.equal(child.attributes.orders_count, 2);
    assert.equal(await backend.stop('SIGTERM'), 0);
  } finally {
    await collector.close();
  }
}

/** The user's route, traced by the X-Ray SDK backend: a segment with the load-orders subsegment. */
async function userRouteTracedWithXray(backendDir: string): Promise<void> {
  const daemon = await startXrayDaemonFake();
  try {
    const backend = await startBackend(backendDir, {
      PORT: '0',
      HOST: '127.0.0.1',
      AWS_XRAY_DAEMON_ADDRESS: daemon.address,
    });
    const time = Math.floor(Date.now() / 1000).toString(16);
    const traceId = `1-${time}-${'0'.repeat(20)}abcd`;
    const res = await httpGet(backend.port, '/api/orders', {
      'x-amzn-trace-id': `Root=${traceId};Sampled=1`,
    });
    assert.equal(res.status, 200);
    const segment = await daemon.waitFor((d) => d.trace_id === traceId);
    const [sub] = segment.subsegments as Array<{ name: string; annotations: Record<string, unknown> }>;
    assert.equal(sub?.name, 'load-orders');
    assert.deepEqual(sub?.annotations, { orders_count: 2 });
    assert.equal(await backend.stop('SIGTERM'), 0);
  } finally {
    await daemon.close();
  }
}

test(
  'config --tracing otel, then --tracing xray: edits kept, the backend builds and traces the user route each time',
  { timeout: 900_000 },
  async () => {
    const cwd = tempDir();
    const scaffold = runBin(['ws', '--yes', '--skip-install', '--skip-hooks'], {
      cwd,
      env: cleanEnv(GITPOD),
    });
    assert.equal(scaffold.status, 0, scaffold.stderr);
    const dir = join(cwd, 'ws');
    const backendDir = join(dir, SERVICE);
    userEdits(dir);

    // xray -> otel
    const toOtel = config(dir, ['--tracing', 'otel']);
    assert.match(toOtel, /^ {3}remove backend-express\/src\/observability\/segment-name\.ts /m);
    assert.match(toOtel, /^ {3}remove backend-express\/test\/segment-name\.test\.ts /m);
    assert.match(
      toOtel,
      /^ {5}kept backend-express\/src\/observability\/xray-preload\.ts \(.*you changed it/m,
    );
    assert.match(toOtel, /^ {3}create backend-express\/test\/tracing\.test\.ts$/m);
    assert.match(toOtel, /tracing xray -> otel: next,\n {2}npm --prefix backend-express install/);
    assert.match(toOtel, /docker compose up --build --remove-orphans/);
    assert.ok(
      !existsSync(join(backendDir, 'src/observability/segment-name.ts')),
      'untouched X-Ray file removed',
    );
    assert.match(read(dir, `${SERVICE}/src/observability/xray-preload.ts`), /^\/\/ reviewed by the team/);
    assert.ok(!dependencies(dir).includes('aws-xray-sdk-core'));
    assert.ok(dependencies(dir).includes('@opentelemetry/sampler-aws-xray'));
    let c = compose(dir);
    assert.deepEqual(Object.keys(c.services).sort(), ['backend-express', 'cloudwatch-agent', 'db']);
    const env = c.services[SERVICE]!.environment!;
    assert.equal(env.DATABASE_URL, 'postgres://db/dev', "the user's env entry kept");
    assert.equal(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, 'http://cloudwatch-agent:4318/v1/traces');
    assert.equal(env.AWS_XRAY_DAEMON_ADDRESS, undefined);
    assert.deepEqual(c.services[SERVICE]!.depends_on, ['cloudwatch-agent']);
    assert.match(read(dir, '.env.example'), /^DATABASE_URL=postgres:\/\/localhost\/dev$/m);
    assert.match(read(dir, '.env.example'), /^OTEL_TRACES_SAMPLER=xray$/m);
    assert.match(read(dir, `${SERVICE}/src/app.ts`), /ordersRoutes\(app\);/);
    assert.match(config(dir, ['--check']), /up to date/);
    await buildAndTest(backendDir);
    await userRouteTracedWithOtel(backendDir);

    // otel -> xray
    const toXray = config(dir, ['--tracing', 'xray']);
    assert.match(toXray, /^ {3}remove backend-express\/test\/tracing\.test\.ts /m);
    assert.match(toXray, /^ {3}create backend-express\/src\/observability\/segment-name\.ts$/m);
    assert.match(toXray, /tracing otel -> xray: next,/);
    assert.ok(!dependencies(dir).some((d) => d.startsWith('@opentelemetry/')));
    assert.ok(dependencies(dir).includes('aws-xray-sdk-core'));
    c = compose(dir);
    assert.deepEqual(Object.keys(c.services).sort(), ['backend-express', 'db', 'xray-daemon']);
    assert.equal(c.services[SERVICE]!.environment!.DATABASE_URL, 'postgres://db/dev');
    assert.equal(c.services[SERVICE]!.environment!.AWS_XRAY_DAEMON_ADDRESS, 'xray-daemon:2000');
    assert.equal(c.services[SERVICE]!.environment!.OTEL_TRACES_SAMPLER, undefined);
    assert.match(read(dir, `${SERVICE}/src/observability/xray-preload.ts`), /^\/\/ reviewed by the team/);
    assert.match(config(dir, ['--check']), /up to date/);
    await buildAndTest(backendDir);
    assert.ok(
      !existsSync(join(backendDir, 'node_modules/@opentelemetry/sdk-trace')),
      'npm install pruned OpenTelemetry',
    );
    await userRouteTracedWithXray(backendDir);
  },
);

test('a kept file that imports a dependency the move dropped is named with what to do', () => {
  const cwd = tempDir();
  assert.equal(
    runBin(['ws', '--yes', '--skip-install', '--skip-hooks'], { cwd, env: cleanEnv(GITPOD) }).status,
    0,
  );
  const dir = join(cwd, 'ws');
  edit(dir, `${SERVICE}/src/observability/segment-name.ts`, (s) => `// ours now\n${s}`);
  const out = config(dir, ['--tracing', 'otel']);
  assert.match(out, /^ {5}kept backend-express\/src\/observability\/segment-name\.ts /m);
  assert.match(out, /it imports aws-xray-sdk-core, which backend-express\/package\.json no longer lists/);
  assert.match(out, /check what of yours still uses backend-express\/src\/observability\/segment-name\.ts/);
  assert.match(read(dir, `${SERVICE}/src/observability/segment-name.ts`), /^\/\/ ours now/);
  // Settled: a second run changes nothing and still names nothing as removed.
  const again = config(dir, []);
  assert.match(again, /config: 0 file\(s\) written$/m);
  assert.doesNotMatch(again, /remove|kept/);
});
