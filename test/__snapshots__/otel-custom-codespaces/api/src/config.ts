// Everything the backend reads from its environment, read once at start-up.
import { DEFAULT_PORT, DEFAULT_ROLLBAR_ENVIRONMENT } from './service.js';

export interface Config {
  port: number;
  /** HOST: the address to bind; undefined binds every address. */
  host: string | undefined;
  /** ENABLE_CRASH_ROUTE=true mounts GET /rollbar/test/crash. */
  crashRoute: boolean;
  /** X-Ray dynamic naming pattern (`*`, `?`); empty: every segment is named by the service. */
  xrayUrl: string;
  rollbar: {
    /** Absent: Rollbar is disabled. */
    accessToken: string | undefined;
    environment: string;
    /** Full item URL (the `rollbar` package's `endpoint`), from the API base in ROLLBAR_ENDPOINT. */
    itemEndpoint: string | undefined;
  };
  /** On SIGTERM: how long in-flight requests may take, then how long the Rollbar flush may take. */
  shutdown: { drainMs: number; flushMs: number };
}

type Env = Readonly<Record<string, string | undefined>>;

function port(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return DEFAULT_PORT;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new Error(`PORT must be a whole number from 0 to 65535, got ${JSON.stringify(raw)}`);
  }
  return n;
}

/** `https://api.rollbar.com/api/1/` -> `https://api.rollbar.com/api/1/item/`. */
export function itemEndpoint(apiBase: string | undefined): string | undefined {
  const base = apiBase?.trim();
  if (!base) return undefined;
  return (base.endsWith('/') ? base : base + '/') + 'item/';
}

export function readConfig(env: Env = process.env): Config {
  return {
    port: port(env.PORT),
    host: env.HOST || undefined,
    crashRoute: env.ENABLE_CRASH_ROUTE === 'true',
    xrayUrl: env.AWS_XRAY_URL?.trim() ?? '',
    rollbar: {
      accessToken: env.ROLLBAR_ACCESS_TOKEN?.trim() || undefined,
      environment: env.ROLLBAR_ENVIRONMENT?.trim() || DEFAULT_ROLLBAR_ENVIRONMENT,
      itemEndpoint: itemEndpoint(env.ROLLBAR_ENDPOINT),
    },
    // Together well under `docker stop`'s 10 s before SIGKILL.
    shutdown: { drainMs: 5_000, flushMs: 2_000 },
  };
}
