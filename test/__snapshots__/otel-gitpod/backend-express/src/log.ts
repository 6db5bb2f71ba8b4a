// One line per event on stdout/stderr, with secrets masked. `once` keeps a
// recurring problem (daemon unreachable, Rollbar refusing items) to one line
// until it clears, instead of one per request.

const secrets = new Set<string>();

/** Masks `value` wherever it would appear in a log line. */
export function addSecret(value: string | undefined): void {
  if (value && value.length >= 4) secrets.add(value);
}

export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('[REDACTED]');
  return out;
}

function describe(detail: unknown): string {
  if (detail === undefined) return '';
  if (detail instanceof Error) return `: ${detail.message}`;
  return `: ${typeof detail === 'string' ? detail : JSON.stringify(detail)}`;
}

function write(level: 'info' | 'warn' | 'error', message: string, detail?: unknown): void {
  const line = redact(`${level}: ${message}${describe(detail)}`);
  if (level === 'info') process.stdout.write(line + '\n');
  else process.stderr.write(line + '\n');
}

const active = new Set<string>();

export const log = {
  info: (message: string, detail?: unknown) => write('info', message, detail),
  warn: (message: string, detail?: unknown) => write('warn', message, detail),
  error: (message: string, detail?: unknown) => write('error', message, detail),
  /** Logs the first occurrence of problem `key`; later ones are silent until `clear(key)`. */
  once(key: string, level: 'info' | 'warn' | 'error', message: string, detail?: unknown): void {
    if (active.has(key)) return;
    active.add(key);
    write(level, message, detail);
  },
  /** Ends problem `key` (logging `message` if it was active), so a recurrence is logged again. */
  clear(key: string, message?: string): void {
    if (active.delete(key) && message) write('info', message);
  },
};
