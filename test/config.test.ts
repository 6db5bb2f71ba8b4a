// `cruddur-observability config` as a user meets it: the built bin, no TTY,
// each case in a fresh copy of a freshly scaffolded workspace.
//
// Golden results: after a change of answers or host in an untouched
// workspace, every file must be byte-identical to what `app` writes for the
// new answers in the new host (those bytes are themselves pinned by
// test/__snapshots__). Where the user edited files, the expected text is
// written out here in full, so "kept byte for byte" is checked literally.
// Every result is re-validated against ../shared/specs.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { parse as parseJsonc } from 'jsonc-parser';
import { parse as parseYaml } from 'yaml';
import { cleanEnv, readTree, runBin, tempDir, type RunResult } from './support/cli.js';
import { validateCompose, validateDevcontainer, validateGitpod, xrayModel } from './support/schemas.js';
import { checkShape } from './support/smithy.js';
import { SPECS_DIR, specsAvailable } from './support/specs.js';
import { ANSWER_NAMES, ANSWER_SPECS, type AnswerName } from '../src/answers/table.js';

const QUIET = ['--yes', '--skip-install', '--skip-hooks'];
const GITPOD = {
  GITPOD_WORKSPACE_ID: 'andrewb-cruddur-abc123',
  GITPOD_WORKSPACE_CLUSTER_HOST: 'ws-us99.gitpod.io',
};
const CODESPACES = {
  CODESPACES: 'true',
  CODESPACE_NAME: 'fuzzy-space-guide-x7',
  GITHUB_CODESPACES_PORT_FORWARDING_DOMAIN: 'app.github.dev',
};
const DEVCONTAINER = { REMOTE_CONTAINERS: 'true' };
const NO_HOST = {};
const GITPOD_URL = '*4567-${GITPOD_WORKSPACE_ID}.${GITPOD_WORKSPACE_CLUSTER_HOST}*';

type Env = Record<string, string>;

// One scaffold per (host, flags), copied for each case.
const scaffolds = new Map<string, string>();
function scaffold(env: Env, flags: string[]): string {
  const key = JSON.stringify([env, flags]);
  let dir = scaffolds.get(key);
  if (!dir) {
    const cwd = tempDir('cruddur-config-tpl-');
    const r = runBin(['ws', ...QUIET, ...flags], { cwd, env: cleanEnv(env) });
    assert.equal(r.status, 0, r.stderr);
    dir = join(cwd, 'ws');
    scaffolds.set(key, dir);
  }
  return dir;
}

/** A fresh workspace as `app` makes it in `env` with `flags`. */
function workspace(env: Env = GITPOD, flags: string[] = []): string {
  const dir = join(tempDir('cruddur-config-'), 'ws');
  cpSync(scaffold(env, flags), dir, { recursive: true });
  return dir;
}

/** What `app` writes for these answers in this host: the golden result. */
function golden(env: Env, flags: string[]): Map<string, string> {
  return readTree(scaffold(env, flags));
}

function config(dir: string, args: string[] = [], env: Env = GITPOD): RunResult {
  return runBin(['config', ...args], { cwd: dir, env: cleanEnv(env) });
}

const read = (dir: string, path: string) => readFileSync(join(dir, path), 'utf8');
const write = (dir: string, path: string, text: string) => writeFileSync(join(dir, path), text);

function edit(dir: string, path: string, change: (text: string) => string): string {
  const before = read(dir, path);
  const after = change(before);
  assert.notEqual(after, before, `the edit of ${path} applies`);
  write(dir, path, after);
  return after;
}

type Service = {
  build?: string;
  ports?: string[];
  environment?: Record<string, string>;
  [k: string]: unknown;
};
type Compose = { services: Record<string, Service> };
type Gitpod = {
  tasks: Array<{ name: string; init?: string; command?: string }>;
  ports: Array<{ name: string; port: number }>;
};
type Devcontainer = {
  runServices: string[];
  forwardPorts: string[];
  portsAttributes: Record<string, { label: string }>;
  postCreateCommand: string;
  [k: string]: unknown;
};
type Rule = { SamplingRule: Record<string, unknown> };

const compose = (dir: string) => parseYaml(read(dir, 'docker-compose.yml')) as Compose;
const gitpod = (dir: string) => parseYaml(read(dir, '.gitpod.yml')) as Gitpod;
const devcontainer = (dir: string) =>
  parseJsonc(read(dir, '.devcontainer/devcontainer.json')) as Devcontainer;
const rule = (dir: string) => JSON.parse(read(dir, 'aws/json/x-ray.json')) as Rule;
const stored = (dir: string) =>
  (JSON.parse(read(dir, '.yo-rc.json')) as Record<string, Record<string, unknown>>)[
    'generator-cruddur-observability'
  ]!;
/** Changes this generator's entry in .yo-rc.json, as a user editing the file would. */
function editStored(dir: string, change: (mine: Record<string, unknown>) => void): void {
  const yoRc = JSON.parse(read(dir, '.yo-rc.json')) as Record<string, Record<string, unknown>>;
  change(yoRc['generator-cruddur-observability']!);
  write(dir, '.yo-rc.json', JSON.stringify(yoRc, null, 2) + '\n');
}
function envExample(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of read(dir, '.env.example').matchAll(/^([A-Z_]+)=(.*)$/gm)) out[m[1]!] = m[2]!;
  return out;
}

/** Every configuration file still valid against the upstream specs. */
function revalidate(t: TestContext, dir: string): void {
  if (!specsAvailable) {
    t.diagnostic(`schema re-validation skipped: no upstream specs at ${SPECS_DIR} (set SPECS_DIR)`);
    return;
  }
  const has = (p: string) => existsSync(join(dir, p));
  for (const p of ['docker-compose.yml', 'docker-compose.traces.yml', '.devcontainer/docker-compose.yml']) {
    if (has(p)) assert.deepEqual(validateCompose(read(dir, p)), [], `${p} valid against the Compose spec`);
  }
  if (has('.gitpod.yml')) assert.deepEqual(validateGitpod(read(dir, '.gitpod.yml')), [], '.gitpod.yml valid');
  if (has('.devcontainer/devcontainer.json')) {
    const errors = validateDevcontainer(read(dir, '.devcontainer/devcontainer.json'));
    assert.deepEqual(errors, [], 'devcontainer.json valid');
  }
  if (has('aws/json/x-ray.json')) {
    const errors = checkShape(xrayModel(), 'com.amazonaws.xray#SamplingRule', rule(dir).SamplingRule);
    assert.deepEqual(errors, [], 'x-ray.json valid against the Smithy model');
  }
}

/** The result equals what `app` writes for the new answers, file for file. */
function assertGolden(dir: string, env: Env, flags: string[]): void {
  const expected = golden(env, flags);
  const actual = readTree(dir);
  assert.deepEqual([...actual.keys()].sort(), [...expected.keys()].sort(), 'the same files');
  for (const [path, text] of expected) assert.equal(actual.get(path), text, `${path} as app writes it`);
}

