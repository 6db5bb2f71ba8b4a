// .env.example: every variable the workspace reads, never a secret value.
// Copied to .env (git-ignored), it feeds docker compose's interpolation.
import { xrayUrlPattern } from '../answers/workspace-host.js';
import { DAEMON_ADDRESS } from './compose.js';
import type { GeneratedFile, RenderContext } from './types.js';

export const ENV_EXAMPLE_PATH = '.env.example';

interface Variable {
  name: string;
  value: string;
  note: string;
}

export function envVariables(ctx: RenderContext): Variable[] {
  const { answers, host } = ctx;
  return [
    { name: 'AWS_ACCESS_KEY_ID', value: '', note: 'secret: X-Ray daemon and `setup`' },
    { name: 'AWS_SECRET_ACCESS_KEY', value: '', note: 'secret' },
    { name: 'AWS_SESSION_TOKEN', value: '', note: 'secret, only for temporary credentials' },
    { name: 'AWS_REGION', value: answers.region, note: 'region of the X-Ray group and rule' },
    { name: 'ROLLBAR_ACCESS_TOKEN', value: '', note: 'secret: a post_server_item token' },
    { name: 'ROLLBAR_ENVIRONMENT', value: answers.rollbarEnvironment, note: 'Rollbar environment' },
    { name: 'PORT', value: String(answers.port), note: 'backend port' },
    {
      name: 'AWS_XRAY_URL',
      value: xrayUrlPattern(host, answers.port),
      note: 'dynamic naming: requests to a matching Host are named by it',
    },
    {
      name: 'AWS_XRAY_DAEMON_ADDRESS',
      value: '127.0.0.1:2000',
      note: `outside compose; compose sets ${DAEMON_ADDRESS}`,
    },
    {
      name: 'ROLLBAR_ENDPOINT',
      value: '',
      note: 'optional API base; empty means https://api.rollbar.com/api/1/',
    },
    { name: 'AWS_ENDPOINT_URL_XRAY', value: '', note: 'optional X-Ray API endpoint for `setup`' },
  ];
}

export function renderEnvExample(ctx: RenderContext): GeneratedFile {
  const lines = [
    '# Copy to .env (git-ignored) and fill in the secrets, or set them with',
    '# `gp env NAME=value` in Gitpod or as Codespaces secrets. Never commit .env.',
    '',
    ...envVariables(ctx).flatMap((v) => [`# ${v.note}`, `${v.name}=${v.value}`]),
  ];
  return { path: ENV_EXAMPLE_PATH, contents: lines.join('\n') + '\n' };
}
