// Outputs, exported variables and the job summary leave the action only here, only through
// @actions/core (random heredoc delimiters; docs/specs/runner.md §3), and only once the work succeeded.
import * as core from '@actions/core';

export interface Publication {
  /** Undefined values are not set at all (an unset output differs from an empty one). */
  outputs: Record<string, string | undefined>;
  /** Variables for later steps. Only what the contract names: they reach third-party steps too. */
  variables?: Record<string, string>;
}

export function publish(publication: Publication): void {
  for (const [name, value] of Object.entries(publication.outputs)) {
    if (value !== undefined) core.setOutput(name, value);
  }
  for (const [name, value] of Object.entries(publication.variables ?? {})) {
    core.exportVariable(name, value);
  }
}

export interface SummaryContent {
  title: string;
  rows: Array<[string, string]>;
  notes?: string[];
}

/** A short job summary; skipped outside a runner (no GITHUB_STEP_SUMMARY). Never pass secrets. */
export async function writeSummary(content: SummaryContent): Promise<void> {
  if (!process.env['GITHUB_STEP_SUMMARY']) return;
  const summary = core.summary.addHeading(content.title, 3).addTable([
    [
      { data: 'What', header: true },
      { data: 'Value', header: true },
    ],
    ...content.rows,
  ]);
  for (const note of content.notes ?? []) summary.addRaw(`\n\n${note}`);
  await summary.write();
}
