// Every generated configuration file is valid against its upstream schema
// and the names in it agree, for every answer set of the matrix.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse as parseJsonc } from 'jsonc-parser';
import { parse as parseYaml } from 'yaml';
import { resolveAnswers, TRACING_VARIANTS } from '../src/answers/table.js';
import { groupFilterExpression, SERVICE_ANNOTATION } from '../src/answers/names.js';
import { renderWorkspace } from '../src/render/workspace.js';
import { serviceNameCollision } from '../src/render/taken-names.js';
import { fileTemplates } from '../src/files/templates.js';
import { detectWorkspaceHost } from '../src/answers/workspace-host.js';
import { MATRIX } from './support/matrix.js';
import { validateCompose, validateDevcontainer, validateGitpod, xrayModel } from './support/schemas.js';
import { checkShape } from './support/smithy.js';
import { specsSkip } from './support/specs.js';
import { TraceStore } from './fakes/xray-traces.js';
import { XRAY_RULE_PATH } from '../src/render/xray-rule.js';
import { workspaceVariables } from '../src/render/environment.js';
import { REPO_ROOT, tempDir } from './support/cli.js';

function render(c: (typeof MATRIX)[number]) {
  const answers = resolveAnswers(c.flags, { targetDirName: c.dir, env: c.env });
  const files = renderWorkspace({ answers, host: detectWorkspaceHost(c.env), templates: fileTemplates() });
  const byPath = new Map(files.map((f) => [f.path, f.contents]));
  const get = (path: string) => {
    const text = byPath.get(path);
    assert.ok(text !== undefined, `${path} is generated`);
    return text;
  };
  return { answers, files, get };
}