/** A second run right after changes nothing, and --check agrees. */
function assertSettled(dir: string, env: Env = GITPOD): void {
  const before = readTree(dir);
  const again = config(dir, [], env);
  assert.equal(again.status, 0, again.stdout + again.stderr);
  assert.match(again.stdout, /config: 0 file\(s\) written/);
  assert.doesNotMatch(again.stdout, /^\s+(update|create|restore|rename|conflict) /m);
  assert.deepEqual(readTree(dir), before, 'second run changed nothing');
  const check = config(dir, ['--check'], env);
  assert.equal(check.status, 0, check.stdout);
  assert.match(check.stdout, /config --check: up to date/);
}

describe('answers and host changes in an untouched workspace', () => {
  test('region change: every region reference follows; the result is what app writes', (t) => {
    const dir = workspace();
    const r = config(dir, ['--region', 'eu-west-2']);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const c = compose(dir);
    assert.equal(c.services['backend-express']!.environment!.AWS_REGION, '${AWS_REGION:-eu-west-2}');
    assert.equal(c.services['xray-daemon']!.environment!.AWS_REGION, '${AWS_REGION:-eu-west-2}');
    assert.deepEqual(c.services['xray-daemon']!.command, ['-o', '-n', '${AWS_REGION:-eu-west-2}']);
    const dc = parseYaml(read(dir, '.devcontainer/docker-compose.yml')) as Compose;
    assert.equal(dc.services.workspace!.environment!.AWS_REGION, '${AWS_REGION:-eu-west-2}');
    assert.equal(envExample(dir).AWS_REGION, 'eu-west-2');
    assert.equal(stored(dir).region, 'eu-west-2', 'the changed answer is stored');
    assert.match(r.stdout, /^ {3}update docker-compose\.yml$/m);
    assert.match(r.stdout, /^identical aws\/json\/x-ray\.json$/m);
    assert.match(
      r.stdout,
      /next: run `npx --yes cruddur-observability@\^\d+\.\d+\.\d+ setup`.*\n {2}region us-east-1 -> eu-west-2/,
    );
    assertGolden(dir, GITPOD, ['--region', 'eu-west-2']);
    revalidate(t, dir);
    assertSettled(dir);
  });

  test('port change: compose, Gitpod, Dev Container, .env.example and AWS_XRAY_URL follow', (t) => {
    const dir = workspace();
    const r = config(dir, ['--port', '8080']);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const api = compose(dir).services['backend-express']!;
    assert.deepEqual(api.ports, ['8080:8080']);
    assert.equal(api.environment!.PORT, '8080');
    assert.equal(
      api.environment!.AWS_XRAY_URL,
      '*8080-${GITPOD_WORKSPACE_ID}.${GITPOD_WORKSPACE_CLUSTER_HOST}*',
    );
    assert.deepEqual(
      gitpod(dir).ports.map((p) => [p.name, p.port]),
      [
        ['backend-express', 8080],
        ['xray-daemon', 2000],
      ],
    );
    const d = devcontainer(dir);
    assert.deepEqual(d.forwardPorts, ['backend-express:8080']);
    assert.deepEqual(Object.keys(d.portsAttributes), ['backend-express:8080']);
    assert.equal(envExample(dir).PORT, '8080');
    assert.equal(stored(dir).port, 8080);
    assert.doesNotMatch(r.stdout, /next: run/, 'a port change needs no setup');
    assertGolden(dir, GITPOD, ['--port', '8080']);
    revalidate(t, dir);
    assertSettled(dir);
  });

  test('sampling rate change: only the rule changes, and setup is suggested', (t) => {
    const dir = workspace();
    const r = config(dir, ['--sampling-rate', '0.5', '--reservoir-size', '2']);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(rule(dir).SamplingRule.FixedRate, 0.5);
    assert.equal(rule(dir).SamplingRule.ReservoirSize, 2);
    assert.match(r.stdout, /sampling-rate 0\.1 -> 0\.5/);
    assertGolden(dir, GITPOD, ['--sampling-rate', '0.5', '--reservoir-size', '2']);
    revalidate(t, dir);
    assertSettled(dir);
  });

  test('Gitpod -> Codespaces: AWS_XRAY_URL matches the Codespaces host name; the host is stored', (t) => {
    const dir = workspace(GITPOD);
    assert.equal(stored(dir).host, 'gitpod');
    assert.equal(compose(dir).services['backend-express']!.environment!.AWS_XRAY_URL, GITPOD_URL);
    const r = config(dir, [], CODESPACES);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^workspace host: codespaces \(detected, was gitpod\)$/m);
    const url = '*${CODESPACE_NAME}-4567.${GITHUB_CODESPACES_PORT_FORWARDING_DOMAIN}*';
    assert.equal(compose(dir).services['backend-express']!.environment!.AWS_XRAY_URL, url);
    assert.equal(envExample(dir).AWS_XRAY_URL, url);
    assert.equal(stored(dir).host, 'codespaces');
    assertGolden(dir, CODESPACES, []);
    revalidate(t, dir);
    assertSettled(dir, CODESPACES);
    // CI or a laptop detects no workspace host: the files stay as they are.
    const ci = config(dir, ['--check'], NO_HOST);
    assert.equal(ci.status, 0, ci.stdout);
    assert.match(ci.stdout, /^workspace host: codespaces \(as stored; none detected here\)$/m);
  });

  test('Codespaces -> another Dev Container host: no public host name, so AWS_XRAY_URL is empty', (t) => {
    const dir = workspace(CODESPACES);
    const r = config(dir, [], DEVCONTAINER);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(compose(dir).services['backend-express']!.environment!.AWS_XRAY_URL, '');
    assert.equal(envExample(dir).AWS_XRAY_URL, '');
    assertGolden(dir, DEVCONTAINER, []);
    revalidate(t, dir);
    assertSettled(dir, DEVCONTAINER);
  });
});

