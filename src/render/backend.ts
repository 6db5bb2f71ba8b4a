// The generated backend: `<service-name>/`, an Express 5 + TypeScript service
// traced by AWS X-Ray and reporting to Rollbar. Its files live in
// templates/app/backend/ and read like the files they make; only three depend
// on the answers: package.json (built here from data), src/service.ts (the
// generated constants module) and the Dockerfile (EXPOSE port).
import ejs from 'ejs';
import type { Answers, Tracing } from '../answers/table.js';
import { SERVICE_ANNOTATION } from '../answers/names.js';
import { CONFIG_COMMAND, SETUP_COMMAND } from './cli-command.js';
import type { GeneratedFile, RenderContext } from './types.js';
import { workspaceVariables } from './environment.js';
import { XRAY_RULE_PATH } from './xray-rule.js';

const TEMPLATE_DIR = 'app/backend';

/**
 * Dependency ranges of the generated backend, checked against the npm
 * registry when written (express 5.3, aws-xray-sdk-core 3.12, rollbar 3.1,
 * typescript 7.0, the native compiler: a strict build in under a second).
 * @types/node follows the oldest supported runtime (Node 20.19) so the
 * type-check rejects APIs newer than that; the image runs Node 24.
 */
const BACKEND_DEPENDENCIES = {
  dependencies: {
    express: '^5.2.1',
    rollbar: '^3.1.0',
  },
  devDependencies: {
    '@types/express': '^5.0.6',
    '@types/node': '^20.19.0',
    typescript: '^7.0.2',
  },
} as const;

/**
 * Each variant's own dependencies; package.json carries only the chosen
 * one's. OpenTelemetry stays on the JS 2.x line (sdk-trace 2.12, exporters
 * 0.223, api below 1.10, as every 2.x package's peer range asks): 3.x needs
 * Node 22.15, and the X-Ray remote sampler (0.3.0) and id generator exist
 * only for 2.x; mixed with 3.x, npm nests a second SDK.
 */
const TRACING_DEPENDENCIES: Record<Tracing, Readonly<Record<string, string>>> = {
  xray: { 'aws-xray-sdk-core': '^3.12.0' },
  otel: {
    '@opentelemetry/api': '~1.9.1',
    '@opentelemetry/core': '^2.12.1',
    '@opentelemetry/exporter-trace-otlp-http': '^0.223.1',
    '@opentelemetry/id-generator-aws-xray': '^2.1.0',
    '@opentelemetry/propagator-aws-xray': '^2.2.0',
    '@opentelemetry/resources': '^2.12.1',
    '@opentelemetry/sampler-aws-xray': '^0.3.0',
    '@opentelemetry/sdk-trace': '^2.12.1',
  },
};

const TRACED_BY: Record<Tracing, string> = {
  xray: 'traced by AWS X-Ray',
  otel: 'traced with OpenTelemetry to AWS X-Ray',
};

function sorted(deps: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(deps).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function backendPackageJson(answers: Pick<Answers, 'serviceName' | 'projectName' | 'tracing'>): string {
  const pkg = {
    name: answers.serviceName,
    version: '0.1.0',
    private: true,
    description: `${answers.projectName} backend: Express, ${TRACED_BY[answers.tracing]}, errors reported to Rollbar`,
    type: 'module',
    main: 'dist/src/server.js',
    engines: { node: '>=20.19' },
    scripts: {
      build: 'tsc -p tsconfig.json',
      start: 'node --enable-source-maps dist/src/server.js',
      dev: 'tsc -p tsconfig.json && (tsc -p tsconfig.json --watch --preserveWatchOutput >/dev/null & node --watch --enable-source-maps dist/src/server.js)',
      test: 'tsc -p tsconfig.json && node --test dist/test/*.test.js',
    },
    dependencies: sorted({ ...BACKEND_DEPENDENCIES.dependencies, ...TRACING_DEPENDENCIES[answers.tracing] }),
    devDependencies: BACKEND_DEPENDENCIES.devDependencies,
  };
  return JSON.stringify(pkg, null, 2) + '\n';
}

function templateData(ctx: RenderContext): Record<string, unknown> {
  const { answers } = ctx;
  // The README's variable table: what the backend reads, from the one table.
  const variables = workspaceVariables(ctx).flatMap((v) =>
    v.readBy.includes('backend') && v.meaning ? [{ name: v.name, meaning: v.meaning(answers) }] : [],
  );
  return {
    ...answers,
    serviceAnnotation: SERVICE_ANNOTATION,
    rulePath: XRAY_RULE_PATH,
    variables,
    setupCommand: SETUP_COMMAND,
    configCommand: CONFIG_COMMAND,
  };
}

function renderTemplate(
  ctx: RenderContext,
  dir: string,
  template: string,
  data: Record<string, unknown>,
): GeneratedFile {
  const text = ctx.templates(`${dir}/${template}`);
  const ejsFile = template.endsWith('.ejs');
  const path = `${ctx.answers.serviceName}/${ejsFile ? template.slice(0, -'.ejs'.length) : template}`;
  return { path, contents: ejsFile ? ejs.render(text, data) : text };
}

/**
 * Every file under templates/app/backend/ (both variants), then every file
 * under templates/app/backend-<tracing>/ (the chosen variant's: its
 * src/observability/tracing.ts, with the same exports in both, and its own
 * files); `.ejs` ones are rendered. A file only one variant has is removed
 * by `config` when the variant changes, if the user never touched it.
 */
export function renderBackend(ctx: RenderContext): GeneratedFile[] {
  const { answers } = ctx;
  const data = templateData(ctx);
  const files: GeneratedFile[] = [
    { path: `${answers.serviceName}/package.json`, contents: backendPackageJson(answers) },
  ];
  for (const dir of [TEMPLATE_DIR, `${TEMPLATE_DIR}-${answers.tracing}`]) {
    for (const template of ctx.templates.list(dir)) files.push(renderTemplate(ctx, dir, template, data));
  }
  return files;
}
