import ejs from 'ejs';
import { SERVICE_ANNOTATION, groupFilterExpression } from '../answers/names.js';
import { COLLECTOR_PROFILE, TRACES_OVERRIDE_PATH, tracesCommand } from './compose-traces.js';
import { CLI_COMMAND, CONFIG_COMMAND, SETUP_COMMAND } from './cli-command.js';
import { collectorOf } from './collector.js';
import type { GeneratedFile, RenderContext } from './types.js';
import { XRAY_RULE_PATH } from './xray-rule.js';

const README_PATH = 'README.md';
const TEMPLATE = 'app/README.md.ejs';

export function renderReadme(ctx: RenderContext): GeneratedFile {
  const collector = collectorOf(ctx.answers);
  const data = {
    ...ctx.answers,
    filterExpression: groupFilterExpression(ctx.answers.serviceName),
    annotationKey: SERVICE_ANNOTATION,
    tracesCommand: tracesCommand(ctx),
    tracesOverride: TRACES_OVERRIDE_PATH,
    collectorService: collector.service,
    collectorProfile: COLLECTOR_PROFILE,
    collectorLabel: collector.label,
    rulePath: XRAY_RULE_PATH,
    cliCommand: CLI_COMMAND,
    setupCommand: SETUP_COMMAND,
    configCommand: CONFIG_COMMAND,
  };
  return { path: README_PATH, contents: ejs.render(ctx.templates(TEMPLATE), data, { filename: TEMPLATE }) };
}
