// The sub-commands and their behaviour flags. Answer flags come from
// ANSWER_SPECS; together these two tables are everything --help, the argv
// parser, the Yeoman generators and the README know about options.

export type CommandName = 'app' | 'config' | 'setup';

export interface FlagSpec {
  /** Long flag without dashes. */
  flag: string;
  short?: string;
  description: string;
}

export interface CommandSpec {
  name: CommandName;
  usage: string;
  summary: string;
  /** Whether the answer flags apply (they change stored answers). */
  takesAnswers: boolean;
  flags: FlagSpec[];
}

const YES: FlagSpec = {
  flag: 'yes',
  short: 'y',
  description: 'No prompts: flags, stored answers and defaults',
};
const FORCE: FlagSpec = {
  flag: 'force',
  description: 'Overwrite files that differ (app) or conflicts (config)',
};
const DRY_RUN_DIFF: FlagSpec = {
  flag: 'dry-run',
  description: 'Print a unified diff of the changes; write nothing',
};

export const COMMANDS: Record<CommandName, CommandSpec> = {
  app: {
    name: 'app',
    usage: 'cruddur-observability [app] [<dir>] [options]',
    summary: 'Scaffold the workspace in <dir> (default: the current directory)',
    takesAnswers: true,
    flags: [
      YES,
      { flag: 'skip-install', description: "Don't install the backend's dependencies" },
      { flag: 'skip-hooks', description: "Don't run setup afterwards" },
      FORCE,
      DRY_RUN_DIFF,
    ],
  },
  config: {
    name: 'config',
    usage: 'cruddur-observability config [options]',
    summary: 'Regenerate the configuration in the current directory, keeping your edits',
    takesAnswers: true,
    flags: [
      YES,
      DRY_RUN_DIFF,
      { flag: 'check', description: 'Exit 1 and print the diff when files are out of date (CI)' },
      FORCE,
      { flag: 'restore', description: 'Recreate generated files you deleted' },
    ],
  },
  setup: {
    name: 'setup',
    usage: 'cruddur-observability setup [options]',
    summary: 'Create or update the X-Ray group and sampling rule, verify the Rollbar token',
    takesAnswers: false,
    flags: [
      { flag: 'strict', description: 'Exit non-zero when a step is skipped or fails' },
      { flag: 'dry-run', description: 'Print the calls it would make; make none' },
    ],
  },
};

export const COMMAND_NAMES = Object.keys(COMMANDS) as CommandName[];
