// A local stand-in for api.rollbar.com, enough for the `rollbar` npm package
// and for the `setup` hook's token check. Loopback only.
//
// What it mirrors of the real API (https://docs.rollbar.com/reference):
// - the token comes from the `X-Rollbar-Access-Token` header (what the
//   `rollbar` package sends) or, deprecated but still accepted, from the JSON
//   body's `access_token`; the header wins when both are present;
// - scopes: `post_server_item` may POST /item/ and /deploy/;
//   `post_client_item` may POST /item/ only when data.platform is a client
//   platform (browser, android, ios, flash, client);
// - every answer is JSON. An accepted item is `{"err":0,"result":{"id":null,
//   "uuid":"..."}}`; an accepted deploy is `{"data":{"deploy_id":<number>}}`
//   (the form Rollbar's own deploy clients read: rollbar-gem's Deploy.report,
//   rollbar/github-deploy-action). A refusal is `{"err":1,"message":"..."}`,
//   with the status codes and messages the real API is observed to give:
//     401  no access token at all
//     403  "access token not found: <token>" (the real API echoes the token,
//          so a client that prints the message verbatim leaks a bad token:
//          callers must not print it as-is)
//     403  "insufficient privileges: post_server_item scope is required but
//          the access token only has post_client_item."
//     400  body is not JSON
//     413  body larger than `maxBodyBytes` (default 512 KiB, the size the
//          rollbar SDKs truncate payloads to)
//     422  valid JSON missing required fields (item: data.environment,
//          data.body; deploy: environment, revision)
//     404  unknown path, 405 wrong method
//   plus `GET /api/1/status/ping` -> `pong`.
// Failures can be injected (`failNext`) to test retries and resilience, and so
// can hostile behaviour (`misbehave`): no answer ever, a connection accepted and
// closed at once, any raw answer (a captive portal's HTML page), an endless body.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { answerHuge, answerRaw } from './hostile.js';

export type RollbarScope = 'post_server_item' | 'post_client_item' | 'read' | 'write';

export interface RollbarFakeOptions {
  /** token -> scopes, e.g. `{ abc: ['post_server_item'] }`. Default: no token is valid. */
  tokens?: Record<string, string[]>;
  /** Largest accepted body in bytes (413 above). Default 512 KiB. */
  maxBodyBytes?: number;
  /** Host to listen on. Default 127.0.0.1. */
  host?: string;
}

export interface RecordedRequest {
  token: string;
  body: unknown;
  /** Where the token was read from. */
  tokenSource: 'header' | 'body';
  headers: IncomingHttpHeaders;
}

export interface RejectedRequest {
  method: string;
  path: string;
  status: number;
  message: string;
  /** The token presented, if any. */
  token: string | undefined;
}

/** What a hostile or broken endpoint does instead of answering as Rollbar. */
export type RollbarMisbehaviour =
  /** Reads the request and never answers. */
  | { kind: 'hang' }
  /** Accepts the connection and closes it at once, before reading anything. */
  | { kind: 'close' }
  /** Answers exactly this (e.g. a captive portal's 200 text/html). */
  | { kind: 'raw'; status: number; contentType?: string; body: string }
  /** Answers 200 with `bytes` of body, streamed as the client reads. */
  | { kind: 'huge'; bytes: number; declareLength?: boolean };

