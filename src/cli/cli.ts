// The bin. Parses argv from the tables and loads only what the command needs:
// --help and --version touch no dependency at all.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseInvocation, type Invocation } from './args.js';
import { UsageError } from '../answers/table.js';
import { helpText } from './help.js';
import { processIo, type Io } from './io.js';
import { packageRoot } from '../files/templates.js';

function version(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string })
    .version;
}

export async function main(argv: string[]): Promise<number> {
  const io = processIo();
  try {
    const inv = parseInvocation(argv);
    if (inv.version) {
      io.out(version());
      return 0;
    }
    if (inv.help) {
      process.stdout.write(helpText(inv.command, version()));
      return 0;
    }
    switch (inv.command) {
      case 'app':
        return await (await import('../app/command.js')).runApp(inv, io);
      case 'config':
        return await (await import('../config/command.js')).runConfig(inv, io);
      case 'setup':
        return await (await import('../setup/command.js')).runSetupCommand(inv, io);
      case 'doctor':
        return await (await import('../doctor/command.js')).runDoctor(inv, io);
      case 'traces':
        return await runTracesUntilSignal(inv, io);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`cruddur-observability: ${err.message}`);
      return 2;
    }
    io.err(`cruddur-observability: ${(err as Error).message ?? String(err)}`);
    if (process.env.DEBUG) io.err((err as Error).stack ?? '');
    return 1;
  }
}

/** `traces` runs until SIGINT/SIGTERM, then prints what is pending and exits 0. */
async function runTracesUntilSignal(inv: Invocation, io: Io): Promise<number> {
  const { runTraces } = await import('../traces/command.js');
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await runTraces(inv, io, {
      signal: stop.signal,
      terminal: { columns: process.stdout.columns, color: Boolean(process.stdout.isTTY) && !io.env.NO_COLOR },
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
