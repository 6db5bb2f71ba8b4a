// .devcontainer/: a compose-based Dev Container (Codespaces, Ona, VS Code).
// The editor attaches to a `workspace` service; the backend and the daemon
// (or the CloudWatch agent) run beside it from the project's own docker-compose.yml.
import { Document } from 'yaml';
import { COMPOSE_PATH } from './compose.js';
import { SETUP_COMMAND } from './cli-command.js';
import { collectorOf } from './collector.js';
import { backendEnvironment, regionVariable } from './environment.js';
import { generatedBy } from './marker.js';
import type { GeneratedFile, RenderContext } from './types.js';

export const DEVCONTAINER_PATH = '.devcontainer/devcontainer.json';
export const DEVCONTAINER_COMPOSE_PATH = '.devcontainer/docker-compose.yml';
const WORKSPACE_SERVICE = 'workspace';

function secrets(collector: string) {
  return {
    AWS_ACCESS_KEY_ID: `AWS access key for ${collector} and the setup hook`,
    AWS_SECRET_ACCESS_KEY: `AWS secret key for ${collector} and the setup hook`,
    ROLLBAR_ACCESS_TOKEN: 'Rollbar project token with the post_server_item scope',
  };
}

/** What a backend started in the editor's terminal needs to reach the collector on the compose network. */
const COLLECTOR_VARIABLES = [
  'AWS_XRAY_DAEMON_ADDRESS',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  'OTEL_TRACES_SAMPLER',
  'OTEL_TRACES_SAMPLER_ARG',
  'OTEL_SERVICE_NAME',
];

function workspaceTracingEnvironment(ctx: RenderContext): Record<string, string> {
  const env = backendEnvironment(ctx);
  return Object.fromEntries(COLLECTOR_VARIABLES.flatMap((name) => (env[name] ? [[name, env[name]]] : [])));
}

function devcontainerData(ctx: RenderContext) {
  const { serviceName, port, projectName } = ctx.answers;
  return {
    name: projectName,
    dockerComposeFile: [`../${COMPOSE_PATH}`, 'docker-compose.yml'],
    service: WORKSPACE_SERVICE,
    runServices: [WORKSPACE_SERVICE, serviceName, collectorOf(ctx.answers).service],
    workspaceFolder: '/workspace',
    shutdownAction: 'stopCompose',
    features: { 'ghcr.io/devcontainers/features/aws-cli:1': {} },
    forwardPorts: [`${serviceName}:${port}`],
    portsAttributes: { [`${serviceName}:${port}`]: { label: serviceName, onAutoForward: 'silent' } },
    postCreateCommand: `npm --prefix ${serviceName} install && ${SETUP_COMMAND}`,
    secrets: Object.fromEntries(
      Object.entries(secrets(`the ${collectorOf(ctx.answers).label}`)).map(([name, description]) => [
        name,
        { description, documentationUrl: 'https://github.com/features/codespaces' },
      ]),
    ),
    customizations: { vscode: { extensions: ['ms-azuretools.vscode-docker', 'dbaeumer.vscode-eslint'] } },
  };
}

export function renderDevcontainer(ctx: RenderContext): GeneratedFile {
  const header = `${generatedBy('// ')}\n`;
  return {
    path: DEVCONTAINER_PATH,
    contents: header + JSON.stringify(devcontainerData(ctx), null, 2) + '\n',
  };
}

function devcontainerComposeData(ctx: RenderContext) {
  return {
    services: {
      [WORKSPACE_SERVICE]: {
        image: 'mcr.microsoft.com/devcontainers/typescript-node:1-24-bookworm',
        // Relative to the project directory: the first compose file's folder.
        volumes: ['.:/workspace:cached'],
        command: ['sleep', 'infinity'],
        environment: {
          AWS_REGION: regionVariable(ctx.answers.region),
          ...workspaceTracingEnvironment(ctx),
        },
      },
    },
  };
}

export function renderDevcontainerCompose(ctx: RenderContext): GeneratedFile {
  const doc = new Document(devcontainerComposeData(ctx));
  doc.commentBefore = `${generatedBy(' ')}\n Added to ../docker-compose.yml by devcontainer.json.`;
  return { path: DEVCONTAINER_COMPOSE_PATH, contents: doc.toString({ lineWidth: 0 }) };
}