export interface RollbarFake {
  /** API base with trailing slash, e.g. `http://127.0.0.1:41234/api/1/` (ROLLBAR_ENDPOINT). */
  baseUrl: string;
  /** Accepted items, in arrival order. */
  items: RecordedRequest[];
  /** Accepted deploys, in arrival order. */
  deploys: RecordedRequest[];
  /** Every refused request, in arrival order. */
  rejected: RejectedRequest[];
  /** Every request seen (method + path), for "nothing was sent" assertions. */
  requests: Array<{ method: string; path: string }>;
  /** Answer the next `times` POSTs with `status` (e.g. 429, 500, 503) before any other check. */
  failNext(status: number, times?: number, message?: string): void;
  /** The next `times` requests (connections, for `close`) get `behaviour` instead of an answer. */
  misbehave(behaviour: RollbarMisbehaviour, times?: number): void;
  /** Body bytes written by `huge` answers so far. */
  hugeBytesSent(): number;
  /** Connections accepted, `close`d ones included. */
  connections(): number;
  /** Resolves when `count` items have been accepted, or rejects after `timeoutMs`. */
  waitForItems(count: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  close(): Promise<void>;
}

const CLIENT_PLATFORMS = new Set(['browser', 'android', 'ios', 'flash', 'client']);
const DEFAULT_MAX_BODY = 512 * 1024;

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, payload: unknown): void {
  const text = JSON.stringify(payload);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > max) {
      // Drain so the client sees the answer rather than a reset.
      req.resume();
      reject(new ApiError(413, 'request entity too large'));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) reject(new ApiError(413, 'request entity too large'));
      else resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

