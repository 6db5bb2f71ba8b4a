import type { Answers } from '../answers/table.js';
import type { WorkspaceHost } from '../answers/workspace-host.js';

/**
 * The templates: called with a path under templates/ (e.g.
 * `app/README.md.ejs`) it gives that template's text; `list(dir)` gives the
 * path of every template file under `dir`, relative to it, each directory's
 * files before its subdirectories, both sorted.
 */
export interface TemplateSource {
  (path: string): string;
  list(dir: string): readonly string[];
}

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
