// Answers a hostile or broken endpoint gives, shared by the X-Ray and Rollbar
// stand-ins: any raw answer, and an endless body streamed only as fast as the
// client reads it (so a client that stops reading cuts it short, and the
// bytes written say how far it read).
import type { ServerResponse } from 'node:http';

export function answerRaw(res: ServerResponse, status: number, body: string, contentType?: string): void {
  res.writeHead(status, {
    ...(contentType ? { 'content-type': contentType } : {}),
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/**
 * Answers 200 with `bytes` of body: `prefix` (an opening a parser would
 * accept) then spaces. Calls `sent(n)` for every chunk written.
 */
export function answerHuge(
  res: ServerResponse,
  opts: { bytes: number; declareLength?: boolean; prefix: string; sent: (n: number) => void },
): void {
  res.writeHead(200, {
    'content-type': 'application/json',
    ...(opts.declareLength ? { 'content-length': opts.bytes } : {}),
  });
  const chunk = Buffer.alloc(64 * 1024, ' ');
  chunk.write(opts.prefix);
  let written = 0;
  const pump = (): void => {
    while (written < opts.bytes) {
      if (res.destroyed) return;
      const n = Math.min(chunk.length, opts.bytes - written);
      written += n;
      opts.sent(n);
      if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  res.on('error', () => undefined);
  pump();
}
