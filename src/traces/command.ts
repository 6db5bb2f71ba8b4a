// `traces`: a local X-Ray daemon that draws each trace. Datagrams -> wire
// parser -> assembler -> waterfall (or a --json line); the sampling proxy
// answers from aws/json/x-ray.json; OTLP/HTTP JSON joins the same assembler.
// Runs until `signal` aborts (SIGINT/SIGTERM in the bin), then prints what
// is pending and resolves 0. Status lines go to stderr, traces to stdout.
import { existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Invocation } from '../cli/args.js';
import type { Io } from '../cli/io.js';
import { UsageError } from '../answers/table.js';
import { readYoRc, storedAnswers } from '../state/yo-rc.js';
import { readRuleFile, RuleFileError, type RuleFields } from '../setup/rule-file.js';
import { XRAY_RULE_PATH } from '../render/xray-rule.js';
import { Assembler, traceJson, type AssembledTrace, type AssemblerOptions } from './assembler.js';
import { formatHostPort, listenDaemon, listenHttp, parseHostPort, readBody, sendJson } from './listen.js';
import { OtlpError, otlpDocuments } from './otlp.js';
import { SamplingProxy } from './sampling.js';
import { howToUse } from './usage.js';
import { renderWaterfall } from './waterfall.js';
import { documentProblem, parseDatagram, type SegmentDocument } from './wire.js';

const DEFAULT_LISTEN = '127.0.0.1:2000';
const DEFAULT_OTLP = '127.0.0.1:4318';
const MAX_SAMPLING_BODY = 1024 * 1024;
const MAX_OTLP_BODY = 16 * 1024 * 1024;
/** At most one malformed-datagram line a second; the rest are counted. */
const REPORT_EVERY_MS = 1_000;

interface TracesOptions {
  /** Stops the daemon (the bin aborts it on SIGINT/SIGTERM). */
  signal: AbortSignal;
  /** stdout's columns (read for each trace: the terminal may be resized) and whether it is a TTY (colour). */
  terminal: { columns: () => number | undefined; color: boolean };
  assembler?: Partial<AssemblerOptions>;
}

async function samplingRules(cwd: string, io: Io): Promise<{ rules: RuleFields[]; from: string }> {
  if (!existsSync(join(cwd, XRAY_RULE_PATH))) {
    io.err(
      `traces: no ${XRAY_RULE_PATH} here; serving X-Ray's Default rule only (run traces in the workspace's root)`,
    );
    return { rules: [], from: '' };
  }
  try {
    return { rules: [await readRuleFile(cwd)], from: XRAY_RULE_PATH };
  } catch (err) {
    if (err instanceof RuleFileError) throw new UsageError(`${err.message}; fix it, or run traces elsewhere`);
    throw err;
  }
}

/** Changes when the rule file is written, created or removed. */
function ruleFileStamp(cwd: string): string | undefined {
  try {
    const s = statSync(join(cwd, XRAY_RULE_PATH));
    return `${s.mtimeMs}:${s.size}`;
  } catch {
    return undefined;
  }
}

function describeRule(r: RuleFields): string {
  return `${r.RuleName}: ${r.ReservoirSize}/s then ${Math.round(r.FixedRate * 1000) / 10}%`;
}