describe('rename of the service or the group', () => {
  test('every reference follows, the directory moves, setup is suggested', (t) => {
    const dir = workspace();
    write(dir, 'backend-express/src/mine.ts', 'export const mine = 1;\n');
    const r = config(dir, ['--service-name', 'api']);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^ {3}rename backend-express\/ -> api\/$/m);
    const c = compose(dir);
    assert.deepEqual(Object.keys(c.services), ['api', 'xray-daemon'], 'renamed in place');
    assert.equal(c.services.api!.build, './api');
    assert.equal(c.services.api!.environment!.AWS_XRAY_DAEMON_ADDRESS, 'xray-daemon:2000');
    assert.equal(rule(dir).SamplingRule.ServiceName, 'api');
    assert.deepEqual(
      gitpod(dir).tasks.map((x) => x.name),
      ['aws-cli', 'api'],
    );
    assert.equal(gitpod(dir).tasks[1]!.init, 'npm --prefix api install\n');
    assert.deepEqual(
      gitpod(dir).ports.map((x) => x.name),
      ['api', 'xray-daemon'],
    );
    const d = devcontainer(dir);
    assert.deepEqual(d.runServices, ['workspace', 'api', 'xray-daemon']);
    assert.deepEqual(d.forwardPorts, ['api:4567']);
    assert.match(d.postCreateCommand, /^npm --prefix api install /);
    assert.ok(!existsSync(join(dir, 'backend-express')), 'the old directory is gone');
    assert.equal(read(dir, 'api/src/mine.ts'), 'export const mine = 1;\n', "the user's file moved along");
    assert.equal((JSON.parse(read(dir, 'api/package.json')) as { name: string }).name, 'api');
    assert.match(
      r.stdout,
      /next: run `npx --yes cruddur-observability@\^\d+\.\d+\.\d+ setup`.*\n {2}service-name backend-express -> api/,
    );
    rmSync(join(dir, 'api/src/mine.ts'));
    assertGolden(dir, GITPOD, ['--service-name', 'api']);
    revalidate(t, dir);
    assertSettled(dir);
  });

  test("a rename keeps the user's keys in the service and renames depends_on references", (t) => {
    const dir = workspace();
    edit(dir, 'docker-compose.yml', (s) =>
      s
        .replace(
          '      ROLLBAR_ENVIRONMENT: development\n',
          '      ROLLBAR_ENVIRONMENT: development\n      LOG_LEVEL: debug\n',
        )
        .replace('    depends_on:\n', '    restart: unless-stopped\n    depends_on:\n')
        .concat('  worker:\n    image: busybox\n    depends_on: [backend-express]\n'),
    );
    const r = config(dir, ['--service-name', 'api']);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const c = compose(dir);
    assert.deepEqual(Object.keys(c.services), ['api', 'xray-daemon', 'worker']);
    assert.equal(c.services.api!.environment!.LOG_LEVEL, 'debug');
    assert.equal(c.services.api!.restart, 'unless-stopped');
    assert.deepEqual(c.services.worker!.depends_on, ['api']);
    assert.match(r.stdout, /services\.worker\.depends_on: backend-express -> api/);
    revalidate(t, dir);
    assertSettled(dir);
  });

  test("a rename renames every reference in the user's own entries it recognises, and names the rest by file:line", (t) => {
    const dir = workspace();
    edit(dir, 'docker-compose.yml', (s) =>
      s
        .replace(
          '    depends_on:\n      - xray-daemon\n',
          '    depends_on:\n      - xray-daemon\n    volumes:\n      - ./backend-express/src:/app/src\n',
        )
        .concat(
          [
            '  # a proxy in front of backend-express',
            '  web:',
            '    build:',
            '      context: ./backend-express/web',
            '    links:',
            '      - backend-express:api-host',
            '    environment:',
            '      - API_URL=http://backend-express:4567/api',
            '      - API_HOST=backend-express',
            '    env_file: backend-express/.env',
            '    depends_on:',
            '      backend-express:',
            '        condition: service_started',
            '    healthcheck:',
            '      test: ["CMD", "curl", "-f", "http://backend-express:4567/api/health"]',
            '  tools:',
            '    build: ./backend-express',
            '    network_mode: service:backend-express',
            '    volumes_from:',
            '      - backend-express:ro',
            '    environment:',
            '      UPSTREAM: backend-express:4567',
            '      NOTE: ask backend-express.example.com',
            '',
          ].join('\n'),
        ),
    );
    edit(dir, '.gitpod.yml', (s) =>
      s.replace('tasks:\n', 'tasks:\n  - name: dev\n    command: cd backend-express && npm run dev\n'),
    );
    edit(dir, '.devcontainer/devcontainer.json', (s) =>
      s.replace(
        '  "shutdownAction": "stopCompose",\n',
        '  "shutdownAction": "stopCompose",\n  "postAttachCommand": "npm --prefix backend-express run dev",\n',
      ),
    );
    edit(dir, '.env.example', (s) => s + 'API_URL=http://backend-express:4567\n');

    const r = config(dir, ['--service-name', 'api']);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const c = compose(dir);
    assert.deepEqual(c.services.api!.volumes, ['./api/src:/app/src']);
    const web = c.services.web!;
    assert.deepEqual(web.build, { context: './api/web' });
    assert.deepEqual(web.links, ['api:api-host']);
    assert.deepEqual(web.environment, ['API_URL=http://api:4567/api', 'API_HOST=api']);
    assert.equal(web.env_file, 'api/.env');
    assert.deepEqual(web.depends_on, { api: { condition: 'service_started' } });
    assert.deepEqual((web.healthcheck as { test: string[] }).test.at(-1), 'http://api:4567/api/health');
    const tools = c.services.tools!;
    assert.equal(tools.build, './api');
    assert.equal(tools.network_mode, 'service:api');
    assert.deepEqual(tools.volumes_from, ['api:ro']);
    assert.equal(tools.environment!.UPSTREAM, 'api:4567');
    assert.equal(tools.environment!.NOTE, 'ask backend-express.example.com', 'not recognisably the service');
    assert.equal(gitpod(dir).tasks[0]!.command, 'cd api && npm run dev');
    assert.equal(devcontainer(dir).postAttachCommand, 'npm --prefix api run dev');
    assert.equal(envExample(dir).API_URL, 'http://api:4567');
    assert.match(r.stdout, /services\.web\.links: backend-express:api-host -> api:api-host/);
    // What it cannot classify is named with its file and line, and nothing else is.
    const composeLines = read(dir, 'docker-compose.yml').split('\n');
    const leftovers = [...r.stdout.matchAll(/^ +(\S+):(\d+): "backend-express" left as it is/gm)].map(
      (m) => `${m[1]}:${m[2]}`,
    );
    const expected = ['# a proxy in front of backend-express', 'NOTE: ask backend-express.example.com'].map(
      (text) => `docker-compose.yml:${composeLines.findIndex((l) => l.includes(text)) + 1}`,
    );
    assert.deepEqual(leftovers, expected, r.stdout);
    revalidate(t, dir);
    assertSettled(dir);
  });

  test('a rename onto an existing directory is refused, nothing written', () => {
    const dir = workspace();
    write(dir, 'notes', '');
    cpSync(join(dir, 'backend-express'), join(dir, 'api'), { recursive: true });
    const before = readTree(dir);
    const r = config(dir, ['--service-name', 'api']);
    assert.equal(r.status, 2);
    assert.match(
      r.stderr,
      /^cruddur-observability: cannot rename the backend directory backend-express\/ to api\/: api\/ already exists; .*nothing was written\)\n$/,
    );
    assert.deepEqual(readTree(dir), before);
    assert.equal(stored(dir).serviceName, 'backend-express');
  });

  test('group rename: README follows, setup is suggested with the clean-up of the old group', (t) => {
    const dir = workspace();
    const r = config(dir, ['--group-name', 'Traces']);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(read(dir, 'README.md'), /X-Ray group `Traces`/);
    assert.match(r.stdout, /group-name Ws -> Traces/);
    assert.match(r.stdout, /aws xray delete-group --group-name Ws/);
    assertGolden(dir, GITPOD, ['--group-name', 'Traces']);
    revalidate(t, dir);
    assertSettled(dir);
  });
});

