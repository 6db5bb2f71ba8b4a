// Helpers for the generated backend's end-to-end tests and benchmark:
// generating and building it, running it as a child process, talking HTTP
// with any Host header, and X-Ray's rules (segment documents, globs, sampling
// rules, group filters) written independently of the backend's own code so
// they can judge it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { resolveAnswers, type Answers } from '../../src/answers/table.js';
import { xrayGlob } from '../../src/answers/names.js';
import { renderWorkspace } from '../../src/render/workspace.js';
import type { WorkspaceHost } from '../../src/answers/workspace-host.js';
import { fileTemplates } from '../../src/files/templates.js';

/** The defaults `app --yes` would pick for a directory named `cruddur`. */
export function defaultAnswers(given: Partial<Record<keyof Answers, unknown>> = {}): Answers {
  return resolveAnswers(given, { targetDirName: 'cruddur', env: {} });
}

/** Writes the whole workspace for `answers` into `dir`; returns the paths written. */
export function writeWorkspace(dir: string, answers: Answers, host: WorkspaceHost = 'gitpod'): string[] {
  const files = renderWorkspace({ answers, host, templates: fileTemplates() });
  for (const file of files) {
    const path = join(dir, file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.contents);
  }
  return files.map((f) => f.path);
}

/** Runs npm in `cwd`, failing with its output when it fails or outlasts `timeoutMs`. */
export async function npm(args: string[], cwd: string, timeoutMs: number): Promise<string> {
  const result = await execa('npm', args, {
    cwd,
    timeout: timeoutMs,
    reject: false,
    all: true,
    env: { npm_config_update_notifier: 'false', npm_config_loglevel: 'warn' },
  });
  if (result.exitCode !== 0 || result.timedOut) {
    throw new Error(
      `npm ${args.join(' ')} failed (${result.timedOut ? 'timed out' : `exit ${result.exitCode}`}):\n${result.all}`,
    );
  }
  return result.all ?? '';
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 10_000,
  intervalMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export interface BackendProcess {
  port: number;
  child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string>;
  /** Sends `signal` and waits for the exit, at most `timeoutMs` (then SIGKILL and throw). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | string>;
}

const running = new Set<ChildProcess>();

/** Kills every backend still running (for `after`). */
export function killAllBackends(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/**
 * Starts the backend as `npm start` and the image do (`node
 * --enable-source-maps dist/src/server.js`) in `cwd` with exactly `env`
 * (nothing inherited), and waits for its "listening on port N" line.
 */
export function startBackend(
  cwd: string,
  env: Record<string, string>,
  timeoutMs = 15_000,
): Promise<BackendProcess> {
  return startListening(
    process.execPath,
    ['--enable-source-maps', 'dist/src/server.js'],
    cwd,
    env,
    timeoutMs,
  );
}

/** Starts `command args` in `cwd` with exactly `env` and waits for its "listening on port N" line. */
export async function startListening(
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
  timeoutMs = 15_000,
): Promise<BackendProcess> {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve(code ?? signal ?? 'unknown');
    });
  });
  let gone: number | string | undefined;
  void exited.then((c) => (gone = c));
  const port = await waitFor(
    () => {
      if (gone !== undefined) {
        throw new Error(`${args.join(' ')} exited (${gone}) before listening:\n${out}\n${err}`);
      }
      const m = /listening on port (\d+)/.exec(out);
      return m ? Number(m[1]) : undefined;
    },
    `${args.join(' ')} to listen`,
    timeoutMs,
  );
  return {
    port,
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    async stop(signal = 'SIGTERM', stopTimeoutMs = 15_000) {
      if (gone === undefined) child.kill(signal);
      const timer = new Promise<'timeout'>((resolve) =>
        setTimeout(resolve, stopTimeoutMs, 'timeout').unref(),
      );
      const result = await Promise.race([exited, timer]);
      if (result === 'timeout') {
        child.kill('SIGKILL');
        throw new Error(`backend did not exit within ${stopTimeoutMs} ms of ${signal}`);
      }
      return result;
    },
  };
}

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** GET with any headers, Host included (fetch does not allow setting Host). */
export function httpGet(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  timeoutMs = 10_000,
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: 'GET', headers, timeout: timeoutMs },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * GET over a raw socket, so the Host header can carry bytes Node's HTTP
 * client refuses (non-ASCII); resolves with the status code.
 */
