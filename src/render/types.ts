import type { Answers } from '../answers/table.js';
import type { WorkspaceHost } from '../answers/workspace-host.js';

/** Reads a template's text by its path under templates/ (e.g. `app/README.md.ejs`). */
export type TemplateSource = (path: string) => string;

/** Everything a renderer may look at. Renderers are pure functions of it. */
export interface RenderContext {
  answers: Answers;
  host: WorkspaceHost;
  templates: TemplateSource;
}

/** One generated file: a workspace-relative POSIX path and its full text. */
export interface GeneratedFile {
  path: string;
  contents: string;
}
