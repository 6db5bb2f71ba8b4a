// Names the generated workspace uses besides the backend's: the top-level
// paths of its other files and its other compose services. The backend's
// directory and compose service are named by the service name, so it must be
// none of these (`aws` would put the backend in aws/, beside
// aws/json/x-ray.json, and a later rename would carry the rule away with it).
// Found by rendering, so a file or service a later version or another
// tracing variant adds is covered with no list to keep up to date.
import { parse } from 'yaml';
import type { Answers } from '../answers/table.js';
import type { WorkspaceHost } from '../answers/workspace-host.js';
import type { TemplateSource } from './types.js';
import { renderWorkspace } from './workspace.js';

// Upper case: never a valid service name, so it stands for the backend
// without colliding with anything the workspace renders.
const PROBE = 'SERVICE-NAME';

const COMPOSE_FILE = /(^|\/)(docker-)?compose(\.[\w-]+)*\.ya?ml$/;

/** Lower-cased name -> what uses it, in words. */
function takenNames(answers: Answers, host: WorkspaceHost, templates: TemplateSource): Map<string, string> {
  const files = renderWorkspace({ answers: { ...answers, serviceName: PROBE }, host, templates });
  const taken = new Map<string, string>();
  const take = (name: string, what: string) => {
    if (name !== PROBE && !taken.has(name.toLowerCase())) taken.set(name.toLowerCase(), what);
  };
  for (const file of files) {
    take(file.path.split('/')[0]!, file.path);
    if (!COMPOSE_FILE.test(file.path)) continue;
    const services = (parse(file.contents) as { services?: Record<string, unknown> } | null)?.services;
    for (const name of Object.keys(services ?? {})) take(name, `the ${name} service in ${file.path}`);
  }
  return taken;
}

/** Why the service name cannot be used (it collides with what the workspace generates), or undefined. */
export function serviceNameCollision(
  answers: Answers,
  host: WorkspaceHost,
  templates: TemplateSource,
): string | undefined {
  const what = takenNames(answers, host, templates).get(answers.serviceName.toLowerCase());
  return what && `collides with ${what}, which the generator writes; choose another name`;
}
