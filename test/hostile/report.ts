// Rows of the hostile-conditions report. Each test file appends what it ran to a JSON-lines file in
// HOSTILE_REPORT_DIR (set by scripts/hostile-report.ts); a plain `npm test` records nothing.
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RunResult } from '@cloudcreds/harness';

export interface ReportRow {
  action: string;
  case: string;
  /** `success`, or the cause of the failure as the action's one error line states it. */
  outcome: string;
  seconds: number;
  /** Requests the emulator received (a refused or TLS-failed connection never becomes one). */
  requests: number;
  peakRssMiB: number;
}

export function record(row: ReportRow): void {
  const dir = process.env['HOSTILE_REPORT_DIR'];
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  appendFileSync(join(dir, `rows-${process.pid}.jsonl`), `${JSON.stringify(row)}\n`);
}

export const seconds = (ms: number): number => Math.round(ms / 100) / 10;
export const mebibytes = (bytes: number): number => Math.round(bytes / 1024 / 1024);

/** The row of one bundle run. */
export function recordRun(action: string, name: string, result: RunResult, requests: number): void {
  record({
    action,
    case: name,
    outcome:
      result.exitCode === 0 ? 'success' : `error: ${result.errors[0] ?? `exit code ${result.exitCode}`}`,
    seconds: seconds(result.durationMs),
    requests,
    peakRssMiB: mebibytes(result.peakRssBytes),
  });
}
