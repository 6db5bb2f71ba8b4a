// Every environment variable the workspace reads, and who reads it: the one
// table .env.example, compose's backend and collector environments and the
// backend README's variable table are rendered from (the collector's own
// configuration, the agent's CW_CONFIG_CONTENT, is in collector.ts). A test
// checks it against what the backend's sources read. A variable only one tracing variant reads names
// that variant in `variants`.
import type { Answers, Tracing } from '../answers/table.js';
import { xrayUrlPattern } from '../answers/workspace-host.js';
import { AGENT_OTLP_ENDPOINT, AGENT_SAMPLER_ARG, otlpTracesEndpoint, samplerArg } from './agent.js';
import { DAEMON_ADDRESS, daemonAddress } from './daemon.js';
import { XRAY_RULE_PATH } from './xray-rule.js';
import type { RenderContext } from './types.js';

/** The workspace's AWS_REGION, else the answered region. */
export function regionVariable(region: string): string {
  return `\${AWS_REGION:-${region}}`;
}

/** `collector`: the X-Ray daemon or the CloudWatch agent, per tracing variant. */
type Reader = 'backend' | 'collector' | 'setup';

interface WorkspaceVariable {
  name: string;
  readBy: readonly Reader[];
  /** The tracing variants whose workspace reads it; absent: every variant. */
  variants?: readonly Tracing[];
  /** Its value in .env.example: never a secret, so secrets are empty. */
  example: (ctx: RenderContext) => string;
  /** .env.example's comment above it. */
  note: string;
  /** Its value in compose's backend `environment`; absent: not set there. */
  backend?: (ctx: RenderContext) => string;
  /** Its value in the collector service's compose `environment` (readBy collector). */
  collector?: (ctx: RenderContext) => string;
  /** The backend README's meaning column (readBy backend). */
  meaning?: (answers: Answers) => string;
}

const ROLLBAR_API = 'https://api.rollbar.com/api/1/';

/** Where .env.example points a backend run outside compose: a collector or `traces` on this machine. */
const LOOPBACK = '127.0.0.1';

