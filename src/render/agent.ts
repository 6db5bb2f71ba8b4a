// The CloudWatch agent beside the backend (the `otel` variant's collector):
// its image, its compose service and where the backend reaches it. Compose,
// devcontainer.json, .gitpod.yml and the environment table take these from here.

/**
 * The pinned CloudWatch agent image; bump deliberately. It reads its JSON
 * configuration from CW_CONFIG_CONTENT.
 */
export const CLOUDWATCH_AGENT_IMAGE = 'public.ecr.aws/cloudwatch-agent/cloudwatch-agent:1.300072.0b1766';

export const AGENT_SERVICE = 'cloudwatch-agent';

/** OTEL_EXPORTER_OTLP_TRACES_ENDPOINT for an agent (or `traces --otlp`) on `host`: OTLP/HTTP traces. */
export function otlpTracesEndpoint(host: string): string {
  return `http://${host}:4318/v1/traces`;
}

/** OTEL_TRACES_SAMPLER_ARG for an agent's X-Ray sampling proxy (or `traces`) on `host`. */
export function samplerArg(host: string): string {
  return `endpoint=http://${host}:2000`;
}

/** OTLP/HTTP traces on the compose network. */
export const AGENT_OTLP_ENDPOINT = otlpTracesEndpoint(AGENT_SERVICE);

/** The agent's X-Ray sampling proxy, as OTEL_TRACES_SAMPLER_ARG gives it. */
export const AGENT_SAMPLER_ARG = samplerArg(AGENT_SERVICE);
