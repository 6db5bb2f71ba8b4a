// Which cloud workspace we run in, and the AWS_XRAY_URL pattern that matches
// the host name that workspace gives a forwarded port. Values stay compose
// interpolations (`${VAR}`), so the file keeps working in every new workspace
// of the same kind; only a move to another kind needs `config`.
import type { Env } from '../cli/io.js';

export const WORKSPACE_HOSTS = ['gitpod', 'codespaces', 'devcontainer', 'local'] as const;
export type WorkspaceHost = (typeof WORKSPACE_HOSTS)[number];

export const isWorkspaceHost = (v: unknown): v is WorkspaceHost =>
  WORKSPACE_HOSTS.includes(v as WorkspaceHost);

export function detectWorkspaceHost(env: Env): WorkspaceHost {
  if (env.GITPOD_WORKSPACE_ID) return 'gitpod';
  if (env.CODESPACES === 'true' || env.CODESPACE_NAME || env.GITHUB_CODESPACES_PORT_FORWARDING_DOMAIN) {
    return 'codespaces';
  }
  if (env.REMOTE_CONTAINERS || env.DEVCONTAINER || env.REMOTE_CONTAINERS_IPC) return 'devcontainer';
  return 'local';
}

/**
 * The glob (X-Ray dynamic naming: `*` and `?`) for the public host of `port`.
 * Gitpod:     4567-<workspace-id>.<cluster-host>
 * Codespaces: <codespace-name>-4567.<forwarding-domain>
 * Elsewhere the port is reached as localhost, which names nothing useful:
 * the pattern is empty and every segment is named by the service name.
 * A plain local run defaults to Gitpod, where the workspace is meant to open.
 */
export function xrayUrlPattern(host: WorkspaceHost, port: number): string {
  switch (host) {
    case 'gitpod':
    case 'local':
      return `*${port}-\${GITPOD_WORKSPACE_ID}.\${GITPOD_WORKSPACE_CLUSTER_HOST}*`;
    case 'codespaces':
      return `*\${CODESPACE_NAME}-${port}.\${GITHUB_CODESPACES_PORT_FORWARDING_DOMAIN}*`;
    case 'devcontainer':
      return '';
  }
}
