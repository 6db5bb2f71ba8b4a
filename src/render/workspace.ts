// Every file of a generated workspace, from the answers. Pure.
import { renderBackend } from './backend.js';
import { renderCompose } from './compose.js';
import { renderTracesOverride } from './compose-traces.js';
import { renderDevcontainer, renderDevcontainerCompose } from './devcontainer.js';
import { renderEnvExample } from './env-example.js';
import { renderGitignore } from './gitignore.js';
import { renderGitpod } from './gitpod.js';
import { renderReadme } from './readme.js';
import { renderXrayRule } from './xray-rule.js';
import type { GeneratedFile, RenderContext } from './types.js';

const RENDERERS: Array<(ctx: RenderContext) => GeneratedFile | GeneratedFile[]> = [
  renderCompose,
  renderTracesOverride,
  renderXrayRule,
  renderGitpod,
  renderDevcontainer,
  renderDevcontainerCompose,
  renderEnvExample,
  renderGitignore,
  renderReadme,
  renderBackend,
];

export function renderWorkspace(ctx: RenderContext): GeneratedFile[] {
  return RENDERERS.flatMap((render) => render(ctx));
}