// The user's edits, applied to a fresh Gitpod workspace.
function userEdits(dir: string): void {
  edit(dir, 'docker-compose.yml', (s) =>
    s
      .replace(
        'services:\n  backend-express:\n',
        'services:\n  # The API. X-Ray and Rollbar settings are kept up to date by `config`.\n  backend-express:\n',
      )
      .replace('      - "4567:4567"\n', '      - "4567:4567"\n      - "9229:9229"   # node --inspect\n')
      .replace(
        '      ROLLBAR_ENVIRONMENT: development\n',
        '      ROLLBAR_ENVIRONMENT: development\n      FEATURE_FLAGS: "beta,dark-mode"   # mine\n',
      )
      .replace(
        '      - xray-daemon\n  xray-daemon:\n',
        '      - xray-daemon\n      - db\n  db:\n    image:   postgres:16     # pinned\n' +
          '    ports: [ "5432:5432" ]\n    environment: { POSTGRES_PASSWORD: example }\n\n  xray-daemon:\n',
      ),
  );
  edit(dir, '.gitpod.yml', (s) =>
    s
      .replace('ports:\n', '  # docs preview\n  - name: docs\n    command: npx serve docs\nports:\n')
      .replace(
        '    - ms-azuretools.vscode-docker\n',
        '    - ms-azuretools.vscode-docker\n    - esbenp.prettier-vscode # mine\n',
      ),
  );
  edit(dir, '.devcontainer/devcontainer.json', (s) =>
    s
      .replace(
        '  "service": "workspace",\n',
        '  "service": "workspace",\n  // run as the image user\n  "remoteUser": "node",\n',
      )
      .replace('    "backend-express:4567"\n', '    "backend-express:4567",\n    "db:5432"\n'),
  );
  edit(
    dir,
    '.env.example',
    (s) =>
      s.replace('# backend port\n', '# my own\nDATABASE_URL=postgres://localhost/dev\n\n# backend port\n') +
      '# trailing note of mine\n',
  );
}

const EDITED_COMPOSE_AFTER = `# Generated by generator-cruddur-observability. \`npx cruddur-observability config\` keeps the
# generated parts up to date; your own entries, services and comments are kept.

services:
  # The API. X-Ray and Rollbar settings are kept up to date by \`config\`.
  backend-express:
    build: ./backend-express
    ports:
      - "8080:8080"
      - "9229:9229"   # node --inspect
    environment:
      PORT: "8080"
      AWS_XRAY_URL: "*8080-\${GITPOD_WORKSPACE_ID}.\${GITPOD_WORKSPACE_CLUSTER_HOST}*"
      AWS_XRAY_DAEMON_ADDRESS: xray-daemon:2000
      AWS_REGION: \${AWS_REGION:-eu-west-2}
      ROLLBAR_ACCESS_TOKEN: \${ROLLBAR_ACCESS_TOKEN}
      ROLLBAR_ENVIRONMENT: development
      FEATURE_FLAGS: "beta,dark-mode"   # mine
      ROLLBAR_ENDPOINT: \${ROLLBAR_ENDPOINT:-}
    depends_on:
      - xray-daemon
      - db
  db:
    image:   postgres:16     # pinned
    ports: [ "5432:5432" ]
    environment: { POSTGRES_PASSWORD: example }

  xray-daemon:
    image: amazon/aws-xray-daemon:3.3.14
    environment:
      AWS_REGION: \${AWS_REGION:-eu-west-2}
      AWS_ACCESS_KEY_ID: \${AWS_ACCESS_KEY_ID}
      AWS_SECRET_ACCESS_KEY: \${AWS_SECRET_ACCESS_KEY}
      AWS_SESSION_TOKEN: \${AWS_SESSION_TOKEN:-}
    command:
      - -o
      - -n
      - \${AWS_REGION:-eu-west-2}
    ports:
      - "2000:2000/udp"
`;

describe("the user's edits survive", () => {
  test('an added compose service, env entry, port and comments; Gitpod task; devcontainer key; .env lines', (t) => {
    const dir = workspace();
    userEdits(dir);
    const r = config(dir, ['--port', '8080', '--region', 'eu-west-2']);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(
      read(dir, 'docker-compose.yml'),
      EDITED_COMPOSE_AFTER,
      'compose: owned values updated, the rest byte for byte',
    );

    const gp = read(dir, '.gitpod.yml');
    assert.ok(
      gp.includes('  # docs preview\n  - name: docs\n    command: npx serve docs\nports:\n'),
      'task and comment kept',
    );
    assert.ok(gp.includes('    - esbenp.prettier-vscode # mine\n'));
    assert.deepEqual(
      gitpod(dir).tasks.map((x) => x.name),
      ['aws-cli', 'backend-express', 'docs'],
    );
    assert.equal(gitpod(dir).ports[0]!.port, 8080);

    const dcText = read(dir, '.devcontainer/devcontainer.json');
    assert.ok(
      dcText.includes('  "service": "workspace",\n  // run as the image user\n  "remoteUser": "node",\n'),
    );
    assert.ok(dcText.includes('  "forwardPorts": [\n    "backend-express:8080",\n    "db:5432"\n  ],\n'));
    assert.equal(devcontainer(dir).remoteUser, 'node');
    assert.deepEqual(Object.keys(devcontainer(dir).portsAttributes), ['backend-express:8080']);

    const env = read(dir, '.env.example');
    assert.ok(env.includes('# my own\nDATABASE_URL=postgres://localhost/dev\n\n# backend port\nPORT=8080\n'));
    assert.ok(env.endsWith('AWS_ENDPOINT_URL_XRAY=\n# trailing note of mine\n'));
    assert.equal(envExample(dir).AWS_REGION, 'eu-west-2');
    revalidate(t, dir);
    assertSettled(dir);
  });

  test('an owned value the user changed (and the generator did not) is kept', (t) => {
    const dir = workspace();
    edit(dir, 'docker-compose.yml', (s) =>
      s
        .replace('ROLLBAR_ENVIRONMENT: development', 'ROLLBAR_ENVIRONMENT: staging')
        .replace('amazon/aws-xray-daemon:3.3.14', 'amazon/aws-xray-daemon:3.3.15'),
    );
    edit(dir, 'aws/json/x-ray.json', (s) => s.replace('"URLPath": "*"', '"URLPath": "/api/*"'));
    const r = config(dir, ['--port', '8080']);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.doesNotMatch(r.stdout, /conflict/);
    const c = compose(dir);
    assert.equal(c.services['backend-express']!.environment!.ROLLBAR_ENVIRONMENT, 'staging');
    assert.equal(c.services['xray-daemon']!.image, 'amazon/aws-xray-daemon:3.3.15');
    assert.deepEqual(c.services['backend-express']!.ports, ['8080:8080'], 'and the port followed');
    assert.equal(rule(dir).SamplingRule.URLPath, '/api/*');
    revalidate(t, dir);
    assertSettled(dir);
  });

  test('an owned value the user deleted stays deleted', (t) => {
    const dir = workspace();
    edit(dir, 'docker-compose.yml', (s) => s.replace('      ROLLBAR_ENVIRONMENT: development\n', ''));
    const r = config(dir, ['--region', 'eu-west-2']);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const env = compose(dir).services['backend-express']!.environment!;
    assert.ok(!('ROLLBAR_ENVIRONMENT' in env));
    assert.equal(env.AWS_REGION, '${AWS_REGION:-eu-west-2}');
    revalidate(t, dir);
    assertSettled(dir);
  });
});

