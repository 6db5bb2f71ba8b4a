// .devcontainer/: a compose-based Dev Container (Codespaces, Ona, VS Code).
// The editor attaches to a `workspace` service; the backend and the daemon
// run beside it from the project's own docker-compose.yml.
import { Document } from 'yaml';
import { COMPOSE_PATH } from './compose.js';
import { DAEMON_ADDRESS, DAEMON_SERVICE } from './daemon.js';
import { regionVariable } from './environment.js';
import { SETUP_COMMAND } from './cli-command.js';
import { generatedBy } from './marker.js';
import type { GeneratedFile, RenderContext } from './types.js';

export const DEVCONTAINER_PATH = '.devcontainer/devcontainer.json';
export const DEVCONTAINER_COMPOSE_PATH = '.devcontainer/docker-compose.yml';
export const WORKSPACE_SERVICE = 'workspace';

const SECRETS = {
  AWS_ACCESS_KEY_ID: 'AWS access key for the X-Ray daemon and the setup hook',
  AWS_SECRET_ACCESS_KEY: 'AWS secret key for the X-Ray daemon and the setup hook',
  ROLLBAR_ACCESS_TOKEN: 'Rollbar project token with the post_server_item scope',
};

export function devcontainerData(ctx: RenderContext) {
  const { serviceName, port, projectName } = ctx.answers;
  return {
    name: projectName,
    dockerComposeFile: [`../${COMPOSE_PATH}`, 'docker-compose.yml'],
    service: WORKSPACE_SERVICE,
    runServices: [WORKSPACE_SERVICE, serviceName, DAEMON_SERVICE],
    workspaceFolder: '/workspace',
    shutdownAction: 'stopCompose',
    features: { 'ghcr.io/devcontainers/features/aws-cli:1': {} },
    forwardPorts: [`${serviceName}:${port}`],
    portsAttributes: { [`${serviceName}:${port}`]: { label: serviceName, onAutoForward: 'silent' } },
    postCreateCommand: `npm --prefix ${serviceName} install && ${SETUP_COMMAND}`,
    secrets: Object.fromEntries(
      Object.entries(SECRETS).map(([name, description]) => [
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

export function devcontainerComposeData(ctx: RenderContext) {
  return {
    services: {
      [WORKSPACE_SERVICE]: {
        image: 'mcr.microsoft.com/devcontainers/typescript-node:1-24-bookworm',
        // Relative to the project directory: the first compose file's folder.
        volumes: ['.:/workspace:cached'],
        command: ['sleep', 'infinity'],
        environment: {
          AWS_REGION: regionVariable(ctx.answers.region),
          AWS_XRAY_DAEMON_ADDRESS: DAEMON_ADDRESS,
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
