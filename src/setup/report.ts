// What a setup step did, and how that becomes one output line and the exit code.

type StepStatus =
  | 'created'
  | 'updated'
  | 'unchanged'
  | 'verified'
  | 'skipped'
  | 'rejected'
  | 'limited scope'
  | 'unreachable'
  | 'failed';

export interface StepResult {
  /** e.g. `x-ray group Cruddur`, `rollbar token`. */
  step: string;
  status: StepStatus;
  /** Why (skipped, failed) or what (updated fields); one line. */
  detail?: string;
}

/** Statuses that mean the service refused, or could not be reached or understood. */
const FAILED: ReadonlySet<StepStatus> = new Set<StepStatus>([
  'rejected',
  'limited scope',
  'unreachable',
  'failed',
]);

/** Statuses that mean the step's goal was not reached. */
const NOT_DONE: ReadonlySet<StepStatus> = new Set<StepStatus>(['skipped', ...FAILED]);

function isNotDone(r: StepResult): boolean {
  return NOT_DONE.has(r.status);
}

/** Skip and failure reasons read `step: status: why`; changes read `step: status (what)`. */
export function formatStep(r: StepResult): string {
  const detail = r.detail ? oneLine(r.detail) : '';
  if (!detail) return `${r.step}: ${r.status}`;
  return NOT_DONE.has(r.status) ? `${r.step}: ${r.status}: ${detail}` : `${r.step}: ${r.status} (${detail})`;
}

/**
 * Exit code: 1 when a step failed. A skipped step (no credentials, no token)
 * ends the run non-zero only under --strict: `setup` runs in workspace
 * start-up tasks, where a secret not yet set must not read as a breakage.
 */
export function exitCode(results: StepResult[], strict: boolean): number {
  if (results.some((r) => FAILED.has(r.status))) return 1;
  return strict && results.some(isNotDone) ? 1 : 0;
}

/** Collapses newlines and runs of spaces so a service message stays on one line. */
export function oneLine(text: string): string {
  return text
    .replace(/\s*\n\s*/g, ' ')
    .replace(/[ \t]{2,}/g, ' ')
    .trim();
}

/** A value as it appears in "old -> new": strings quoted, numbers bare. */
export function showValue(v: unknown): string {
  if (v === undefined) return '(none)';
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
}