export function rawGet(
  port: number,
  path: string,
  hostBytes: Buffer,
  extra = '',
  timeoutMs = 10_000,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => socket.destroy(new Error('raw GET timed out')), timeoutMs);
    socket.on('connect', () => {
      socket.write(
        Buffer.concat([
          Buffer.from(`GET ${path} HTTP/1.1\r\nHost: `),
          hostBytes,
          Buffer.from(`\r\n${extra}Connection: close\r\n\r\n`),
        ]),
      );
    });
    socket.setEncoding('latin1').on('data', (d: string) => (data += d));
    socket.on('end', () => {
      clearTimeout(timer);
      const m = /^HTTP\/1\.1 (\d{3})/.exec(data);
      if (m) resolve(Number(m[1]));
      else reject(new Error(`no HTTP status in ${JSON.stringify(data.slice(0, 200))}`));
    });
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

// ---- X-Ray's rules, independent of the backend's implementation ----------

export interface SampleRequest {
  serviceName: string;
  host: string;
  httpMethod: string;
  urlPath: string;
}

/** Does a sampling rule (x-ray.json's SamplingRule) match a request, as the SDK's sampler matches it? */
export function ruleMatches(
  rule: { ServiceName: string; Host: string; HTTPMethod: string; URLPath: string },
  r: SampleRequest,
): boolean {
  return (
    xrayGlob(rule.ServiceName, r.serviceName) &&
    xrayGlob(rule.Host, r.host) &&
    xrayGlob(rule.HTTPMethod, r.httpMethod) &&
    xrayGlob(rule.URLPath, r.urlPath)
  );
}

/**
 * Evaluates a group filter expression of the forms the generator writes
 * (`annotation.KEY = "VALUE"`, `service("NAME")`) against a segment; any
 * other form throws, so a change in src/answers/names.ts is noticed here.
 */
export function groupFilterMatches(expression: string, segment: Record<string, unknown>): boolean {
  const annotation = /^annotation\.([A-Za-z0-9_]+)\s*=\s*("(?:[^"\\]|\\.)*")$/.exec(expression.trim());
  if (annotation) {
    const annotations = (segment.annotations ?? {}) as Record<string, unknown>;
    return annotations[annotation[1] as string] === JSON.parse(annotation[2] as string);
  }
  const service = /^service\(("(?:[^"\\]|\\.)*")\)$/.exec(expression.trim());
  if (service) return segment.name === JSON.parse(service[1] as string);
  throw new Error(`groupFilterMatches: unsupported filter expression ${expression}`);
}

