// One HTTP request with a bounded answer, for the calls `setup` makes outside
// the AWS SDK (Rollbar). node:http rather than fetch: on Node 20, undici's
// fetch against a server that accepts and closes at once can leave its promise
// pending with nothing keeping the process alive, so the process exits 0 as if
// the step had finished. Here every outcome is an event we listen to, the
// answer is read only up to `maxBodyBytes`, and the signal tears it down.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface HttpAnswer {
  status: number;
  /** The content-type header, lower-cased, without parameters ('' when absent). */
  contentType: string;
  text: string;
}

/** An answer larger than the caller's cap; reading stopped there. */
export class ResponseTooLarge extends Error {
  override readonly name = 'ResponseTooLarge';
  readonly code = 'ERESPONSETOOLARGE';
  constructor(readonly limit: number) {
    super(`the answer is larger than ${formatBytes(limit)}`);
  }
}

export function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${n / (1024 * 1024)} MiB` : `${n / 1024} KiB`;
}

interface HttpRequestOptions {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  maxBodyBytes: number;
}

/**
 * Sends one request to `url` and reads the answer's body as UTF-8, at most
 * `maxBodyBytes` of it. Credentials in the URL (user:pass@) go as Basic
 * authorization, never into a message. Rejects with the socket's error (its
 * `code`), ResponseTooLarge, or the signal's reason.
 */
export function requestText(url: URL, opts: HttpRequestOptions): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    if (opts.signal.aborted) {
      reject(opts.signal.reason);
      return;
    }
    const headers: Record<string, string> = { ...opts.headers };
    if (url.username || url.password) {
      const user = decodeURIComponent(url.username);
      const pass = decodeURIComponent(url.password);
      headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    }
    if (opts.body !== undefined) headers['content-length'] = String(Buffer.byteLength(opts.body));
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      {
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: opts.method,
        headers,
        // One request per run: no pooled socket left to hold the process open.
        agent: false,
      },
      (res) => readCapped(res, opts.maxBodyBytes).then(resolve, fail),
    );
    function fail(err: unknown): void {
      req.destroy();
      reject(err);
    }
    const onAbort = () => fail(opts.signal.reason);
    opts.signal.addEventListener('abort', onAbort, { once: true });
    req.on('close', () => opts.signal.removeEventListener('abort', onAbort));
    req.on('error', fail);
    req.end(opts.body);
  });
}

function readCapped(res: IncomingMessage, max: number): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const contentType = (res.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > max) {
      res.destroy();
      reject(new ResponseTooLarge(max));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        res.destroy();
        reject(new ResponseTooLarge(max));
        return;
      }
      chunks.push(chunk);
    });
    res.on('end', () =>
      resolve({ status: res.statusCode ?? 0, contentType, text: Buffer.concat(chunks).toString('utf8') }),
    );
    res.on('error', reject);
    res.on('close', () => {
      if (!res.complete) {
        reject(Object.assign(new Error('the connection closed mid-answer'), { code: 'ECONNRESET' }));
      }
    });
  });
}