export async function runTraces(inv: Invocation, io: Io, options: TracesOptions): Promise<number> {
  const listenAt = parseHostPort(inv.values.get('listen') ?? DEFAULT_LISTEN, '--listen', DEFAULT_LISTEN);
  const otlpGiven = inv.values.has('otlp');
  const otlpAt = parseHostPort(inv.values.get('otlp') ?? DEFAULT_OTLP, '--otlp', DEFAULT_OTLP);
  const json = inv.flags.has('json');
  const { rules, from } = await samplingRules(io.cwd, io);
  const tracing = storedAnswers(readYoRc(io.cwd))?.tracing;

  const assembler = new Assembler(options.assembler);
  const proxy = new SamplingProxy(rules, Date.now() / 1000);
  const counts = { documents: 0, complete: 0, incomplete: 0, malformed: 0, otlpSpans: 0 };
  let lastReport = -Infinity;
  let rulesServed = false;

  const print = (traces: AssembledTrace[]) => {
    for (const t of traces) {
      if (t.complete) counts.complete++;
      else counts.incomplete++;
      if (json) {
        // stdout carries only completed traces: the rest is a status line.
        if (t.complete) io.out(traceJson(t));
        else io.err(`traces: incomplete ${traceJson(t)}`);
      } else {
        const lines = renderWaterfall(t, {
          width: options.terminal.columns() ?? 120,
          color: options.terminal.color,
        });
        io.out(lines.join('\n') + '\n');
      }
    }
  };
  const accept = (docs: SegmentDocument[]) => {
    const now = Date.now();
    for (const doc of docs) {
      counts.documents++;
      print(assembler.add(doc, now));
    }
  };
  const malformed = (reason: string, from: string, bytes: number) => {
    counts.malformed++;
    const now = Date.now();
    if (now - lastReport < REPORT_EVERY_MS) return;
    lastReport = now;
    io.err(
      `traces: malformed datagram from ${from} (${bytes} bytes): ${reason} [${counts.malformed} so far]`,
    );
  };

  // An edit of the rule file applies while traces runs, as an updated rule does in AWS.
  let ruleStamp = ruleFileStamp(io.cwd);
  const reloadIfChanged = async () => {
    const stamp = ruleFileStamp(io.cwd);
    if (stamp === ruleStamp) return;
    ruleStamp = stamp;
    try {
      const fresh = stamp === undefined ? [] : [await readRuleFile(io.cwd)];
      proxy.replaceRules(fresh, Date.now() / 1000);
      const now = fresh.length > 0 ? fresh.map(describeRule).join('; ') : "X-Ray's Default only";
      io.err(`traces: ${XRAY_RULE_PATH} changed; serving ${now}`);
    } catch (err) {
      io.err(
        `traces: ${XRAY_RULE_PATH} changed but ${(err as Error).message}; still serving the rules read before`,
      );
    }
  };

  let daemon;
  let otlp;
  try {
    daemon = await listenDaemon(
      listenAt,
      (req, res) => {
        void readBody(req, MAX_SAMPLING_BODY).then(
          async (body) => {
            if (body === undefined) return sendJson(res, 413, { message: 'request body too large' });
            await reloadIfChanged();
            const answer = proxy.handle(
              req.method ?? '',
              req.url ?? '',
              body.toString('utf8'),
              Date.now() / 1000,
            );
            if (answer.status === 200 && req.url === '/GetSamplingRules' && !rulesServed) {
              rulesServed = true;
              io.err(
                `traces: sampling rules sent to ${req.socket.remoteAddress}:${req.socket.remotePort} (${proxy.rules.map((r) => r.RuleName).join(', ')})`,
              );
            }
            sendJson(res, answer.status, answer.body);
          },
          () => res.destroy(),
        );
      },
      '--listen',
    );
  } catch (err) {
    throw err instanceof UsageError ? new UsageError(`traces: ${err.message}`) : err;
  }
  daemon.udp.on('message', (raw, rinfo) => {
    const from = formatHostPort({ host: rinfo.address, port: rinfo.port });
    const datagram = parseDatagram(raw);
    if (datagram.document === undefined) return malformed(datagram.error, from, raw.length);
    const problem = documentProblem(datagram.document, datagram.bytes);
    if (problem) return malformed(problem, from, raw.length);
    accept([datagram.document]);
  });
  daemon.udp.on('error', (err) => io.err(`traces: UDP: ${err.message}`));

  try {
    otlp = await listenHttp(otlpAt, (req, res) => void receiveOtlp(req, res), '--otlp');
  } catch (err) {
    // Only a port asked for is worth stopping for; the default one may be a collector's.
    if (otlpGiven) {
      daemon.udp.close();
      daemon.tcp.close();
      throw err instanceof UsageError ? new UsageError(`traces: ${err.message}`) : err;
    }
    io.err(`traces: OTLP not received: ${(err as Error).message} (give --otlp <host:port>)`);
  }

  async function receiveOtlp(req: IncomingMessage, res: ServerResponse) {
    if (req.method !== 'POST' || req.url?.split('?')[0] !== '/v1/traces')
      return sendJson(res, 404, { message: 'OTLP/HTTP traces are received at POST /v1/traces' });
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? ''))
      return sendJson(res, 415, {
        message: 'only OTLP/HTTP JSON is read here: set OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/json',
      });
    let body = await readBody(req, MAX_OTLP_BODY).catch(() => undefined);
    if (body === undefined) return sendJson(res, 413, { message: 'request body too large' });
    try {
      if (/gzip/i.test(req.headers['content-encoding'] ?? '')) body = gunzipSync(body);
      const docs = otlpDocuments(JSON.parse(body.toString('utf8')) as unknown);
      counts.otlpSpans += docs.length;
      accept(docs);
      sendJson(res, 200, {});
    } catch (err) {
      const reason = err instanceof OtlpError ? err.message : 'the body is not JSON';
      io.err(`traces: OTLP request rejected: ${reason}`);
      sendJson(res, 400, { message: reason });
    }
  }

  const listening = formatHostPort(daemon.address);
  const rulesText = [...rules.map((r) => `${describeRule(r)} from ${from}`), "X-Ray's Default"].join('; ');
  io.err(
    `traces: segments on udp ${listening}, sampling rules on tcp ${listening} (${rulesText})` +
      (otlp ? `, OTLP/HTTP JSON on http://${formatHostPort(otlp.address)}/v1/traces` : ''),
  );
  io.err(`traces: ${howToUse(daemon.address, otlp?.address, tracing === 'otel' ? 'otel' : 'xray')}`);

  const timer = setInterval(() => print(assembler.due(Date.now())), 100);
  await new Promise<void>((resolve) => {
    if (options.signal.aborted) resolve();
    else options.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  clearInterval(timer);
  const pending = assembler.drain();
  if (pending.length > 0) io.err(`traces: stopping with ${pending.length} trace(s) pending:`);
  print(pending);
  daemon.udp.close();
  daemon.tcp.closeAllConnections();
  daemon.tcp.close();
  otlp?.server.closeAllConnections();
  otlp?.server.close();
  for (const [rule, s] of proxy.statistics)
    io.err(
      `traces: sampling rule ${rule}: ${s.requests} requests, ${s.sampled} sampled (${s.borrowed} borrowed)`,
    );
  io.err(
    `traces: ${counts.complete} complete and ${counts.incomplete} incomplete traces from ${counts.documents} documents` +
      `${counts.otlpSpans ? ` (${counts.otlpSpans} OTLP spans)` : ''}; ${counts.malformed} malformed datagrams`,
  );
  return 0;
}

/** `traces` as the bin and yo run it: until SIGINT/SIGTERM, then what is pending is printed and it exits 0. */
export async function runTracesUntilSignal(inv: Invocation, io: Io): Promise<number> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await runTraces(inv, io, {
      signal: stop.signal,
      terminal: {
        columns: () => process.stdout.columns,
        color: Boolean(process.stdout.isTTY) && !io.env.NO_COLOR,
      },
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
