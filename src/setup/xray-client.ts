// An X-Ray client whose every answer is bounded: `setup` builds one per run,
// and `doctor` can build the same. With XRayApi (xray.ts) on top, each call
// also has a deadline per attempt and a budget per step (retry.ts).
//
// - Retries are ours: one SDK attempt per call (`maxAttempts: 1`).
// - The handler's requestTimeout throws (`throwOnRequestTimeout`) instead of
//   only logging a warning, as a backstop to the abort signal XRayApi passes.
// - The answer's body is read through a counter and cut off past
//   `maxBodyBytes`: the SDK would otherwise buffer whatever a server sends
//   (a 200 MB answer took the process to 1 GB) before parsing it.
import { Transform, type Readable } from 'node:stream';
import { XRayClient } from '@aws-sdk/client-xray';
import type { StaticCredentials } from './aws-env.js';
import { ResponseTooLarge } from './http.js';

/** X-Ray's answers to the calls setup makes are a few KiB (a page of groups or rules). */
const MAX_XRAY_ANSWER_BYTES = 1024 * 1024;
const CONNECT_TIMEOUT_MS = 5_000;

interface XRayClientOptions {
  region: string;
  credentials: StaticCredentials;
  /** AWS_ENDPOINT_URL_XRAY or AWS_ENDPOINT_URL, when set. */
  endpoint?: string;
  useFipsEndpoint?: boolean;
  useDualstackEndpoint?: boolean;
  attemptTimeoutMs: number;
  maxBodyBytes?: number;
}

type Middleware = Parameters<XRayClient['middlewareStack']['add']>[0];

/** A counting pass-through that fails with ResponseTooLarge once more than `max` bytes went by. */
function capped(body: Readable, max: number): Transform {
  let seen = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > max) {
        body.destroy();
        done(new ResponseTooLarge(max));
        return;
      }
      done(null, chunk);
    },
  });
  body.on('error', (err) => counter.destroy(err));
  return body.pipe(counter);
}

/** Placed just inside the deserializer, so it sees the raw answer before any of it is buffered. */
function capResponseBody(max: number): Middleware {
  return ((next: (args: unknown) => Promise<{ response: unknown }>) => async (args: unknown) => {
    const out = await next(args);
    const response = out.response as { headers?: Record<string, string>; body?: unknown };
    const body = response.body as Readable | undefined;
    if (body && typeof body.pipe === 'function') {
      const declared = Number(response.headers?.['content-length']);
      if (Number.isFinite(declared) && declared > max) {
        body.destroy();
        throw new ResponseTooLarge(max);
      }
      response.body = capped(body, max);
    }
    return out;
  }) as unknown as Middleware;
}

export function createXRayClient(opts: XRayClientOptions): XRayClient {
  const client = new XRayClient({
    region: opts.region,
    credentials: opts.credentials,
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    useFipsEndpoint: opts.useFipsEndpoint ?? false,
    useDualstackEndpoint: opts.useDualstackEndpoint ?? false,
    maxAttempts: 1,
    requestHandler: {
      connectionTimeout: Math.min(CONNECT_TIMEOUT_MS, opts.attemptTimeoutMs),
      requestTimeout: opts.attemptTimeoutMs,
      throwOnRequestTimeout: true,
    },
  });
  client.middlewareStack.add(capResponseBody(opts.maxBodyBytes ?? MAX_XRAY_ANSWER_BYTES), {
    step: 'deserialize',
    priority: 'low',
    name: 'cruddurCapResponseBody',
  });
  return client;
}
