// docker-compose.traces.yml: the compose override that swaps the collector
// for `cruddur-observability traces` running on the host, with no AWS
// account: the backend sends to the host (host.docker.internal, mapped to the
// host's gateway on Linux too) and the collector service is left out through
// a profile, its dependency made optional so compose still starts the
// backend. Used as
//   docker compose -f docker-compose.yml -f docker-compose.traces.yml up --build
// while `npx cruddur-observability traces --listen 0.0.0.0:2000` runs.
import { Document } from 'yaml';
import { otlpTracesEndpoint, samplerArg } from './agent.js';
import { collectorOf } from './collector.js';
import { daemonAddress } from './daemon.js';
import { generatedBy } from './marker.js';
import type { GeneratedFile, RenderContext } from './types.js';
import { CLI_COMMAND } from './cli-command.js';

export const TRACES_OVERRIDE_PATH = 'docker-compose.traces.yml';
/** The profile that brings the collector back with the override (`--profile aws`). */
export const COLLECTOR_PROFILE = 'aws';
const HOST = 'host.docker.internal';
function tracesOverrideData(ctx: RenderContext) {
  const otel = ctx.answers.tracing === 'otel';
  // The service the override leaves out: the variant's collector.
  const collector = collectorOf(ctx.answers).service;
  const environment = otel
    ? {
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: otlpTracesEndpoint(HOST),
        OTEL_TRACES_SAMPLER_ARG: samplerArg(HOST),
      }
    : { AWS_XRAY_DAEMON_ADDRESS: daemonAddress(HOST) };
  return {
    services: {
      [ctx.answers.serviceName]: {
        environment,
        extra_hosts: [`${HOST}:host-gateway`],
        depends_on: { [collector]: { condition: 'service_started', required: false } },
      },
      [collector]: { profiles: [COLLECTOR_PROFILE] },
    },
  };
}

export function tracesCommand(ctx: RenderContext): string {
  return `${CLI_COMMAND} traces --listen 0.0.0.0:2000${ctx.answers.tracing === 'otel' ? ' --otlp 0.0.0.0:4318' : ''}`;
}

export function renderTracesOverride(ctx: RenderContext): GeneratedFile {
  const doc = new Document(tracesOverrideData(ctx));
  doc.commentBefore =
    `${generatedBy(' ')}\n` +
    ` See traces on this machine with no AWS account: run\n` +
    `   ${tracesCommand(ctx)}\n` +
    ` in the workspace, then\n` +
    `   docker compose -f docker-compose.yml -f ${TRACES_OVERRIDE_PATH} up --build`;
  return { path: TRACES_OVERRIDE_PATH, contents: doc.toString({ lineWidth: 0 }) };
}