describe('conflicts: changed by the user and by the generator', () => {
  test('reported with both values, left as the user had it, exit 1; the rest is updated', (t) => {
    const dir = workspace();
    edit(dir, 'docker-compose.yml', (s) =>
      s.replace(
        '      AWS_REGION: ${AWS_REGION:-us-east-1}\n      ROLLBAR',
        '      AWS_REGION: ${AWS_REGION:-ap-south-1}\n      ROLLBAR',
      ),
    );
    const r = config(dir, ['--region', 'eu-west-2']);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^ conflict docker-compose\.yml \(other values updated\)$/m);
    assert.ok(
      r.stdout.includes(
        '          services.backend-express.environment.AWS_REGION: yours "${AWS_REGION:-ap-south-1}" / generator "${AWS_REGION:-eu-west-2}"\n',
      ),
      r.stdout,
    );
    assert.match(r.stdout, /1 conflict\(s\): .*yours are kept.*config --force/);
    const c = compose(dir);
    assert.equal(c.services['backend-express']!.environment!.AWS_REGION, '${AWS_REGION:-ap-south-1}', 'kept');
    assert.equal(c.services['xray-daemon']!.environment!.AWS_REGION, '${AWS_REGION:-eu-west-2}', 'updated');
    assert.equal(envExample(dir).AWS_REGION, 'eu-west-2');
    assert.equal(stored(dir).region, 'eu-west-2', 'the answer is stored');
    assert.deepEqual(stored(dir).mergeBase, { region: 'us-east-1' }, 'and the base of the open conflict');
    revalidate(t, dir);

    // Not forgotten: the next run reports it again and writes nothing; --check fails.
    const before = readTree(dir);
    const again = config(dir);
    assert.equal(again.status, 1);
    assert.match(again.stdout, /AWS_REGION: yours "\$\{AWS_REGION:-ap-south-1\}"/);
    assert.match(again.stdout, /config: 0 file\(s\) written/);
    assert.deepEqual(readTree(dir), before);
    assert.equal(config(dir, ['--check']).status, 1);

    // --force takes the generator's value and closes the conflict.
    const forced = config(dir, ['--force']);
    assert.equal(forced.status, 0, forced.stdout);
    assert.match(forced.stdout, /forced services\.backend-express\.environment\.AWS_REGION/);
    assert.equal(
      compose(dir).services['backend-express']!.environment!.AWS_REGION,
      '${AWS_REGION:-eu-west-2}',
    );
    assert.equal(stored(dir).mergeBase, undefined);
    assertGolden(dir, GITPOD, ['--region', 'eu-west-2']);
    assertSettled(dir);
  });

  test('keeping yours for good: remove mergeBase from .yo-rc.json', () => {
    const dir = workspace();
    edit(dir, 'aws/json/x-ray.json', (s) => s.replace('"FixedRate": 0.1', '"FixedRate": 0.2'));
    assert.equal(config(dir, ['--sampling-rate', '0.5']).status, 1);
    assert.equal(rule(dir).SamplingRule.FixedRate, 0.2);
    editStored(dir, (mine) => delete mine.mergeBase);
    assertSettled(dir);
    assert.equal(rule(dir).SamplingRule.FixedRate, 0.2);
  });

  test('a user-edited line of README.md that the generator also changes is a conflict; other lines merge', () => {
    const dir = workspace();
    edit(dir, 'README.md', (s) => s.replace(/^# ws$/m, '# ws: my notes') + '\nMy own section.\n');
    edit(dir, 'README.md', (s) => s.replace('choose the group `Ws`.', 'choose the group `Ws` (ours).'));
    const r = config(dir, ['--group-name', 'Traces']);
    assert.equal(r.status, 1, r.stdout);
    assert.match(r.stdout, /^ conflict README\.md \(other values updated\)$/m);
    assert.match(r.stdout, /line \d+: yours ".*\(ours\)\.\\n" \/ generator ".*`Traces`\.\\n"/);
    const readme = read(dir, 'README.md');
    assert.match(readme, /^# ws: my notes$/m);
    assert.match(readme, /My own section\.\n$/);
    assert.match(readme, /X-Ray group `Traces`/, 'the line only the generator changed follows');
    assert.match(readme, /choose the group `Ws` \(ours\)\./);
  });
});

describe('files it cannot parse', () => {
  const CASES: Array<[string, (s: string) => string, RegExp]> = [
    [
      'docker-compose.yml',
      (s) => s.replace('    build: ./backend-express\n', '    build: ./backend-express\n   oops: [\n'),
      /^cruddur-observability: docker-compose\.yml:\d+:\d+: not valid YAML: /m,
    ],
    [
      '.gitpod.yml',
      (s) => s.replace('ports:\n', 'ports:\n  - name: a\n  name: b\n'),
      /^cruddur-observability: \.gitpod\.yml:\d+:\d+: not valid YAML: /m,
    ],
    [
      '.devcontainer/devcontainer.json',
      (s) => s.replace('  "service": "workspace",\n', '  "service" "workspace",\n'),
      /^cruddur-observability: \.devcontainer\/devcontainer\.json:9:13: not valid JSON with comments: ColonExpected$/m,
    ],
    [
      'aws/json/x-ray.json',
      (s) => s.replace('{\n', '{\n  // my note\n'),
      /^cruddur-observability: aws\/json\/x-ray\.json:2:3: not valid JSON: InvalidCommentToken$/m,
    ],
  ];
  for (const [path, breakIt, message] of CASES) {
    test(`${path}: file:line:column, exit 2, nothing written anywhere`, () => {
      const dir = workspace();
      edit(dir, path, breakIt);
      const before = readTree(dir);
      const r = config(dir, ['--port', '8080']);
      assert.equal(r.status, 2, r.stdout + r.stderr);
      assert.match(r.stderr, message);
      assert.match(r.stderr, /nothing was written\n$/);
      assert.equal(r.stdout, '');
      assert.deepEqual(readTree(dir), before, 'every file untouched, .yo-rc.json included');
    });
  }
  test('the YAML position is the one yaml reports', () => {
    const dir = workspace();
    edit(dir, 'docker-compose.yml', (s) =>
      s.replace('    ports:\n      - "4567:4567"\n', '    ports:\n      - "4567:4567"\n     - "x"\n'),
    );
    const r = config(dir);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /docker-compose\.yml:9:\d+: not valid YAML/);
  });
});

describe('--dry-run and --check', () => {
  test('--dry-run prints a unified diff and writes nothing (not even the answer)', () => {
    const dir = workspace();
    const before = readTree(dir);
    const r = config(dir, ['--dry-run', '--port', '8080']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^--- a\/docker-compose\.yml\n\+\+\+ b\/docker-compose\.yml$/m);
    assert.match(r.stdout, /^- {6}- "4567:4567"\n\+ {6}- "8080:8080"$/m);
    assert.match(r.stdout, /^\+\+\+ b\/\.yo-rc\.json$/m);
    assert.match(r.stdout, /dry run: \d+ file\(s\) would be written; nothing was written/);
    assert.deepEqual(readTree(dir), before);
  });

  test('--dry-run of a rename shows the move and writes nothing', () => {
    const dir = workspace();
    const before = readTree(dir);
    const r = config(dir, ['--dry-run', '--service-name', 'api']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^ {3}rename backend-express\/ -> api\/$/m);
    assert.match(r.stdout, /^--- a\/backend-express\/package\.json\n\+\+\+ b\/api\/package\.json$/m);
    assert.deepEqual(readTree(dir), before);
  });

  test('--check: 0 when up to date, 1 with the diff when not, and writes nothing', () => {
    const dir = workspace();
    const ok = config(dir, ['--check']);
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /config --check: up to date/);
    assert.doesNotMatch(ok.stdout, /^[-+]{3} /m);

    const before = readTree(dir);
    const stale = config(dir, ['--check', '--port', '8080']);
    assert.equal(stale.status, 1);
    assert.match(stale.stdout, /^\+ {6}- "8080:8080"$/m);
    assert.match(stale.stdout, /config --check: out of date/);
    assert.deepEqual(readTree(dir), before);

    const moved = config(dir, ['--check'], CODESPACES);
    assert.equal(moved.status, 1, 'a move to another host is out of date');
    assert.match(moved.stdout, /^\+ {6}AWS_XRAY_URL: "\*\$\{CODESPACE_NAME\}-4567/m);
    assert.deepEqual(readTree(dir), before);
  });
});

describe('deleted files', () => {
  test('a generated file the user deleted stays deleted; --restore brings it back', (t) => {
    const dir = workspace();
    rmSync(join(dir, '.gitpod.yml'));
    const r = config(dir, ['--port', '8080']);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /^ {2}deleted \.gitpod\.yml \(you deleted it: kept deleted; --restore brings it back\)$/m,
    );
    assert.ok(!existsSync(join(dir, '.gitpod.yml')));
    assertSettled(dir);
    const restored = config(dir, ['--restore']);
    assert.equal(restored.status, 0, restored.stdout);
    assert.match(restored.stdout, /^ {2}restore \.gitpod\.yml$/m);
    assertGolden(dir, GITPOD, ['--port', '8080']);
    revalidate(t, dir);
  });
});

