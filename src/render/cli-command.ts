// How a generated workspace calls the CLI (its start-up tasks, READMEs and
// compose files): the package and release line are package.json's.
import cliPackage from '../../packages/cruddur-observability/package.json' with { type: 'json' };

/**
 * The CLI package at the release line that generated the files, as a
 * workspace calls it: its start-up tasks and READMEs keep to the templates
 * they were made with, whatever the latest release is.
 */
export const CLI_COMMAND = `npx --yes ${cliPackage.name}@^${cliPackage.version}`;
export const SETUP_COMMAND = `${CLI_COMMAND} setup`;
export const CONFIG_COMMAND = `${CLI_COMMAND} config`;
