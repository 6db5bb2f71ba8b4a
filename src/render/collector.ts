// The container that takes the backend's traces to X-Ray, per tracing
// variant: the X-Ray daemon (X-Ray SDK segments over UDP) or the CloudWatch
// agent (OpenTelemetry spans over OTLP/HTTP). Compose, .gitpod.yml,
// .devcontainer/ and .env.example all take it from here, so they agree.
import type { Answers, Tracing } from '../answers/table.js';
import { AGENT_SERVICE, CLOUDWATCH_AGENT_IMAGE } from './agent.js';
import { DAEMON_SERVICE, XRAY_DAEMON_IMAGE } from './daemon.js';
import { collectorEnvironment, regionVariable } from './environment.js';
import type { RenderContext } from './types.js';

/**
 * The CloudWatch agent's configuration (CW_CONFIG_CONTENT): only its traces
 * pipeline. Its binds default to 127.0.0.1, which nothing else on the compose
 * network could reach, so each says 0.0.0.0; local_mode skips the EC2
 * metadata lookup a workspace has no answer for.
 */
function agentConfig(region: string) {
  return {
    traces: {
      traces_collected: {
        xray: { bind_address: '0.0.0.0:2000', tcp_proxy: { bind_address: '0.0.0.0:2000' } },
        otlp: { grpc_endpoint: '0.0.0.0:4317', http_endpoint: '0.0.0.0:4318' },
      },
      local_mode: true,
      region_override: region,
    },
  };
}

interface Collector {
  /** Its compose service name. */
  service: string;
  /** What it is, in prose. */
  label: string;
  /** Its compose service. */
  compose(ctx: RenderContext): Record<string, unknown>;
  /** Ports .gitpod.yml lists for it. */
  ports: Array<{ port: number; description: string }>;
}

const XRAY_DAEMON: Collector = {
  service: DAEMON_SERVICE,
  label: 'X-Ray daemon',
  compose: (ctx) => {
    const region = regionVariable(ctx.answers.region);
    return {
      image: XRAY_DAEMON_IMAGE,
      environment: collectorEnvironment(ctx),
      // The image's entrypoint is already `/xray` bound to 0.0.0.0:2000: pass
      // only flags, as a list (-o: not on EC2, -n: region).
      command: ['-o', '-n', region],
      ports: ['2000:2000/udp'],
    };
  },
  ports: [{ port: 2000, description: 'X-Ray daemon (UDP)' }],
};

const CLOUDWATCH_AGENT: Collector = {
  service: AGENT_SERVICE,
  label: 'CloudWatch agent',
  compose: (ctx) => {
    const region = regionVariable(ctx.answers.region);
    return {
      image: CLOUDWATCH_AGENT_IMAGE,
      environment: {
        ...collectorEnvironment(ctx),
        CW_CONFIG_CONTENT: JSON.stringify(agentConfig(region)),
      },
      ports: ['4318:4318', '2000:2000', '2000:2000/udp'],
    };
  },
  ports: [
    { port: 4318, description: 'CloudWatch agent (OTLP/HTTP traces)' },
    { port: 2000, description: 'CloudWatch agent (X-Ray sampling proxy)' },
  ],
};

export const COLLECTORS: Record<Tracing, Collector> = { xray: XRAY_DAEMON, otel: CLOUDWATCH_AGENT };

export function collectorOf(answers: Pick<Answers, 'tracing'>): Collector {
  return COLLECTORS[answers.tracing];
}