// An older generator version is simulated the way it would have left the
// workspace: a file with other text, and .yo-rc.json's record of what was
// written (`files`, path -> the first 16 hex digits of its SHA-256) naming
// that text, or not naming a file the older version did not make. The hash
// is computed here, not imported, so a change of the record's format, which
// would orphan every existing workspace's record, fails this test.
const recordHash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);
const ROUTE = 'backend-express/src/routes/activities.ts';
const APP = 'backend-express/src/app.ts';
const OLD_LINE = '// as an older version of the generator wrote it\n';

type WrittenRecord = Record<string, string>;
/** The hashes of the files as written (`files` in .yo-rc.json). */
const storedRecord = (dir: string) => stored(dir).files as WrittenRecord;
function editRecord(dir: string, change: (files: WrittenRecord) => void): void {
  editStored(dir, (mine) => change(mine.files as WrittenRecord));
}

/** Makes `path` what an older version wrote: other text, and the record says so. */
function writtenByOlderVersion(dir: string, path: string): string {
  const old = OLD_LINE + read(dir, path);
  write(dir, path, old);
  editRecord(dir, (files) => (files[path] = recordHash(old)));
  return old;
}

describe('after a generator upgrade', () => {
  test('.yo-rc.json records a hash of every file app wrote', () => {
    const dir = workspace();
    const files = storedRecord(dir);
    const written = [...readTree(dir).keys()].filter((p) => p !== '.yo-rc.json');
    assert.deepEqual(Object.keys(files).sort(), written.sort());
    for (const path of written) assert.equal(files[path], recordHash(read(dir, path)), path);
  });

  test('a file untouched since an older version wrote it takes the new text; an edited one is kept, with a note', () => {
    const dir = workspace();
    writtenByOlderVersion(dir, ROUTE);
    const edited = writtenByOlderVersion(dir, APP) + '// mine\n';
    write(dir, APP, edited);
    const r = config(dir);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`^ {3}update ${ROUTE}$`, 'm'));
    assert.equal(read(dir, ROUTE), golden(GITPOD, []).get(ROUTE), 'the untouched file is the new version');
    assert.equal(read(dir, APP), edited, "the user's file is kept byte for byte");
    assert.match(
      r.stdout,
      new RegExp(
        `^identical ${APP}\\n {10}written by an older version of the generator and edited since: .*config --restore`,
        'm',
      ),
    );
    // The record now names the new text, and the kept file is still the user's.
    assert.equal(storedRecord(dir)[ROUTE], recordHash(read(dir, ROUTE)));
    const again = config(dir);
    assert.equal(again.status, 0, again.stdout);
    assert.match(again.stdout, /config: 0 file\(s\) written/);
    assert.equal(read(dir, APP), edited);
  });

  test("an edited structured file an older version wrote gets the entries this version adds; the user's values and lines stay", (t) => {
    const dir = workspace();
    // The older version rendered no ROLLBAR_ENDPOINT, in compose or .env.example.
    const oldCompose = read(dir, 'docker-compose.yml').replace(
      '      ROLLBAR_ENDPOINT: ${ROLLBAR_ENDPOINT:-}\n',
      '',
    );
    const oldEnv = read(dir, '.env.example').replace(/# optional API base[^\n]*\nROLLBAR_ENDPOINT=\n/, '');
    for (const [path, old] of [
      ['docker-compose.yml', oldCompose],
      ['.env.example', oldEnv],
    ] as const) {
      assert.notEqual(old, read(dir, path), `${path}: the older text differs`);
      editRecord(dir, (files) => (files[path] = recordHash(old)));
    }
    // ...and the user edited both since.
    const compose = oldCompose
      .replace('ROLLBAR_ENVIRONMENT: development', 'ROLLBAR_ENVIRONMENT: staging')
      .replace('      - xray-daemon\n  xray-daemon:', '      - xray-daemon\n      - db\n  xray-daemon:');
    write(dir, 'docker-compose.yml', compose);
    write(dir, '.env.example', oldEnv + '# mine\nDATABASE_URL=postgres://localhost/dev\n');

    const r = config(dir);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    for (const path of ['docker-compose.yml', '.env.example']) {
      assert.match(
        r.stdout,
        new RegExp(
          `^ {3}update ${path.replace('.', '\\.')}\\n {10}written by an older version .*entries this version adds are added`,
          'm',
        ),
      );
    }
    assert.equal(
      read(dir, 'docker-compose.yml'),
      compose.replace(
        '      ROLLBAR_ENVIRONMENT: staging\n',
        '      ROLLBAR_ENVIRONMENT: staging\n      ROLLBAR_ENDPOINT: ${ROLLBAR_ENDPOINT:-}\n',
      ),
      "the new entry added after its rendered neighbour; the user's value and list item kept",
    );
    const env = read(dir, '.env.example');
    assert.ok(env.endsWith('# mine\nDATABASE_URL=postgres://localhost/dev\n'), env);
    assert.equal(envExample(dir).ROLLBAR_ENDPOINT, '', 'the new variable added');
    assert.ok(
      env.includes('# optional API base; empty means https://api.rollbar.com/api/1/\nROLLBAR_ENDPOINT=\n'),
    );
    revalidate(t, dir);
    assertSettled(dir);
  });

  test('a file the new version adds is created; one the record names and the user deleted stays deleted', () => {
    const dir = workspace();
    const added = 'backend-express/test/segment-name.test.ts';
    rmSync(join(dir, added));
    rmSync(join(dir, '.gitpod.yml'));
    editRecord(dir, (files) => delete files[added]);
    const r = config(dir);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`^ {3}create ${added}$`, 'm'));
    assert.match(r.stdout, /^ {2}deleted \.gitpod\.yml \(you deleted it/m);
    assert.equal(read(dir, added), golden(GITPOD, []).get(added));
    assert.ok(!existsSync(join(dir, '.gitpod.yml')));
  });

  test('a file an older version made and this one does not is left as it is, said once', () => {
    const dir = workspace();
    const legacy = 'backend-express/src/legacy.ts';
    write(dir, legacy, 'export {};\n');
    editRecord(dir, (files) => {
      files[legacy] = recordHash('export {};\n');
      files['backend-express/src/gone.ts'] = recordHash('');
    });
    const r = config(dir);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      new RegExp(`^ {2}retired ${legacy} \\(no longer generated by this version: left as it is;`, 'm'),
    );
    assert.doesNotMatch(r.stdout, /gone\.ts/, 'a file the record names that is not there is not mentioned');
    assert.equal(read(dir, legacy), 'export {};\n');
    assert.equal(storedRecord(dir)[legacy], undefined);
    const again = config(dir);
    assert.doesNotMatch(again.stdout, /legacy/);
    assert.ok(existsSync(join(dir, legacy)));
  });

  test('a workspace from before the record: deleted files stay deleted, and config starts the record', () => {
    const dir = workspace();
    editStored(dir, (mine) => delete mine.files);
    rmSync(join(dir, '.gitpod.yml'));
    const r = config(dir);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^ {2}deleted \.gitpod\.yml/m);
    assert.match(r.stdout, /^ {3}update \.yo-rc\.json$/m);
    assert.ok(!existsSync(join(dir, '.gitpod.yml')));
    const files = storedRecord(dir);
    assert.equal(files[ROUTE], recordHash(read(dir, ROUTE)));
  });

  test("a workspace from before the record moves to otel: the new variant's own files are created, not taken for deleted", () => {
    const dir = workspace();
    editStored(dir, (mine) => delete mine.files);
    const otelOnly = 'backend-express/test/tracing.test.ts';
    assert.ok(!existsSync(join(dir, otelOnly)), 'the xray workspace has no such file');
    const r = config(dir, ['--tracing', 'otel']);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`^ {3}create ${otelOnly}$`, 'm'));
    assert.ok(existsSync(join(dir, otelOnly)));
  });
});

