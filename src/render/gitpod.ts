// .gitpod.yml: install, set up X-Ray and Rollbar, start the stack.
import { Document } from 'yaml';
import { SETUP_COMMAND } from './cli-command.js';
import { collectorOf } from './collector.js';
import { generatedBy } from './marker.js';
import type { GeneratedFile, RenderContext } from './types.js';

export const GITPOD_PATH = '.gitpod.yml';
const AWS_CLI_TASK = 'aws-cli';

const INSTALL_AWS_CLI = [
  'cd /workspace',
  'curl -fsSL "https://awscli.amazonaws.com/awscli-exe-linux-x86_64.zip" -o awscliv2.zip',
  'unzip -qo awscliv2.zip && sudo ./aws/install --update',
  'rm -rf aws awscliv2.zip',
  'cd "$GITPOD_REPO_ROOT"',
].join('\n');

function gitpodTasks(ctx: RenderContext) {
  const { serviceName } = ctx.answers;
  return [
    { name: AWS_CLI_TASK, env: { AWS_CLI_AUTO_PROMPT: 'on-partial' }, init: `${INSTALL_AWS_CLI}\n` },
    {
      name: serviceName,
      // Dependencies in init (prebuilds); setup in command, where `gp env`
      // secrets are present.
      init: `npm --prefix ${serviceName} install\n`,
      command: `${SETUP_COMMAND}\ndocker compose up --build\n`,
    },
  ];
}

function gitpodPorts(ctx: RenderContext) {
  const { serviceName, port } = ctx.answers;
  return [
    { name: serviceName, port, onOpen: 'ignore', visibility: 'public', description: 'Traced backend API' },
    ...collectorOf(ctx.answers).ports.map(({ port, description }) => ({
      name: collectorOf(ctx.answers).service,
      port,
      onOpen: 'ignore',
      description,
    })),
  ];
}

function gitpodData(ctx: RenderContext) {
  return {
    tasks: gitpodTasks(ctx),
    ports: gitpodPorts(ctx),
    vscode: { extensions: ['ms-azuretools.vscode-docker'] },
  };
}

export function renderGitpod(ctx: RenderContext): GeneratedFile {
  const doc = new Document(gitpodData(ctx));
  doc.commentBefore = generatedBy(' ');
  return { path: GITPOD_PATH, contents: doc.toString({ lineWidth: 0 }) };
}