const NAME = /^[\p{L}\p{N}\s_.:/%&#=+\\\-@]{1,200}$/u;
const ID = /^[0-9a-f]{16}$/;
const TRACE_ID = /^1-([0-9a-f]{8})-[0-9a-f]{24}$/;
const ANNOTATION_KEY = /^[A-Za-z0-9_]{1,500}$/;
export const MAX_DOCUMENT_BYTES = 64 * 1024;

/**
 * Problems X-Ray would have with a segment document (and its subsegments),
 * per the segment document reference: name, ids, trace id, times,
 * annotations, metadata namespaces, size. Empty when valid.
 */
export function segmentDocumentProblems(doc: Record<string, unknown>, raw?: Buffer): string[] {
  const problems: string[] = [];
  if (raw && raw.length > MAX_DOCUMENT_BYTES) problems.push(`document is ${raw.length} bytes (> 64 KB)`);
  const nowSec = Date.now() / 1000;
  const check = (d: Record<string, unknown>, where: string, top: boolean) => {
    if (typeof d.name !== 'string' || !NAME.test(d.name))
      problems.push(`${where}: invalid name ${JSON.stringify(d.name)?.slice(0, 80)}`);
    if (typeof d.id !== 'string' || !ID.test(d.id))
      problems.push(`${where}: invalid id ${JSON.stringify(d.id)}`);
    if (top) {
      const m = typeof d.trace_id === 'string' ? TRACE_ID.exec(d.trace_id) : null;
      if (!m) problems.push(`${where}: invalid trace_id ${JSON.stringify(d.trace_id)}`);
      else if (Math.abs(parseInt(m[1] as string, 16) - nowSec) > 30 * 24 * 3600) {
        problems.push(`${where}: trace_id time is not within 30 days`);
      }
      if (d.parent_id !== undefined && (typeof d.parent_id !== 'string' || !ID.test(d.parent_id))) {
        problems.push(`${where}: invalid parent_id`);
      }
    }
    if (typeof d.start_time !== 'number' || Math.abs(d.start_time - nowSec) > 3600) {
      problems.push(`${where}: start_time ${String(d.start_time)} is not epoch seconds near now`);
    }
    if (d.in_progress !== true) {
      if (typeof d.end_time !== 'number' || typeof d.start_time !== 'number' || d.end_time < d.start_time) {
        problems.push(`${where}: end_time missing or before start_time`);
      }
    }
    const annotations = d.annotations as Record<string, unknown> | undefined;
    if (annotations !== undefined) {
      const keys = Object.keys(annotations);
      if (keys.length > 50) problems.push(`${where}: more than 50 annotations`);
      for (const key of keys) {
        const v = annotations[key];
        if (!ANNOTATION_KEY.test(key))
          problems.push(`${where}: invalid annotation key ${JSON.stringify(key)}`);
        if (!['string', 'number', 'boolean'].includes(typeof v))
          problems.push(`${where}: annotation ${key} is not a scalar`);
        if (typeof v === 'string' && v.length > 1000)
          problems.push(`${where}: annotation ${key} is over 1000 characters`);
      }
    }
    const metadata = d.metadata as Record<string, unknown> | undefined;
    if (metadata !== undefined) {
      for (const ns of Object.keys(metadata)) {
        if (ns.startsWith('AWS.')) problems.push(`${where}: metadata namespace ${ns} is reserved`);
      }
    }
    for (const [i, sub] of ((d.subsegments ?? []) as Array<Record<string, unknown>>).entries()) {
      check(sub, `${where}.subsegments[${i}]`, false);
    }
  };
  check(doc, doc.type === 'subsegment' ? 'subsegment' : 'segment', doc.type !== 'subsegment');
  return problems;
}

/** The Host and path of a segment's request URL (`http://host/path`). */
export function requestOf(segment: Record<string, unknown>): { method: string; host: string; path: string } {
  const request = ((segment.http as Record<string, unknown> | undefined)?.request ?? {}) as Record<
    string,
    unknown
  >;
  const url = String(request.url ?? '');
  const m = /^https?:\/\/([^/]*)(\/.*)?$/.exec(url);
  return { method: String(request.method ?? ''), host: m?.[1] ?? '', path: m?.[2] ?? '/' };
}

// ---- Compose ----------------------------------------------------------------

/**
 * Compose's variable interpolation for one value: `$VAR`, `${VAR}`,
 * `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}`, `$$`. A variable
 * that is unset and has no default throws, so a misspelled name fails loudly.
 */
export function interpolate(value: string, env: Readonly<Record<string, string | undefined>>): string {
  return value.replace(
    /\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g,
    (
      _m,
      dollar: string | undefined,
      braced: string | undefined,
      op: string | undefined,
      arg: string | undefined,
      bare: string | undefined,
    ) => {
      if (dollar) return '$';
      const name = (braced ?? bare) as string;
      const v = env[name];
      const unsetOrEmpty = v === undefined || v === '';
      if (op === ':-') return unsetOrEmpty ? (arg ?? '') : (v as string);
      if (op === '-') return v === undefined ? (arg ?? '') : v;
      if (op === ':?' || op === '?') {
        if (op === ':?' ? unsetOrEmpty : v === undefined)
          throw new Error(`compose: ${name} is required: ${arg}`);
        return v as string;
      }
      if (v === undefined)
        throw new Error(`compose references \${${name}}, which the environment does not define`);
      return v;
    },
  );
}

/** A compose service's `environment` (map or list form), interpolated from `env`. */
export function composeEnvironment(
  service: { environment?: Record<string, unknown> | string[] },
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const raw = service.environment ?? {};
  const entries: Array<[string, string]> = Array.isArray(raw)
    ? raw.map((line) => {
        const i = line.indexOf('=');
        return i < 0 ? [line, env[line] ?? ''] : [line.slice(0, i), line.slice(i + 1)];
      })
    : Object.entries(raw).map(([k, v]) => [k, v === null || v === undefined ? (env[k] ?? '') : String(v)]);
  return Object.fromEntries(entries.map(([k, v]) => [k, interpolate(v, env)]));
}
