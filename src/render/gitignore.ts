import type { GeneratedFile, RenderContext } from './types.js';

const GITIGNORE_PATH = '.gitignore';

export function renderGitignore(_ctx: RenderContext): GeneratedFile {
  return { path: GITIGNORE_PATH, contents: ['.env', 'node_modules/', 'dist/', '*.log', ''].join('\n') };
}
