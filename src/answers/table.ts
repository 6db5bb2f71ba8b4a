// The one table of answers. Flags, prompts, defaults, validation, .yo-rc.json
// and the README's option list are all derived from ANSWER_SPECS; nothing
// about an answer is listed anywhere else.
import type { Env } from '../cli/io.js';
import { XRAY_NAME_LENGTH, xrayNameProblem } from './names.js';
import { XRAY_RULE_PATH } from '../render/xray-rule.js';

export interface Answers {
  projectName: string;
  serviceName: string;
  groupName: string;
  ruleName: string;
  region: string;
  port: number;
  samplingRate: number;
  reservoirSize: number;
  rollbarEnvironment: string;
  tracing: Tracing;
}

/** The backend's tracing variant: the X-Ray SDK and daemon, or OpenTelemetry and the CloudWatch agent. */
export const TRACING_VARIANTS = ['xray', 'otel'] as const;
export type Tracing = (typeof TRACING_VARIANTS)[number];

export type AnswerName = keyof Answers;

/** Answer values as given (flags, stored, prompted), not yet validated. */
export type Given = Partial<Record<AnswerName, unknown>>;

/** What defaults may depend on: the target directory and the environment. */
export interface DefaultsContext {
  targetDirName: string;
  env: Env;
}

export interface AnswerSpec<K extends AnswerName = AnswerName> {
  name: K;
  /** Long flag without dashes, e.g. `service-name`. */
  flag: string;
  /** One line for --help, the prompt and the README. */
  description: string;
  /** Shown in --help and the README where the default is computed. */
  defaultText: string;
  /** Where the answer ends up (README). */
  usedIn: string;
  /**
   * Whether a change of it must reach AWS through `setup` (the X-Ray group or
   * sampling rule, or the region they live in): `config` then says to run it.
   */
  setup: boolean;
  default(ctx: DefaultsContext, earlier: Partial<Answers>): Answers[K];
  /** Turns flag/prompt text into a value, or returns the rule it broke. */
  parse(raw: string): Answers[K] | RuleBroken;
  /** A closed set of values: the prompt offers them as a list, each with when to pick it. */
  choices?: ReadonlyArray<{ value: Answers[K]; name: string }>;
}

/** A validation failure: the rule in words, to be prefixed with the flag. */
export class RuleBroken {
  constructor(readonly rule: string) {}
}

// X-Ray's own limits and its reserved name live in names.ts. The character
// set is narrower than the API allows so a name is safe unquoted in a shell,
// YAML and the console's filter box.
const { min: XRAY_MIN, max: XRAY_MAX } = XRAY_NAME_LENGTH;
const XRAY_NAME = new RegExp(`^[A-Za-z0-9_-]{${XRAY_MIN},${XRAY_MAX}}$`);
const XRAY_NAME_RULE = `must be ${XRAY_MIN}-${XRAY_MAX} characters: letters, digits, "-" or "_"`;

// One name serves as compose service, DNS label on the compose network (and
// in devcontainer.json's forwardPorts `service:port`), directory, npm package
// name and X-Ray ServiceName (<= 64), so it takes the intersection of their rules.
const SERVICE_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

// Commercial, GovCloud, China and ISO partitions: af-south-1, us-gov-west-1,
// cn-north-1, us-isob-east-1, eu-central-2, ap-southeast-5 ...
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;

function pattern(re: RegExp, rule: string): (raw: string) => string | RuleBroken {
  return (raw) => (re.test(raw) ? raw : new RuleBroken(rule));
}

/** A group or rule name: our character set, then X-Ray's own rules. */
function xrayName(kind: 'group' | 'sampling rule'): (raw: string) => string | RuleBroken {
  return (raw) => {
    if (!XRAY_NAME.test(raw)) return new RuleBroken(XRAY_NAME_RULE);
    const problem = xrayNameProblem(raw, kind);
    return problem ? new RuleBroken(problem) : raw;
  };
}

// Project names and Rollbar environments: a plain word of up to 64 characters.
const PLAIN_NAME = pattern(
  /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
  'must be 1-64 characters: letters, digits, ".", "-" or "_", starting with a letter or digit',
);

function integer(min: number, max: number, rule: string): (raw: string) => number | RuleBroken {
  return (raw) => {
    if (!/^\d+$/.test(raw.trim())) return new RuleBroken(rule);
    const n = Number(raw);
    return Number.isSafeInteger(n) && n >= min && n <= max ? n : new RuleBroken(rule);
  };
}

/** "my-cool_app" -> "MyCoolApp", clipped to a valid X-Ray name. */
function pascalName(projectName: string): string {
  const words = projectName.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const joined = words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
  return (joined || 'Workspace').slice(0, 32);
}

function projectNameFromDir(dirName: string): string {
  const cleaned = dirName.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return cleaned.slice(0, 64) || 'workspace';
}

