// .env.example: every variable the workspace reads, never a secret value.
// Copied to .env (git-ignored), it feeds docker compose's interpolation.
import { workspaceVariables } from './environment.js';
import type { GeneratedFile, RenderContext } from './types.js';

export const ENV_EXAMPLE_PATH = '.env.example';

export function renderEnvExample(ctx: RenderContext): GeneratedFile {
  const lines = [
    '# Copy to .env (git-ignored) and fill in the secrets, or set them with',
    '# `gp env NAME=value` in Gitpod or as Codespaces secrets. Never commit .env.',
    '',
    ...workspaceVariables(ctx).flatMap((v) => [`# ${v.note}`, `${v.name}=${v.example(ctx)}`]),
  ];
  return { path: ENV_EXAMPLE_PATH, contents: lines.join('\n') + '\n' };
}
