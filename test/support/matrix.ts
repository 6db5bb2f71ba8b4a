// The answer sets every snapshot, schema and parity test runs over.
import type { AnswerName } from '../../src/answers/table.js';

export interface MatrixCase {
  name: string;
  /** Target directory name (the default project name comes from it). */
  dir: string;
  /** Flag values as typed. */
  flags: Partial<Record<AnswerName, string>>;
  /** The workspace environment the generator runs in. */
  env: Record<string, string>;
}

export const MATRIX: MatrixCase[] = [
  {
    name: 'defaults-gitpod',
    dir: 'cruddur',
    flags: {},
    env: {
      GITPOD_WORKSPACE_ID: 'andrewb-cruddur-abc123',
      GITPOD_WORKSPACE_CLUSTER_HOST: 'ws-us99.gitpod.io',
    },
  },
  {
    name: 'custom-codespaces',
    dir: 'shop',
    flags: {
      projectName: 'my-shop',
      serviceName: 'api',
      groupName: 'ShopTraces',
      ruleName: 'ShopRule',
      region: 'eu-west-2',
      port: '8080',
      samplingRate: '0.5',
      reservoirSize: '0',
      rollbarEnvironment: 'production',
    },
    env: {
      CODESPACES: 'true',
      CODESPACE_NAME: 'fuzzy-space-guide-x7',
      GITHUB_CODESPACES_PORT_FORWARDING_DOMAIN: 'app.github.dev',
    },
  },
  {
    name: 'edges-devcontainer',
    dir: 'edge',
    flags: { serviceName: 'b2', port: '1', samplingRate: '1', reservoirSize: '100', ruleName: 'R' },
    env: { REMOTE_CONTAINERS: 'true', AWS_REGION: 'ap-southeast-2' },
  },
  {
    name: 'local-zero-rate',
    dir: 'a.b-c_d',
    flags: { samplingRate: '0', region: 'us-gov-west-1', port: '65535' },
    env: { AWS_DEFAULT_REGION: 'eu-central-1' },
  },
  {
    name: 'otel-gitpod',
    dir: 'cruddur',
    flags: { tracing: 'otel' },
    env: {
      GITPOD_WORKSPACE_ID: 'andrewb-cruddur-abc123',
      GITPOD_WORKSPACE_CLUSTER_HOST: 'ws-us99.gitpod.io',
    },
  },
  {
    name: 'otel-custom-codespaces',
    dir: 'shop',
    flags: {
      tracing: 'otel',
      projectName: 'my-shop',
      serviceName: 'api',
      region: 'eu-west-2',
      port: '8080',
      samplingRate: '1',
      reservoirSize: '0',
    },
    env: {
      CODESPACES: 'true',
      CODESPACE_NAME: 'fuzzy-space-guide-x7',
      GITHUB_CODESPACES_PORT_FORWARDING_DOMAIN: 'app.github.dev',
    },
  },
];
