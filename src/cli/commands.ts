// The sub-commands: their behaviour flags and the one function each runs.
// Answer flags come from ANSWER_SPECS; together these two tables are
// everything --help, the argv parser, the Yeoman generators and the README
// know about options. A command added here is run by the bin (cli/run.ts)
// and, through the generic adapter (yeoman/generator.ts), by
// `yo cruddur-observability:<name>` once generators/<name>/index.ts names it.
import type { Invocation } from './args.js';
import type { Io } from './io.js';

export type CommandName = 'app' | 'config' | 'setup' | 'doctor' | 'traces';

/** A command: what the user asked for and the outside world in, the exit code out. */
type CommandFn = (inv: Invocation, io: Io) => Promise<number>;

export interface FlagSpec {
  /** Long flag without dashes. */
  flag: string;
  short?: string;
  /** Takes a value, shown as `--flag <value>`; without it the flag is a switch. */
  value?: string;
  description: string;
}

interface CommandSpec {
  name: CommandName;
  usage: string;
  summary: string;
  /** Whether the answer flags apply (they change stored answers). */
  takesAnswers: boolean;
  /** The one positional argument it takes, if any. */
  argument?: { name: string; description: string };
  flags: FlagSpec[];
  /** Runs the command; its module loads only when it runs (--help loads none). */
  run: CommandFn;
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
    argument: { name: 'dir', description: 'Target directory (default: .)' },
    flags: [
      YES,
      { flag: 'skip-install', description: "Don't install the backend's dependencies" },
      { flag: 'skip-hooks', description: "Don't run setup afterwards" },
      FORCE,
      DRY_RUN_DIFF,
    ],
    run: async (inv, io) => (await import('../app/command.js')).runApp(inv, io),
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
    run: async (inv, io) => (await import('../config/command.js')).runConfig(inv, io),
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
    run: async (inv, io) => (await import('../setup/command.js')).runSetup(inv, io),
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
    run: async (inv, io) => (await import('../doctor/command.js')).runDoctor(inv, io),
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
    run: async (inv, io) => (await import('../traces/command.js')).runTracesUntilSignal(inv, io),
  },
};

export const COMMAND_NAMES = Object.keys(COMMANDS) as CommandName[];
