// The CloudWatch agent beside the backend (the `otel` variant's collector):
// its image, its compose service and where the backend reaches it. Compose,
// devcontainer.json, .gitpod.yml and the environment table take these from here.

/**
 * The pinned CloudWatch agent image; bump deliberately. It reads its JSON
 * configuration from CW_CONFIG_CONTENT.
 */
export const CLOUDWATCH_AGENT_IMAGE = 'public.ecr.aws/cloudwatch-agent/cloudwatch-agent:1.300072.0b1766';

export const AGENT_SERVICE = 'cloudwatch-agent';

/** OTLP/HTTP traces on the compose network. */
export const AGENT_OTLP_ENDPOINT = `http://${AGENT_SERVICE}:4318/v1/traces`;

/** The agent's X-Ray sampling proxy, as OTEL_TRACES_SAMPLER_ARG gives it. */
export const AGENT_SAMPLER_ARG = `endpoint=http://${AGENT_SERVICE}:2000`;
