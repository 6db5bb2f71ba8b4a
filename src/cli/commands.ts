// The sub-commands and their behaviour flags. Answer flags come from
// ANSWER_SPECS; together these two tables are everything --help, the argv
// parser, the Yeoman generators and the README know about options.

export type CommandName = 'app' | 'config' | 'setup' | 'doctor' | 'traces';

export interface FlagSpec {
  /** Long flag without dashes. */
  flag: string;
  short?: string;
  /** Takes a value, shown as `--flag <value>`; without it the flag is a switch. */
  value?: string;
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
      { flag: 'strict', description: 'Exit 1 also when a step is skipped (no credentials or token)' },
      { flag: 'dry-run', description: 'Print the calls it would make; make none' },
    ],
  },
  doctor: {
    name: 'doctor',
    usage: 'cruddur-observability doctor [options]',
    summary: 'Find why traces or errors do not show: check each link, then send one probe trace (read-only)',
    takesAnswers: false,
    flags: [
      { flag: 'json', description: 'Print one JSON object {ok, checks} instead of lines' },
      {
        flag: 'timeout',
        value: 'seconds',
        description: 'How long to wait for the probe trace to land (default 60)',
      },
      { flag: 'url', value: 'url', description: "The backend's base URL (default http://127.0.0.1:<port>)" },
    ],
  },
  traces: {
    name: 'traces',
    usage: 'cruddur-observability traces [options]',
    summary: 'A local X-Ray daemon that draws each trace in the terminal (no AWS account)',
    takesAnswers: false,
    flags: [
      {
        flag: 'listen',
        value: 'host:port',
        description: 'UDP segments and the TCP sampling proxy (default 127.0.0.1:2000)',
      },
      { flag: 'json', description: 'One JSON line per completed trace on stdout' },
      {
        flag: 'otlp',
        value: 'host:port',
        description: 'OTLP/HTTP JSON receiver, POST /v1/traces (default 127.0.0.1:4318)',
      },
    ],
  },
};

export const COMMAND_NAMES = Object.keys(COMMANDS) as CommandName[];
