// What a doctor check found, and how it is printed: one line
// `<status> <id>: <message>`, the fix on the lines below it, or with --json
// one object for the whole run.

export const CHECK_IDS = [
  'workspace',
  'names',
  'host',
  'aws',
  'group',
  'rule',
  'backend',
  'trace',
  'rollbar',
] as const;
export type CheckId = (typeof CHECK_IDS)[number];

type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  id: CheckId;
  status: CheckStatus;
  message: string;
  /** What to do, as commands the user can paste; only when not ok. */
  fix?: string;
}

export function formatCheck(r: CheckResult): string[] {
  const lines = [`${r.status} ${r.id}: ${r.message}`];
  if (r.fix) lines.push(...r.fix.split('\n').map((l) => `    ${l}`));
  return lines;
}

export function doctorJson(results: readonly CheckResult[]): string {
  return JSON.stringify({
    ok: !results.some((r) => r.status === 'fail'),
    checks: results.map((r) => ({
      id: r.id,
      status: r.status,
      message: r.message,
      ...(r.fix ? { fix: r.fix } : {}),
    })),
  });
}

export function doctorExitCode(results: readonly CheckResult[]): number {
  return results.some((r) => r.status === 'fail') ? 1 : 0;
}
