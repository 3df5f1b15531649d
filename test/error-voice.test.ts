// One error voice for the suite: every failure template of every action, rendered by driving the
// real code (each action's test/error-lines.ts), must read as one sentence that names its cause.
// The checks are what a reader trips over: doubled words ("answered answered"), glued fragments
// ("answered HTTP 200 with with"), a missing or doubled full stop, text spread over two lines,
// or a workflow command smuggled in from a service's answer.
import { describe, expect, it } from 'vitest';
import { errorLines as cseTokenLines } from '../actions/cse-token/test/error-lines.ts';
import { errorLines as swrLoginLines } from '../actions/swr-login/test/error-lines.ts';
import { errorLines as ucloudLines } from '../actions/ucloud-authconfig/test/error-lines.ts';

interface ErrorLine {
  template: string;
  line: string;
}

const SOURCES: Array<[string, () => ErrorLine[] | Promise<ErrorLine[]>]> = [
  ['swr-login', swrLoginLines],
  ['cse-token', cseTokenLines],
  ['ucloud-authconfig', ucloudLines],
];

/**
 * What makes a line name its cause: an input by name, an HTTP status, a service's code, a tool's
 * exit code, or the network event that happened to a named host.
 */
const CAUSE =
  /'[a-z][a-z0-9-]*'|\bHTTP \d{3}\b|\bRetCode\b|\berror code\b|\bexit code\b|\bdid not (answer|accept)\b|\brefused\b|\breset\b|\bcertificate\b|\bresolved\b|\bproxy\b|\bredirect/i;

function sentenceProblems(line: string): string[] {
  const problems: string[] = [];
  if (/[\r\n]/.test(line)) problems.push('spans several lines');
  if (!/^["'`(A-Za-z0-9[]/.test(line)) problems.push('does not start with a word or a host');
  if (!/[^.][.?!…]$/.test(line) && !/…\.$/.test(line)) problems.push('does not end with one full stop');
  if (/\.\.$/.test(line) && !/…\.$/.test(line)) problems.push('ends with two full stops');
  const doubled = /\b([A-Za-z]{2,})\s+\1\b/i.exec(line);
  if (doubled) problems.push(`repeats "${doubled[1]}"`);
  if (/\s[.,;:]/.test(line.replace(/ :\u200b:/g, ''))) problems.push('has a space before punctuation');
  // `swr::createLoginSecret`, `iam::<account>:agency:x` and URLs are names, not punctuation.
  const prose = line
    .replace(/https?:\/\/\S+/g, '')
    .replace(/:\u200b:/g, '')
    .replace(/[\w>]::?[\w<]/g, '');
  if (/[.;:,]\s*[.;:,]/.test(prose)) {
    problems.push('has two punctuation marks in a row');
  }
  if (/\bwith (a|an|the)? ?(body|token|response)? ?$/.test(line)) problems.push('ends on a fragment');
  if (/::[a-z-]+::|##\[/.test(line)) problems.push('carries a workflow command');
  if (!CAUSE.test(line)) problems.push('names no cause');
  return problems;
}

describe('the sentence check itself', () => {
  it('catches the defects it exists for', () => {
    expect(sentenceProblems('GitHub OIDC token endpoint answered answered HTTP 500.')).toContain(
      'repeats "answered"',
    );
    expect(sentenceProblems('SWR answered HTTP 401')).toContain('does not end with one full stop');
    expect(sentenceProblems('SWR answered HTTP 401..')).toContain('ends with two full stops');
    expect(sentenceProblems('Something went wrong.')).toContain('names no cause');
    expect(sentenceProblems('SWR answered HTTP 400: ::error::forged.')).toContain(
      'carries a workflow command',
    );
    expect(sentenceProblems('x answered HTTP 200 ; bad.')).toContain('has a space before punctuation');
    expect(
      sentenceProblems(
        'SWR (swr-api.example) answered HTTP 401 with error code APIGW.0301: "Incorrect" (request id a). Check the AK.',
      ),
    ).toEqual([]);
  });
});

describe.each(SOURCES)('%s error templates', (action, source) => {
  it('renders every template as one sentence that names its cause', async () => {
    const lines = await source();
    expect(lines.length, `${action}: templates listed`).toBeGreaterThanOrEqual(8);
    const templates = new Set(lines.map((entry) => entry.template));
    expect(templates.size, `${action}: template names are unique`).toBe(lines.length);
    const failures = lines
      .map((entry) => ({ ...entry, problems: sentenceProblems(entry.line) }))
      .filter((entry) => entry.problems.length > 0)
      .map((entry) => `${entry.template}: ${entry.problems.join(', ')}\n    ${entry.line}`);
    expect(failures, failures.join('\n')).toEqual([]);
  });
});
