// `npm run test:hostile`: runs only the hostile-conditions suite (test/hostile), then prints one
// table of what ran — action, case, outcome, seconds, requests, peak RSS — even when a test failed,
// and exits with vitest's status.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReportRow } from '../test/hostile/report.ts';

const root = new URL('..', import.meta.url).pathname;
const rowsDir = mkdtempSync(join(tmpdir(), 'hostile-report-'));
const vitest = join(root, 'node_modules/vitest/vitest.mjs');

const run = spawnSync(process.execPath, [vitest, 'run', 'test/hostile', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, HOSTILE_REPORT_DIR: rowsDir },
});

const rows: ReportRow[] = existsSync(rowsDir)
  ? readdirSync(rowsDir).flatMap((file) =>
      readFileSync(join(rowsDir, file), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as ReportRow),
    )
  : [];
rmSync(rowsDir, { recursive: true, force: true });
rows.sort((a, b) => a.action.localeCompare(b.action) || a.case.localeCompare(b.case));

const OUTCOME_WIDTH = 100;
const header = ['action', 'case', 'outcome', 'seconds', 'requests', 'peak RSS (MiB)'];
const cells = rows.map((row) => [
  row.action,
  row.case,
  row.outcome.length > OUTCOME_WIDTH ? `${row.outcome.slice(0, OUTCOME_WIDTH - 1)}…` : row.outcome,
  row.seconds.toFixed(1),
  String(row.requests),
  String(row.peakRssMiB),
]);
const widths = header.map((title, column) =>
  Math.max(title.length, ...cells.map((line) => line[column]!.length)),
);
const numeric = new Set([3, 4, 5]);
const format = (line: string[]): string =>
  `| ${line.map((cell, column) => (numeric.has(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join(' | ')} |`;

console.log(`\nHostile conditions: ${rows.length} runs\n`);
console.log(format(header));
console.log(
  `|${widths.map((width, column) => (numeric.has(column) ? `${'-'.repeat(width + 1)}:` : '-'.repeat(width + 2))).join('|')}|`,
);
for (const line of cells) console.log(format(line));

process.exit(run.status ?? 1);