export const ANSWER_SPECS: { [K in AnswerName]: AnswerSpec<K> } = {
  projectName: {
    name: 'projectName',
    flag: 'project-name',
    description: 'Project name (README title, default group and rule names)',
    defaultText: 'target directory name',
    usedIn: 'README.md, .yo-rc.json',
    setup: false,
    default: (ctx) => projectNameFromDir(ctx.targetDirName),
    parse: PLAIN_NAME,
  },
  serviceName: {
    name: 'serviceName',
    flag: 'service-name',
    description: 'Backend service name (compose service, directory, X-Ray service)',
    defaultText: 'backend-express',
    usedIn: `docker-compose.yml, <service-name>/, ${XRAY_RULE_PATH}, X-Ray group filter`,
    setup: true,
    default: () => 'backend-express',
    parse: pattern(
      SERVICE_NAME,
      'must be 1-63 characters: lowercase letters, digits or "-", starting and ending with a letter or digit',
    ),
  },
  groupName: {
    name: 'groupName',
    flag: 'group-name',
    description: 'X-Ray group name',
    defaultText: 'project name in PascalCase, e.g. Cruddur',
    usedIn: 'setup (X-Ray group), README.md',
    setup: true,
    default: (_ctx, earlier) => pascalName(earlier.projectName ?? ''),
    parse: xrayName('group'),
  },
  ruleName: {
    name: 'ruleName',
    flag: 'rule-name',
    description: 'X-Ray sampling rule name',
    defaultText: 'project name in PascalCase, e.g. Cruddur',
    usedIn: `${XRAY_RULE_PATH}, setup (sampling rule)`,
    setup: true,
    default: (_ctx, earlier) => pascalName(earlier.projectName ?? ''),
    parse: xrayName('sampling rule'),
  },
  region: {
    name: 'region',
    flag: 'region',
    description: 'AWS region',
    defaultText: '$AWS_REGION, $AWS_DEFAULT_REGION or us-east-1',
    usedIn: 'docker-compose.yml, .env.example, setup',
    setup: true,
    default: (ctx) => {
      for (const v of [ctx.env.AWS_REGION, ctx.env.AWS_DEFAULT_REGION]) {
        if (v && REGION.test(v)) return v;
      }
      return 'us-east-1';
    },
    parse: pattern(REGION, 'must be an AWS region such as us-east-1 or eu-west-2'),
  },
  port: {
    name: 'port',
    flag: 'port',
    description: 'Backend port',
    defaultText: '4567',
    usedIn: 'docker-compose.yml, .gitpod.yml, devcontainer.json, AWS_XRAY_URL',
    setup: false,
    default: () => 4567,
    parse: integer(1, 65535, 'must be a whole number from 1 to 65535'),
  },
  samplingRate: {
    name: 'samplingRate',
    flag: 'sampling-rate',
    description: 'Sampling rule FixedRate, the share of requests traced after the reservoir',
    defaultText: '0.1',
    usedIn: XRAY_RULE_PATH,
    setup: true,
    default: () => 0.1,
    parse: (raw) => {
      const n = /^\s*(\d+(\.\d*)?|\.\d+)\s*$/.test(raw) ? Number(raw) : NaN;
      return n >= 0 && n <= 1 ? n : new RuleBroken('must be a number from 0 to 1, e.g. 0.05');
    },
  },
  reservoirSize: {
    name: 'reservoirSize',
    flag: 'reservoir-size',
    description: 'Sampling rule ReservoirSize, requests traced per second before FixedRate applies',
    defaultText: '5',
    usedIn: XRAY_RULE_PATH,
    setup: true,
    default: () => 5,
    parse: integer(0, 2_147_483_647, 'must be a whole number from 0 up'),
  },
  rollbarEnvironment: {
    name: 'rollbarEnvironment',
    flag: 'rollbar-environment',
    description: 'Rollbar environment the backend reports to',
    defaultText: 'development',
    usedIn: 'docker-compose.yml, .env.example',
    setup: false,
    default: () => 'development',
    parse: PLAIN_NAME,
  },
  tracing: {
    name: 'tracing',
    flag: 'tracing',
    description:
      'Tracing: xray (X-Ray SDK + daemon, as the bootcamp teaches) or otel (OpenTelemetry + CloudWatch agent; ' +
      'pick it for anything meant to outlive 2027-02-25, when AWS ends X-Ray SDK and daemon support)',
    defaultText: 'xray',
    usedIn: '<service-name>/, docker-compose.yml, .gitpod.yml, .devcontainer/, .env.example, README.md',
    setup: false,
    default: () => 'xray',
    parse: (raw) =>
      (TRACING_VARIANTS as readonly string[]).includes(raw)
        ? (raw as Tracing)
        : new RuleBroken('must be xray or otel'),
    choices: [
      {
        value: 'xray',
        name: 'xray: aws-xray-sdk + X-Ray daemon (what the bootcamp teaches; support ends 2027-02-25)',
      },
      { value: 'otel', name: "otel: OpenTelemetry + CloudWatch agent (AWS's path forward after 2027-02-25)" },
    ],
  },
};

/** Table order is prompt order; later defaults may depend on earlier answers. */
export const ANSWER_NAMES = Object.keys(ANSWER_SPECS) as AnswerName[];

/** A user mistake: one line, names what was wrong and how to fix it. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Validates one raw value (flag, prompt or .yo-rc.json) for `name`. */
function parseAnswer<K extends AnswerName>(name: K, raw: unknown, source: string): Answers[K] {
  const spec = ANSWER_SPECS[name] as AnswerSpec<K>;
  const text = String(raw);
  const value = spec.parse(text);
  if (value instanceof RuleBroken) {
    throw new UsageError(`${source} ${JSON.stringify(text)} ${value.rule}`);
  }
  return value;
}

/**
 * Completes answers from given values (flags, stored, prompted) and defaults,
 * in table order, validating every given value. `sources` names where a value
 * came from for the error message (default: its flag).
 */
export function resolveAnswers(
  given: Given,
  ctx: DefaultsContext,
  sourceOf: (name: AnswerName) => string = (name) => `--${ANSWER_SPECS[name].flag}`,
): Answers {
  const out: Partial<Answers> = {};
  for (const name of ANSWER_NAMES) {
    const raw = given[name];
    const value =
      raw === undefined ? ANSWER_SPECS[name].default(ctx, out) : parseAnswer(name, raw, sourceOf(name));
    (out as Record<AnswerName, unknown>)[name] = value;
  }
  return out as Answers;
}
