// What the action hands on: outputs and the job summary, built as plain data (pure) so tests can
// read them without a runner. Every Key and Iv is masked before this; the summary holds none.
import { type Publication, printable, type SummaryContent } from '@cloudcreds/core';
import type { DomainAuthConfig } from './client.ts';
import { describeTypes, LISTED_DOMAINS, plural, type Selection } from './select.ts';

/** Every output the action can set; `skipped` only with `if-no-credentials: skip` (core's skip.ts). */
export const OUTPUT_NAMES = ['auth-configs', 'domains', 'key', 'iv', 'keys', 'file', 'skipped'] as const;

export interface Fetched {
  configs: DomainAuthConfig[];
  selection: Selection;
  /** The absolute path written, when output-file is set. */
  file: string | undefined;
}

/** `auth-configs` as JSON: the same text goes to the output and to the file. */
export const authConfigsJson = (configs: readonly DomainAuthConfig[]): string => JSON.stringify(configs);

export function authConfigPublication(fetched: Fetched): Publication {
  const { configs, selection, file } = fetched;
  return {
    outputs: {
      'auth-configs': authConfigsJson(configs),
      domains: configs.map((config) => config.Domain).join(','),
      key: selection.first?.key,
      iv: selection.first?.iv,
      keys: JSON.stringify(selection.keys),
      file,
    },
  };
}

export interface Request {
  baseUrl: URL;
  region: string;
  zone: string;
  projectId: string | undefined;
  type: string | undefined;
}

export function authConfigSummary(fetched: Fetched, request: Request): SummaryContent {
  const { configs, selection, file } = fetched;
  const listed = configs.slice(0, LISTED_DOMAINS);
  const more = configs.length - listed.length;
  return {
    title: 'UCloud UCDN auth config',
    rows: [
      ['API', request.baseUrl.host],
      ['Region / zone', `${request.region} / ${request.zone}`],
      ['Project', request.projectId ?? '(default project)'],
      ...listed.map((config): [string, string] => [printable(config.Domain, 200), describeTypes(config)]),
      ...(more > 0 ? [['…', `and ${plural(more, 'more domain')}`] as [string, string]] : []),
      [
        'Selected',
        `${plural(selection.keys.length, 'key')}${request.type ? ` of type ${request.type}` : ''}`,
      ],
      ...(file ? [['Output file', file] as [string, string]] : []),
    ],
    notes: [
      'Keys are masked in logs. Outputs holding them reach later steps of this job only, not other jobs.',
    ],
  };
}

/** The log line of a successful run: counts only. */
export function fetchedLine(fetched: Fetched): string {
  return `UCloud returned auth configs for ${plural(fetched.configs.length, 'domain')}; ${plural(fetched.selection.keys.length, 'key')} selected`;
}