describe('answers edited by hand in .yo-rc.json', () => {
  // The README calls .yo-rc.json "your answers": an answer changed there must
  // reach the files exactly as the same answer given as a flag does, with
  // the user's own edits to those files kept.
  const EDITED: Record<AnswerName, { flag: string; value: string | number }> = {
    projectName: { flag: 'project-name', value: 'shop' },
    serviceName: { flag: 'service-name', value: 'api' },
    groupName: { flag: 'group-name', value: 'Traces' },
    ruleName: { flag: 'rule-name', value: 'Sampler' },
    region: { flag: 'region', value: 'eu-west-2' },
    port: { flag: 'port', value: 8080 },
    samplingRate: { flag: 'sampling-rate', value: 0.5 },
    reservoirSize: { flag: 'reservoir-size', value: 2 },
    rollbarEnvironment: { flag: 'rollbar-environment', value: 'staging' },
    tracing: { flag: 'tracing', value: 'otel' },
  };

  /** The user's own edits: a compose service, a backend file, .env.example and README lines. */
  function userEdits(dir: string): void {
    edit(dir, 'README.md', (s) => s + '\nMy own section.\n');
    edit(dir, 'docker-compose.yml', (s) =>
      s.concat('  worker:\n    image: busybox\n    depends_on: [backend-express]\n'),
    );
    write(dir, 'backend-express/src/mine.ts', 'export const mine = 1;\n');
    edit(dir, '.env.example', (s) => s + 'DATABASE_URL=postgres://localhost/dev\n');
  }

  for (const name of ANSWER_NAMES) {
    const { flag, value } = EDITED[name];
    test(`${name} edited there, files edited too: the same result as config --${flag}`, (t) => {
      assert.equal(ANSWER_SPECS[name].flag, flag);
      const byFlag = workspace();
      userEdits(byFlag);
      const flagged = config(byFlag, [`--${flag}`, String(value)]);
      assert.equal(flagged.status, 0, flagged.stdout + flagged.stderr);

      const byHand = workspace();
      userEdits(byHand);
      editStored(byHand, (mine) => (mine[name] = value));
      const stale = config(byHand, ['--check']);
      assert.equal(stale.status, 1, `--check sees the edited answer: ${stale.stdout}`);
      const r = config(byHand);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.doesNotMatch(r.stdout, /older version|retired/);
      assert.equal(r.stdout, flagged.stdout, 'the same report');
      assert.deepEqual(readTree(byHand), readTree(byFlag), 'the same files');
      assert.notDeepEqual(readTree(byHand), readTree(workspace()), 'and the answer took effect');
      revalidate(t, byHand);
      assertSettled(byHand);
    });
  }

  test('port: compose follows with the other files, and --check fails until config ran', (t) => {
    const dir = workspace();
    userEdits(dir);
    editStored(dir, (mine) => (mine.port = 5000));
    assert.equal(config(dir, ['--check']).status, 1);
    const r = config(dir);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^ {3}update docker-compose\.yml$/m);
    const c = compose(dir);
    assert.deepEqual(c.services['backend-express']!.ports, ['5000:5000']);
    assert.equal(c.services['backend-express']!.environment!.PORT, '5000');
    assert.deepEqual(c.services.worker!.depends_on, ['backend-express'], "the user's service kept");
    assert.deepEqual(devcontainer(dir).forwardPorts, ['backend-express:5000']);
    assert.equal(envExample(dir).PORT, '5000');
    revalidate(t, dir);
    assertSettled(dir);
  });

  test("serviceName: the user's backend directory is renamed, not replaced by a fresh one", (t) => {
    const dir = workspace();
    userEdits(dir);
    editStored(dir, (mine) => (mine.serviceName = 'api'));
    const r = config(dir);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^ {3}rename backend-express\/ -> api\/$/m);
    assert.match(r.stdout, /service-name backend-express -> api/, 'setup is suggested');
    assert.ok(!existsSync(join(dir, 'backend-express')), 'nothing left to delete');
    assert.equal(read(dir, 'api/src/mine.ts'), 'export const mine = 1;\n');
    const c = compose(dir);
    assert.equal(c.services.api!.build, './api');
    assert.deepEqual(c.services.worker!.depends_on, ['api']);
    revalidate(t, dir);
    assertSettled(dir);
  });

  test('a service name edited there that collides with a generated path is refused as the flag is', () => {
    const dir = workspace();
    editStored(dir, (mine) => (mine.serviceName = 'aws'));
    const before = readTree(dir);
    const r = config(dir);
    assert.equal(r.status, 2, r.stdout);
    assert.equal(
      r.stderr,
      'cruddur-observability: .yo-rc.json serviceName "aws" collides with aws/json/x-ray.json, which the generator writes; choose another name\n',
    );
    assert.deepEqual(readTree(dir), before);
  });

  test('a workspace from before the rendered answers were kept: they are taken as stored, and kept from then on', () => {
    const dir = workspace();
    editStored(dir, (mine) => delete mine.rendered);
    const r = config(dir);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /config: 1 file\(s\) written/);
    assert.deepEqual(
      stored(dir).rendered,
      JSON.parse(read(scaffold(GITPOD, []), '.yo-rc.json'))['generator-cruddur-observability'].rendered,
    );
    assertSettled(dir);
  });

  test('a broken rendered answer is named as such: one line, exit 2, nothing written', () => {
    const dir = workspace();
    editStored(dir, (mine) => ((mine.rendered as Record<string, unknown>).port = 'eighty'));
    const before = readTree(dir);
    const r = config(dir);
    assert.equal(r.status, 2);
    assert.match(
      r.stderr,
      /^cruddur-observability: \.yo-rc\.json rendered\.port "eighty" must be a whole number/,
    );
    assert.deepEqual(readTree(dir), before);
  });
});

