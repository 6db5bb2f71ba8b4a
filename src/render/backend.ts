// The generated backend: `<service-name>/`, an Express 5 + TypeScript service
// traced by AWS X-Ray and reporting to Rollbar. Its files live in
// templates/app/backend/ and read like the files they make; only three depend
// on the answers: package.json (built here from data), src/service.ts (the
// generated constants module) and the Dockerfile (EXPOSE port).
import ejs from 'ejs';
import type { Answers } from '../answers/table.js';
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
export const BACKEND_DEPENDENCIES = {
  dependencies: {
    'aws-xray-sdk-core': '^3.12.0',
    express: '^5.2.1',
    rollbar: '^3.1.0',
  },
  devDependencies: {
    '@types/express': '^5.0.6',
    '@types/node': '^20.19.0',
    typescript: '^7.0.2',
  },
} as const;

export function backendPackageJson(answers: Pick<Answers, 'serviceName' | 'projectName'>): string {
  const pkg = {
    name: answers.serviceName,
    version: '0.1.0',
    private: true,
    description: `${answers.projectName} backend: Express, traced by AWS X-Ray, errors reported to Rollbar`,
    type: 'module',
    main: 'dist/src/server.js',
    engines: { node: '>=20.19' },
    scripts: {
      build: 'tsc -p tsconfig.json',
      start: 'node --enable-source-maps dist/src/server.js',
      dev: 'tsc -p tsconfig.json && (tsc -p tsconfig.json --watch --preserveWatchOutput >/dev/null & node --watch --enable-source-maps dist/src/server.js)',
      test: 'tsc -p tsconfig.json && node --test dist/test/*.test.js',
    },
    ...BACKEND_DEPENDENCIES,
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

export function renderBackend(ctx: RenderContext): GeneratedFile[] {
  const { answers } = ctx;
  const data = templateData(ctx);
  const prefix = `${answers.serviceName}/`;
  const files: GeneratedFile[] = [{ path: `${prefix}package.json`, contents: backendPackageJson(answers) }];
  // Every file under templates/app/backend/ is generated; `.ejs` ones are rendered.
  for (const template of ctx.templates.list(TEMPLATE_DIR)) {
    const text = ctx.templates(`${TEMPLATE_DIR}/${template}`);
    if (template.endsWith('.ejs')) {
      files.push({ path: prefix + template.slice(0, -'.ejs'.length), contents: ejs.render(text, data) });
    } else {
      files.push({ path: prefix + template, contents: text });
    }
  }
  return files;
}