/** In compose's backend order, then the rest; .env.example lists them in this order. */
const WORKSPACE_VARIABLES: readonly WorkspaceVariable[] = [
  {
    name: 'PORT',
    readBy: ['backend'],
    example: ({ answers }) => String(answers.port),
    note: 'backend port',
    backend: ({ answers }) => String(answers.port),
    meaning: (a) => `Port to listen on (default ${a.port}).`,
  },
  {
    name: 'AWS_XRAY_URL',
    readBy: ['backend'],
    variants: ['xray'],
    example: ({ answers, host }) => xrayUrlPattern(host, answers.port),
    note: 'dynamic naming: requests to a matching Host are named by it',
    backend: ({ answers, host }) => xrayUrlPattern(host, answers.port),
    meaning: (a) =>
      `Dynamic naming: a request whose Host matches this glob (\`*\`, \`?\`) is named by its Host; any other by \`${a.serviceName}\`. Empty: always \`${a.serviceName}\`.`,
  },
  {
    name: 'AWS_XRAY_DAEMON_ADDRESS',
    readBy: ['backend'],
    variants: ['xray'],
    example: () => daemonAddress(LOOPBACK),
    note: `outside compose; compose sets ${DAEMON_ADDRESS}`,
    backend: () => DAEMON_ADDRESS,
    meaning: () =>
      'X-Ray daemon, `host:port` (UDP for segments, TCP for sampling rules), or `udp:host:port tcp:host:port`. An unusable value (no port, a port outside 1-65535) turns tracing off with one warning saying what to fix; the backend still starts and serves.',
  },
  {
    name: 'OTEL_SERVICE_NAME',
    readBy: ['backend'],
    variants: ['otel'],
    example: ({ answers }) => answers.serviceName,
    note: 'X-Ray segment name; the rule and group expect it',
    backend: ({ answers }) => answers.serviceName,
    meaning: (a) =>
      `\`service.name\`, the X-Ray segment name (default \`${a.serviceName}\`; the sampling rule and group expect exactly that).`,
  },
  {
    name: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
    readBy: ['backend'],
    variants: ['otel'],
    example: () => otlpTracesEndpoint(LOOPBACK),
    note: `outside compose; compose sets ${AGENT_OTLP_ENDPOINT}`,
    backend: () => AGENT_OTLP_ENDPOINT,
    meaning: () =>
      'Where spans go, OTLP/HTTP JSON (default `http://localhost:4318/v1/traces`; compose: the CloudWatch agent).',
  },
  {
    name: 'OTEL_TRACES_SAMPLER',
    readBy: ['backend'],
    variants: ['otel'],
    example: () => 'xray',
    note: `sampled by the X-Ray rules in ${XRAY_RULE_PATH}`,
    backend: () => 'xray',
    meaning: () => '`xray` (default: the X-Ray sampling rules), `always_on` or `always_off`.',
  },
  {
    name: 'OTEL_TRACES_SAMPLER_ARG',
    readBy: ['backend'],
    variants: ['otel'],
    example: () => samplerArg(LOOPBACK),
    note: `outside compose; compose sets ${AGENT_SAMPLER_ARG}`,
    backend: () => AGENT_SAMPLER_ARG,
    meaning: () =>
      "`endpoint=http://localhost:2000` (the agent's X-Ray sampling proxy), optionally `,polling_interval=<seconds>`.",
  },
  {
    name: 'AWS_REGION',
    readBy: ['collector', 'setup'],
    example: ({ answers }) => answers.region,
    note: 'region of the X-Ray group and rule',
    backend: ({ answers }) => regionVariable(answers.region),
    collector: ({ answers }) => regionVariable(answers.region),
  },
  {
    name: 'ROLLBAR_ACCESS_TOKEN',
    readBy: ['backend', 'setup'],
    example: () => '',
    note: 'secret: a post_server_item token',
    backend: () => '${ROLLBAR_ACCESS_TOKEN}',
    meaning: () => 'A `post_server_item` token. Unset: Rollbar is disabled. Never written to a file.',
  },
  {
    name: 'ROLLBAR_ENVIRONMENT',
    readBy: ['backend', 'setup'],
    example: ({ answers }) => answers.rollbarEnvironment,
    note: 'Rollbar environment',
    backend: ({ answers }) => answers.rollbarEnvironment,
    meaning: (a) => `Rollbar environment (default ${a.rollbarEnvironment}).`,
  },
  {
    name: 'ROLLBAR_ENDPOINT',
    readBy: ['backend', 'setup'],
    example: () => '',
    note: `optional API base; empty means ${ROLLBAR_API}`,
    // Passed through so a ROLLBAR_ENDPOINT set for `setup`'s check also reaches the backend.
    backend: () => '${ROLLBAR_ENDPOINT:-}',
    meaning: () => `Rollbar API base (default \`${ROLLBAR_API}\`).`,
  },
  {
    name: 'HOST',
    readBy: ['backend'],
    example: () => '',
    note: 'the backend outside compose: address to bind; empty means every address',
    meaning: () => 'Address to bind (default: all).',
  },
  {
    name: 'ENABLE_CRASH_ROUTE',
    readBy: ['backend'],
    example: () => '',
    note: 'the backend outside compose: `true` mounts GET /rollbar/test/crash',
    meaning: () => '`true` mounts `GET /rollbar/test/crash`.',
  },
  {
    name: 'AWS_ACCESS_KEY_ID',
    readBy: ['collector', 'setup'],
    collector: () => '${AWS_ACCESS_KEY_ID}',
    example: () => '',
    note: 'secret: the X-Ray daemon (or CloudWatch agent) and `setup`',
  },
  {
    name: 'AWS_SECRET_ACCESS_KEY',
    readBy: ['collector', 'setup'],
    collector: () => '${AWS_SECRET_ACCESS_KEY}',
    example: () => '',
    note: 'secret',
  },
  {
    name: 'AWS_SESSION_TOKEN',
    readBy: ['collector', 'setup'],
    collector: () => '${AWS_SESSION_TOKEN:-}',
    example: () => '',
    note: 'secret, only for temporary credentials',
  },
  {
    name: 'AWS_ENDPOINT_URL_XRAY',
    readBy: ['setup'],
    example: () => '',
    note: 'optional X-Ray API endpoint for `setup`',
  },
];

/** The variables of this workspace's tracing variant. */
export function workspaceVariables(ctx: RenderContext): WorkspaceVariable[] {
  return WORKSPACE_VARIABLES.filter((v) => !v.variants || v.variants.includes(ctx.answers.tracing));
}

function composeEnvironment(ctx: RenderContext, service: 'backend' | 'collector'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of workspaceVariables(ctx)) {
    const value = v[service]?.(ctx);
    if (value !== undefined) out[v.name] = value;
  }
  return out;
}

/** Compose's `environment` for the backend, in table order. */
export function backendEnvironment(ctx: RenderContext): Record<string, string> {
  return composeEnvironment(ctx, 'backend');
}

/** Compose's `environment` for the collector, in table order: credentials and region passed through, never a value. */
export function collectorEnvironment(ctx: RenderContext): Record<string, string> {
  return composeEnvironment(ctx, 'collector');
}