describe('a UTF-8 byte order mark, as some Windows editors save one', () => {
  const FILES = [
    '.yo-rc.json',
    '.devcontainer/devcontainer.json',
    'aws/json/x-ray.json',
    'backend-express/package.json',
    'docker-compose.yml',
    '.devcontainer/docker-compose.yml',
    '.gitpod.yml',
    '.env.example',
    'README.md',
  ];
  test('in .yo-rc.json and the generated files: read, merged, and kept on write', () => {
    const dir = workspace();
    for (const path of FILES) write(dir, path, '\uFEFF' + read(dir, path));
    const r = config(dir, ['--port', '8080']);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const expected = golden(GITPOD, ['--port', '8080']);
    for (const path of FILES) {
      const text = read(dir, path);
      assert.ok(text.startsWith('\uFEFF') && !text.startsWith('\uFEFF\uFEFF'), `${path} keeps one BOM`);
      assert.equal(text.slice(1), expected.get(path), `${path}, after its BOM, as app writes it`);
    }
    assertSettled(dir);
  });

  test('a .yo-rc.json with a BOM and nothing to change is left byte for byte', () => {
    const dir = workspace();
    write(dir, '.yo-rc.json', '\uFEFF' + read(dir, '.yo-rc.json'));
    const before = readTree(dir);
    const r = config(dir);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /config: 0 file\(s\) written/);
    assert.deepEqual(readTree(dir), before);
  });
});

describe('the command line', () => {
  test('no TTY and no --yes: it runs (config never prompts), nothing on stderr', () => {
    const dir = workspace();
    const r = config(dir, ['--port', '8081']);
    assert.equal(r.status, 0);
    assert.equal(r.stderr, '');
    assert.equal(stored(dir).port, 8081);
  });

  const BAD: Array<[string[], string]> = [
    [['--port', '0'], '--port "0" must be a whole number from 1 to 65535'],
    [['--sampling-rate', '1.5'], '--sampling-rate "1.5" must be a number from 0 to 1'],
    [['--region', 'mars-north-1'], '--region "mars-north-1" must be an AWS region'],
    [['--service-name', '../escape'], '--service-name "../escape" must be 1-63 characters: lowercase'],
    [['--group-name', 'Default'], '--group-name "Default" "Default" is reserved by X-Ray'],
    [['--rule-name', 'Default'], '--rule-name "Default" "Default" is reserved by X-Ray'],
    [['--service-name', 'aws'], '--service-name "aws" collides with aws/json/x-ray.json'],
    [['--port'], '--port needs a value'],
    [['--no-such-flag'], "Unknown option '--no-such-flag'"],
    [['extra'], 'unexpected argument "extra"'],
  ];
  for (const [args, message] of BAD) {
    test(`bad input ${args.join(' ')}: the same one line as app, exit 2, nothing written`, () => {
      const dir = workspace();
      const before = readTree(dir);
      const r = config(dir, args);
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stdout, '');
      const lines = r.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.ok(lines[0]!.startsWith('cruddur-observability: ') && lines[0]!.includes(message), lines[0]);
      assert.deepEqual(readTree(dir), before);
      const app = runBin(['ws2', ...QUIET, ...args], { cwd: tempDir(), env: cleanEnv() });
      if (args[0] !== 'extra') assert.ok(app.stderr.includes(message), 'app says the same');
    });
  }

  test('outside a generated workspace: one line, exit 2', () => {
    const r = config(tempDir());
    assert.equal(r.status, 2);
    assert.match(
      r.stderr,
      /^cruddur-observability: no \.yo-rc\.json with generator-cruddur-observability answers in .*\n$/,
    );
  });

  test('a workspace made before the host was stored: the host is inferred from AWS_XRAY_URL', () => {
    const dir = workspace(CODESPACES);
    editStored(dir, (mine) => delete mine.host);
    const r = config(dir, ['--port', '8080'], NO_HOST);
    assert.equal(r.status, 0, r.stdout);
    assert.match(r.stdout, /^workspace host: codespaces \(as stored; none detected here\)$/m);
    assertGolden(dir, CODESPACES, ['--port', '8080']);
  });
});