function parsePayload(raw: Buffer, contentType: string | undefined): Record<string, unknown> {
  const text = raw.toString('utf8');
  let value: unknown;
  if (contentType?.includes('application/x-www-form-urlencoded')) {
    const form = new URLSearchParams(text);
    // Items may come form-encoded as `payload=<json>`; deploys as plain fields.
    const payload = form.get('payload');
    if (payload !== null) {
      try {
        value = JSON.parse(payload);
      } catch {
        throw new ApiError(400, 'invalid JSON in payload parameter');
      }
    } else {
      value = Object.fromEntries(form.entries());
    }
  } else {
    try {
      value = JSON.parse(text);
    } catch {
      throw new ApiError(400, 'invalid JSON: the request body could not be parsed');
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ApiError(400, 'invalid JSON: the request body must be an object');
  }
  return value as Record<string, unknown>;
}

function tokenOf(
  headers: IncomingHttpHeaders,
  body: Record<string, unknown> | undefined,
): { token: string; source: 'header' | 'body' } | undefined {
  const header = headers['x-rollbar-access-token'];
  const fromHeader = Array.isArray(header) ? header[0] : header;
  if (fromHeader) return { token: fromHeader, source: 'header' };
  const fromBody = body?.access_token;
  if (typeof fromBody === 'string' && fromBody) return { token: fromBody, source: 'body' };
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export async function startRollbarFake(opts: RollbarFakeOptions = {}): Promise<RollbarFake> {
  const tokens = opts.tokens ?? {};
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const items: RecordedRequest[] = [];
  const deploys: RecordedRequest[] = [];
  const rejected: RejectedRequest[] = [];
  const requests: Array<{ method: string; path: string }> = [];
  const injected: Array<{ status: number; message: string }> = [];
  const misbehaviours: RollbarMisbehaviour[] = [];
  let closeNext = 0;
  let hugeSent = 0;
  let connectionCount = 0;

  function misbehaveOn(res: ServerResponse, b: Exclude<RollbarMisbehaviour, { kind: 'close' }>): void {
    switch (b.kind) {
      case 'hang':
        return;
      case 'raw':
        answerRaw(res, b.status, b.body, b.contentType);
        return;
      case 'huge':
        answerHuge(res, { ...b, prefix: '{"data":', sent: (n) => (hugeSent += n) });
    }
  }
  const waiters = new Set<() => void>();

  function authorise(
    headers: IncomingHttpHeaders,
    body: Record<string, unknown>,
    need: 'item' | 'deploy',
  ): { token: string; source: 'header' | 'body' } {
    const found = tokenOf(headers, body);
    if (!found) throw new ApiError(401, 'access token required');
    const scopes = tokens[found.token];
    if (!scopes) throw new ApiError(403, `access token not found: ${found.token}`);
    if (scopes.includes('post_server_item')) return found;
    const data = isObject(body.data) ? body.data : undefined;
    const clientItem =
      need === 'item' && typeof data?.platform === 'string' && CLIENT_PLATFORMS.has(data.platform);
    if (clientItem && scopes.includes('post_client_item')) return found;
    const has = scopes.length ? scopes.join(', ') : 'no scopes';
    const needed = clientItem ? 'post_client_item' : 'post_server_item';
    throw new ApiError(
      403,
      `insufficient privileges: ${needed} scope is required but the access token only has ${has}.`,
    );
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    requests.push({ method, path });
    let token: string | undefined;
    try {
      if (path === '/api/1/status/ping') {
        if (method !== 'GET') throw new ApiError(405, 'method not allowed');
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('pong');
        return;
      }
      const route =
        path === '/api/1/item/' || path === '/api/1/item'
          ? 'item'
          : path === '/api/1/deploy/' || path === '/api/1/deploy'
            ? 'deploy'
            : undefined;
      if (!route) throw new ApiError(404, 'not found');
      if (method !== 'POST') throw new ApiError(405, 'method not allowed');
      const misbehaviour = misbehaviours.shift();
      if (misbehaviour && misbehaviour.kind !== 'close') {
        req.resume();
        misbehaveOn(res, misbehaviour);
        return;
      }
      const failure = injected.shift();
      if (failure) {
        req.resume();
        throw new ApiError(failure.status, failure.message);
      }
      const raw = await readBody(req, maxBody);
      const body = parsePayload(raw, req.headers['content-type']);
      token = tokenOf(req.headers, body)?.token;
      const auth = authorise(req.headers, body, route);
      if (route === 'item') {
        const data = body.data;
        if (!isObject(data)) throw new ApiError(422, 'Invalid format. data is missing and it is required.');
        if (typeof data.environment !== 'string' || !data.environment) {
          throw new ApiError(422, 'Invalid format. data.environment is missing and it is required.');
        }
        const itemBody = data.body;
        const kinds = ['trace', 'trace_chain', 'message', 'crash_report'];
        if (!isObject(itemBody) || kinds.filter((k) => k in itemBody).length !== 1) {
          throw new ApiError(
            422,
            'Invalid format. data.body must have exactly one of trace, trace_chain, message, crash_report.',
          );
        }
        items.push({ token: auth.token, body, tokenSource: auth.source, headers: req.headers });
        for (const wake of [...waiters]) wake();
        send(res, 200, { err: 0, result: { id: null, uuid: randomUUID() } });
      } else {
        for (const field of ['environment', 'revision']) {
          if (typeof body[field] !== 'string' || !body[field]) {
            throw new ApiError(422, `Invalid format. ${field} is missing and it is required.`);
          }
        }
        deploys.push({ token: auth.token, body, tokenSource: auth.source, headers: req.headers });
        send(res, 200, { data: { deploy_id: deploys.length } });
      }
    } catch (err) {
      const status = err instanceof ApiError ? err.status : 500;
      const message = err instanceof Error ? err.message : 'internal error';
      rejected.push({
        method,
        path,
        status,
        message,
        token: token ?? tokenOf(req.headers, undefined)?.token,
      });
      if (!res.headersSent) send(res, status, { err: 1, message });
    }
  }

  const server = createServer((req, res) => void handle(req, res));
  server.keepAliveTimeout = 1000;
  server.on('connection', (socket) => {
    connectionCount++;
    if (closeNext > 0) {
      closeNext--;
      socket.destroy();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;

  return {
    baseUrl: `http://${host}:${port}/api/1/`,
    items,
    deploys,
    rejected,
    requests,
    failNext(status, times = 1, message = 'injected failure') {
      for (let i = 0; i < times; i++) injected.push({ status, message });
    },
    misbehave(behaviour, times = 1) {
      if (behaviour.kind === 'close') closeNext += times;
      else for (let i = 0; i < times; i++) misbehaviours.push(behaviour);
    },
    hugeBytesSent: () => hugeSent,
    connections: () => connectionCount,
    waitForItems(count, timeoutMs = 10_000) {
      if (items.length >= count) return Promise.resolve(items.slice());
      return new Promise((resolve, reject) => {
        const check = () => {
          if (items.length >= count) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve(items.slice());
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`rollbar fake: ${items.length} of ${count} items after ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
      });
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
