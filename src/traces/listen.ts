// Where `traces` listens: the daemon's address (UDP segments and the TCP
// sampling proxy on the same host and port, as the real daemon and
// AWS_XRAY_DAEMON_ADDRESS have them) and the OTLP/HTTP receiver. Failures
// become one line that says what to do.
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import { UsageError } from '../answers/table.js';

export interface HostPort {
  host: string;
  port: number;
}

const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** `host:port`, `[v6]:port` or `port` (127.0.0.1); port 0 picks a free one. */
export function parseHostPort(text: string, flag: string, example: string): HostPort {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text) ?? /^()()(\d{1,5})$/.exec(text);
  const host = m ? m[1] || m[2] || '127.0.0.1' : '';
  const port = m ? Number(m[3]) : NaN;
  const hostOk = isIP(host) !== 0 || HOSTNAME.test(host);
  if (!m || !hostOk || port > 65535) {
    throw new UsageError(
      `${flag} ${JSON.stringify(text)} is not <host:port> with a port from 0 to 65535 (e.g. ${flag} ${example})`,
    );
  }
  return { host, port };
}

export function formatHostPort({ host, port }: HostPort): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Why binding failed, as one line naming the flag. */
function bindProblem(err: unknown, flag: string, where: string): UsageError {
  const code = (err as NodeJS.ErrnoException).code;
  const why =
    code === 'EADDRINUSE'
      ? 'is in use (another daemon? stop it, or pick another port)'
      : code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? 'is not an address of this machine'
        : code === 'EACCES'
          ? 'needs privileges (pick a port above 1023)'
          : `cannot be used (${(err as Error).message})`;
  return new UsageError(`${flag} ${where} ${why}`);
}

type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

function listenTcp(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const fail = (err: Error) => reject(err);
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      // A TCP port is listening: address() is a string only for a pipe, null only when not listening.
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function bindUdp(host: string, port: number): Promise<Socket> {
  const socket = createSocket({ type: isIP(host) === 6 ? 'udp6' : 'udp4' });
  return new Promise((resolve, reject) => {
    const fail = (err: Error) => {
      socket.close();
      reject(err);
    };
    socket.once('error', fail);
    socket.bind(port, host, () => {
      socket.off('error', fail);
      resolve(socket);
    });
  });
}

interface DaemonSockets {
  udp: Socket;
  tcp: Server;
  address: HostPort;
}

/** UDP and TCP on one host and port; with port 0, a port free for both. */
export async function listenDaemon(
  at: HostPort,
  handler: RequestHandler,
  flag: string,
): Promise<DaemonSockets> {
  for (let attempt = 0; ; attempt++) {
    let udp: Socket;
    try {
      udp = await bindUdp(at.host, at.port);
    } catch (err) {
      throw bindProblem(err, flag, `${formatHostPort(at)} (UDP)`);
    }
    const port = udp.address().port;
    const tcp = createServer(handler);
    try {
      await listenTcp(tcp, at.host, port);
      return { udp, tcp, address: { host: at.host, port } };
    } catch (err) {
      udp.close();
      // Port 0: the free UDP port may be taken on TCP; try another.
      if (at.port === 0 && (err as NodeJS.ErrnoException).code === 'EADDRINUSE' && attempt < 20) continue;
      throw bindProblem(
        err,
        flag,
        `${formatHostPort({ host: at.host, port })} (TCP, for the sampling proxy)`,
      );
    }
  }
}

export async function listenHttp(
  at: HostPort,
  handler: RequestHandler,
  flag: string,
): Promise<{ server: Server; address: HostPort }> {
  const server = createServer(handler);
  try {
    const port = await listenTcp(server, at.host, at.port);
    return { server, address: { host: at.host, port } };
  } catch (err) {
    throw bindProblem(err, flag, formatHostPort(at));
  }
}

/** Reads a request body up to `limit` bytes; undefined when it is larger. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
    });
    req.on('end', () => resolve(size <= limit ? Buffer.concat(chunks) : undefined));
    req.on('error', reject);
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