for (const c of MATRIX) {
  describe(`workspace ${c.name}`, () => {
    const { answers, files, get } = render(c);

    test('.gitpod.yml is valid against the Gitpod schema', { skip: specsSkip('Gitpod schema') }, () => {
      assert.deepEqual(validateGitpod(get('.gitpod.yml')), []);
    });
    test(
      'devcontainer.json is valid against the Dev Container schema',
      { skip: specsSkip('Dev Container schema') },
      () => {
        assert.deepEqual(validateDevcontainer(get('.devcontainer/devcontainer.json')), []);
      },
    );
    test('the compose files are valid against the Compose spec', { skip: specsSkip('Compose spec') }, () => {
      assert.deepEqual(validateCompose(get('docker-compose.yml')), []);
      assert.deepEqual(validateCompose(get('.devcontainer/docker-compose.yml')), []);
      assert.deepEqual(validateCompose(get('docker-compose.traces.yml')), []);
    });
    test(
      'x-ray.json satisfies the Smithy SamplingRule shape',
      { skip: specsSkip('X-Ray Smithy model') },
      () => {
        const doc = JSON.parse(get('aws/json/x-ray.json')) as { SamplingRule: unknown };
        assert.deepEqual(Object.keys(doc), ['SamplingRule']);
        assert.deepEqual(checkShape(xrayModel(), 'com.amazonaws.xray#SamplingRule', doc.SamplingRule), []);
        const members = Object.keys(xrayModel().shapes['com.amazonaws.xray#SamplingRule']!.members ?? {});
        for (const key of Object.keys(doc.SamplingRule as object))
          assert.ok(members.includes(key), `${key} is a member`);
      },
    );

    test('compose wires the backend to its collector as DESIGN.md says', () => {
      const compose = parseYaml(get('docker-compose.yml')) as {
        services: Record<string, Record<string, unknown>>;
      };
      const collector = answers.tracing === 'otel' ? 'cloudwatch-agent' : 'xray-daemon';
      assert.deepEqual(Object.keys(compose.services), [answers.serviceName, collector]);
      const backend = compose.services[answers.serviceName]!;
      assert.equal(backend.build, `./${answers.serviceName}`);
      assert.deepEqual(backend.ports, [`${answers.port}:${answers.port}`]);
      assert.deepEqual(backend.depends_on, [collector]);
      const env = backend.environment as Record<string, string>;
      assert.equal(env.ROLLBAR_ACCESS_TOKEN, '${ROLLBAR_ACCESS_TOKEN}');
      assert.equal(env.ROLLBAR_ENVIRONMENT, answers.rollbarEnvironment);
      assert.equal(env.PORT, String(answers.port));
      assert.equal(env.AWS_REGION, `\${AWS_REGION:-${answers.region}}`);
      const other = Object.keys(env).filter((k) => /^(AWS_XRAY_|OTEL_)/.test(k));
      const service = compose.services[collector]!;
      const serviceEnv = service.environment as Record<string, string>;
      assert.equal(serviceEnv.AWS_ACCESS_KEY_ID, '${AWS_ACCESS_KEY_ID}');
      assert.equal(serviceEnv.AWS_SECRET_ACCESS_KEY, '${AWS_SECRET_ACCESS_KEY}');
      assert.equal(serviceEnv.AWS_REGION, `\${AWS_REGION:-${answers.region}}`);
      if (answers.tracing === 'xray') {
        assert.deepEqual(other, ['AWS_XRAY_URL', 'AWS_XRAY_DAEMON_ADDRESS']);
        assert.equal(env.AWS_XRAY_DAEMON_ADDRESS, 'xray-daemon:2000');
        assert.match(
          String(service.image),
          /^amazon\/aws-xray-daemon:\d+\.\d+\.\d+$/,
          'daemon image is pinned',
        );
        assert.ok(Array.isArray(service.command), 'daemon flags are a list, not one string');
        assert.deepEqual((service.command as string[]).slice(0, 2), ['-o', '-n']);
        return;
      }
      assert.deepEqual(env.OTEL_SERVICE_NAME, answers.serviceName);
      assert.equal(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, 'http://cloudwatch-agent:4318/v1/traces');
      assert.equal(env.OTEL_TRACES_SAMPLER, 'xray');
      assert.equal(env.OTEL_TRACES_SAMPLER_ARG, 'endpoint=http://cloudwatch-agent:2000');
      assert.deepEqual(other.sort(), [
        'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
        'OTEL_SERVICE_NAME',
        'OTEL_TRACES_SAMPLER',
        'OTEL_TRACES_SAMPLER_ARG',
      ]);
      assert.match(
        String(service.image),
        /^public\.ecr\.aws\/cloudwatch-agent\/cloudwatch-agent:\d+\.\d+\.\w+$/,
        'agent image is pinned',
      );
      const config = JSON.parse(serviceEnv.CW_CONFIG_CONTENT!) as {
        traces: {
          traces_collected: {
            xray: { bind_address: string; tcp_proxy: { bind_address: string } };
            otlp: { http_endpoint: string };
          };
          local_mode: boolean;
          region_override: string;
        };
      };
      const traces = config.traces;
      assert.equal(traces.traces_collected.otlp.http_endpoint, '0.0.0.0:4318');
      assert.equal(traces.traces_collected.xray.bind_address, '0.0.0.0:2000');
      assert.equal(traces.traces_collected.xray.tcp_proxy.bind_address, '0.0.0.0:2000');
      assert.equal(traces.local_mode, true);
      assert.equal(traces.region_override, `\${AWS_REGION:-${answers.region}}`);
    });

    test("the backend package.json carries only its variant's tracing dependencies", () => {
      const pkg = JSON.parse(get(`${answers.serviceName}/package.json`)) as {
        dependencies: Record<string, string>;
      };
      const names = Object.keys(pkg.dependencies);
      const otel = names.filter((n) => n.startsWith('@opentelemetry/'));
      if (answers.tracing === 'xray') {
        assert.ok(names.includes('aws-xray-sdk-core'));
        assert.deepEqual(otel, []);
        return;
      }
      assert.ok(!names.includes('aws-xray-sdk-core'));
      // The 2.x line (runs on Node 20): SDK 2.x, exporters 0.2xx, api below 1.10.
      assert.match(pkg.dependencies['@opentelemetry/sdk-trace']!, /^\^2\./);
      assert.match(pkg.dependencies['@opentelemetry/exporter-trace-otlp-http']!, /^\^0\.2\d\d\./);
      assert.match(pkg.dependencies['@opentelemetry/api']!, /^~1\.9\./);
      for (const n of ['sampler-aws-xray', 'propagator-aws-xray'])
        assert.ok(otel.includes(`@opentelemetry/${n}`), n);
      const tracing = get(`${answers.serviceName}/src/observability/tracing.ts`);
      assert.match(tracing, /SpanKind\.SERVER/);
      assert.match(tracing, /aws\.xray\.annotations/);
      assert.ok(!files.some((f) => f.path.endsWith('xray-preload.ts')), 'no X-Ray SDK file');
    });

    test('both READMEs say where a Rollbar item keeps its trace id', () => {
      for (const readme of [get('README.md'), get(`${answers.serviceName}/README.md`)]) {
        assert.match(readme.replace(/\s+/g, ' '), /custom\.trace_id/);
      }
      assert.match(get('README.md'), /2027-02-25|--tracing xray/);
    });

    test(
      'AWS_XRAY_URL matches the host this workspace gives the port',
      {
        skip:
          answers.tracing !== 'xray' && 'the otel variant names segments by service.name: no AWS_XRAY_URL',
      },
      () => {
        const env = (
          parseYaml(get('docker-compose.yml')) as {
            services: Record<string, { environment: Record<string, string> }>;
          }
        ).services[answers.serviceName]!.environment;
        const host = detectWorkspaceHost(c.env);
        const expected = {
          gitpod: `*${answers.port}-\${GITPOD_WORKSPACE_ID}.\${GITPOD_WORKSPACE_CLUSTER_HOST}*`,
          local: `*${answers.port}-\${GITPOD_WORKSPACE_ID}.\${GITPOD_WORKSPACE_CLUSTER_HOST}*`,
          codespaces: `*\${CODESPACE_NAME}-${answers.port}.\${GITHUB_CODESPACES_PORT_FORWARDING_DOMAIN}*`,
          devcontainer: '',
        }[host];
        assert.equal(env.AWS_XRAY_URL, expected);
      },
    );

    test('names agree: rule ServiceName, group filter and backend annotation', () => {
      const rule = (JSON.parse(get('aws/json/x-ray.json')) as { SamplingRule: Record<string, unknown> })
        .SamplingRule;
      assert.equal(rule.RuleName, answers.ruleName);
      assert.equal(rule.ServiceName, answers.serviceName);
      assert.equal(rule.FixedRate, answers.samplingRate);
      assert.equal(rule.ReservoirSize, answers.reservoirSize);
      // The group's filter, evaluated as X-Ray does (the stand-in's evaluator),
      // selects a trace annotated as the generated backend annotates its
      // segments (service.ts's key and name), and no other service's.
      const service = get(`${answers.serviceName}/src/service.ts`);
      const constant = (name: string) =>
        JSON.parse(new RegExp(`^export const ${name} = (".*");$`, 'm').exec(service)![1]!) as string;
      assert.equal(constant('SERVICE_NAME'), answers.serviceName);
      const store = new TraceStore();
      const ours = '1-5f84c7a1-000000000000000000000001';
      const theirs = '1-5f84c7a1-000000000000000000000002';
      store.put({
        TraceSegmentDocuments: [ours, theirs].map((trace, i) =>
          JSON.stringify({
            id: `000000000000000${i}`,
            trace_id: trace,
            name: 'any',
            start_time: 100,
            end_time: 100.01,
            annotations: {
              [constant('SERVICE_ANNOTATION')]: trace === ours ? constant('SERVICE_NAME') : 'other-service',
            },
          }),
        ),
      });
      const selected = store.summaries({
        StartTime: 50,
        EndTime: 150,
        FilterExpression: groupFilterExpression(answers.serviceName),
      });
      assert.deepEqual(
        selected.TraceSummaries.map((t) => t.Id),
        [ours],
      );
      const readme = get('README.md');
      assert.ok(
        readme.includes(`annotation.${SERVICE_ANNOTATION} = "${answers.serviceName}"`),
        'README names the filter',
      );
      // The backend's README gives the rule's figures as the answers set them, and how to change them.
      const backendReadme = get(`${answers.serviceName}/README.md`).replace(/\s+/g, ' ');
      assert.ok(
        backendReadme.includes(
          `traces ${answers.reservoirSize} request(s) a second, then a share of ${answers.samplingRate} (\`FixedRate\`)`,
        ),
        'backend README states the sampling rule',
      );
      assert.match(backendReadme, /lower `--sampling-rate`/);
      // Measurements live in bench/results.md: a student's machine is not the bench's.
      assert.doesNotMatch(backendReadme, /\d\s*(µs|us|ms)\b/, 'no measured timings in the backend README');
      // ...and the backend does annotate every segment so.
      assert.equal(constant('SERVICE_ANNOTATION'), SERVICE_ANNOTATION);
      const tracing = get(`${answers.serviceName}/src/observability/tracing.ts`);
      if (answers.tracing === 'otel') {
        // An attribute, listed in aws.xray.annotations so the exporter makes it an annotation.
        assert.match(tracing, /^\s*span\.setAttribute\(SERVICE_ANNOTATION, SERVICE_NAME\);$/m);
        assert.match(tracing, /^\s*span\.setAttribute\(ANNOTATIONS, \[SERVICE_ANNOTATION\]\);$/m);
        assert.match(tracing, /^const ANNOTATIONS = 'aws\.xray\.annotations';$/m);
      } else {
        assert.match(tracing, /^\s*segment\.addAnnotation\(SERVICE_ANNOTATION, SERVICE_NAME\);$/m);
      }
    });

    test('Gitpod and Dev Container run setup after dependencies and forward the port', () => {
      const gitpod = parseYaml(get('.gitpod.yml')) as {
        tasks: Array<{ name: string; init?: string; command?: string }>;
        ports: Array<{ port: number; name: string }>;
      };
      const task = gitpod.tasks.find((t) => t.name === answers.serviceName)!;
      assert.match(task.init!, new RegExp(`npm --prefix ${answers.serviceName} install`));
      assert.match(task.command!, /^npx --yes cruddur-observability@\^\d+\.\d+\.\d+ setup\n/);
      assert.ok(gitpod.ports.some((p) => p.port === answers.port && p.name === answers.serviceName));
      const dc = parseJsonc(get('.devcontainer/devcontainer.json')) as Record<string, unknown>;
      assert.deepEqual(dc.forwardPorts, [`${answers.serviceName}:${answers.port}`]);
      assert.match(
        String(dc.postCreateCommand),
        /install && npx --yes cruddur-observability@\^\d+\.\d+\.\d+ setup$/,
      );
      assert.deepEqual(Object.keys(dc.secrets as object).sort(), [
        'AWS_ACCESS_KEY_ID',
        'AWS_SECRET_ACCESS_KEY',
        'ROLLBAR_ACCESS_TOKEN',
      ]);
    });

    test('the service name cannot be a top-level path or another compose service of the workspace', () => {
      const { answers, files } = render(c);
      const host = detectWorkspaceHost(c.env);
      const backend = `${answers.serviceName}/`;
      const others = new Set<string>();
      for (const f of files) {
        if (!f.path.startsWith(backend)) others.add(f.path.split('/')[0]!);
        if (!/docker-compose(\.[\w-]+)?\.yml$/.test(f.path)) continue;
        const services = (parseYaml(f.contents) as { services: Record<string, unknown> }).services;
        for (const name of Object.keys(services)) if (name !== answers.serviceName) others.add(name);
      }
      const collector = answers.tracing === 'otel' ? 'cloudwatch-agent' : 'xray-daemon';
      assert.ok(others.has('aws') && others.has(collector), [...others].join(' '));
      for (const name of others) {
        const collision = serviceNameCollision({ ...answers, serviceName: name }, host, fileTemplates());
        assert.match(collision ?? '', /^collides with /, `${name} is refused`);
      }
      assert.equal(serviceNameCollision(answers, host, fileTemplates()), undefined);
    });

    test('.env.example names every variable and holds no secret value; .gitignore ignores .env', () => {
      const lines = get('.env.example')
        .split('\n')
        .filter((l) => l && !l.startsWith('#'));
      const vars = Object.fromEntries(
        lines.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
      for (const secret of [
        'AWS_ACCESS_KEY_ID',
        'AWS_SECRET_ACCESS_KEY',
        'AWS_SESSION_TOKEN',
        'ROLLBAR_ACCESS_TOKEN',
      ]) {
        assert.equal(vars[secret], '', `${secret} is listed, empty`);
      }
      const tracingVars =
        answers.tracing === 'otel'
          ? [
              'OTEL_SERVICE_NAME',
              'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
              'OTEL_TRACES_SAMPLER',
              'OTEL_TRACES_SAMPLER_ARG',
            ]
          : ['AWS_XRAY_URL', 'AWS_XRAY_DAEMON_ADDRESS'];
      for (const v of ['PORT', ...tracingVars, 'ROLLBAR_ENVIRONMENT', 'ROLLBAR_ENDPOINT', 'AWS_REGION']) {
        assert.ok(v in vars, `${v} is listed`);
      }
      assert.ok(get('.gitignore').split('\n').includes('.env'));
    });
  });
}

describe('one home per fact', () => {
  const answers = resolveAnswers({ serviceName: 'api' }, { targetDirName: 'ws', env: {} });

  test('every file under templates/app/backend/ is generated, a new one too, without a list to update', () => {
    const root = tempDir('cruddur-templates-');
    cpSync(join(REPO_ROOT, 'templates'), root, { recursive: true });
    mkdirSync(join(root, 'app/backend/src/routes/more'), { recursive: true });
    writeFileSync(join(root, 'app/backend/src/routes/more/users.ts'), '// new route\n');
    writeFileSync(join(root, 'app/backend/NOTES.md.ejs'), 'notes for <%= serviceName %>\n');
    const files = renderWorkspace({ answers, host: 'local', templates: fileTemplates(root) });
    const byPath = new Map(files.map((f) => [f.path, f.contents]));
    assert.equal(byPath.get('api/src/routes/more/users.ts'), '// new route\n');
    assert.equal(byPath.get('api/NOTES.md'), 'notes for api\n');
    // Both variants' shared files, then the answered variant's own.
    const shipped = ['app/backend', `app/backend-${answers.tracing}`].flatMap((dir) =>
      fileTemplates()
        .list(dir)
        .map((t) => `api/${t.replace(/\.ejs$/, '')}`),
    );
    const generated = renderWorkspace({ answers, host: 'local', templates: fileTemplates() })
      .map((f) => f.path)
      .filter((p) => p.startsWith('api/') && p !== 'api/package.json');
    assert.deepEqual(generated, shipped);
  });

  test(`the rule file's path is written once, as XRAY_RULE_PATH (${XRAY_RULE_PATH})`, () => {
    const literal = XRAY_RULE_PATH;
    const places: string[] = [];
    for (const dir of ['src', 'templates']) {
      for (const name of readdirSync(join(REPO_ROOT, dir), { recursive: true, encoding: 'utf8' })) {
        const path = join(dir, name);
        if (!statSync(join(REPO_ROOT, path)).isFile()) continue;
        readFileSync(join(REPO_ROOT, path), 'utf8')
          .split('\n')
          .forEach((line, i) => {
            // Comments may name it; code and generated text take the constant.
            if (line.includes(literal) && !/^\s*(\/\/|\*|\/\*\*)/.test(line)) places.push(`${path}:${i + 1}`);
          });
      }
    }
    assert.deepEqual(places, ['src/render/xray-rule.ts:5']);
  });

  for (const tracing of TRACING_VARIANTS) {
    test(`the environment table is what the ${tracing} backend reads, and .env.example and compose follow it`, () => {
      const read = new Set<string>();
      for (const dir of ['backend', `backend-${tracing}`]) {
        const sources = join(REPO_ROOT, `templates/app/${dir}/src`);
        for (const name of readdirSync(sources, { recursive: true, encoding: 'utf8' })) {
          if (!/\.ts(\.ejs)?$/.test(name)) continue;
          // Reads, not assignments (the preload sets AWS_XRAY_MANUAL_MODE for the SDK).
          for (const m of readFileSync(join(sources, name), 'utf8').matchAll(
            /\benv\.([A-Z_]+)\b(?!\s*=[^=])/g,
          ))
            read.add(m[1]!);
        }
      }
      // The shared config.ts reads AWS_XRAY_URL for configureTracing(); the otel
      // variant's ignores it (X-Ray names a SERVER span's segment by service.name),
      // so its workspace does not set it.
      if (tracing === 'otel') read.delete('AWS_XRAY_URL');
      const ctx = { answers: { ...answers, tracing }, host: 'gitpod' as const, templates: fileTemplates() };
      const variables = workspaceVariables(ctx);
      const backend = variables.filter((v) => v.readBy.includes('backend')).map((v) => v.name);
      assert.deepEqual([...read].sort(), [...backend].sort());

      const files = renderWorkspace(ctx);
      const text = (path: string) => files.find((f) => f.path === path)!.contents;
      const listed = [...text('.env.example').matchAll(/^([A-Z_]+)=/gm)].map((m) => m[1]);
      assert.deepEqual(
        listed,
        variables.map((v) => v.name),
      );
      assert.ok(listed.includes('HOST') && listed.includes('ENABLE_CRASH_ROUTE'));
      const compose = parseYaml(text('docker-compose.yml')) as {
        services: Record<string, { environment: Record<string, string> }>;
      };
      assert.deepEqual(
        Object.keys(compose.services.api!.environment),
        variables.filter((v) => v.backend).map((v) => v.name),
      );
      // The collector (daemon or agent) gets exactly the variables the table says it reads,
      // passed through from the workspace: a secret is never a value in the file.
      const collector = tracing === 'otel' ? 'cloudwatch-agent' : 'xray-daemon';
      const collectorVars = variables.filter((v) => v.readBy.includes('collector'));
      assert.deepEqual(
        collectorVars.map((v) => v.name),
        variables.filter((v) => v.collector).map((v) => v.name),
        'a collector value exactly where the collector reads it',
      );
      const collectorEnv = { ...compose.services[collector]!.environment };
      if (tracing === 'otel') delete collectorEnv.CW_CONFIG_CONTENT;
      assert.deepEqual(
        Object.keys(collectorEnv),
        collectorVars.map((v) => v.name),
      );
      for (const [name, value] of Object.entries(collectorEnv))
        assert.match(value, new RegExp(`^\\$\\{${name}(:-[^}]*)?\\}$`), `${name} is passed through`);
      const readme = text('api/README.md');
      for (const name of backend)
        assert.match(readme, new RegExp(`^\\| \`${name}\` \\| `, 'm'), `${name} in the README`);
    });
  }
});
