// The harness itself: a bundle that tries to resolve a real hostname is stopped before any query
// leaves the machine, and the test that let it happen fails.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFileCommands, renderLog, runAction } from '@cloudcreds/harness';
import { describe, expect, it } from 'vitest';

function scriptAction(source: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'harness-action-'));
  writeFileSync(
    join(dir, 'action.yml'),
    'name: t\ndescription: t\nruns:\n  using: node24\n  main: main.mjs\n',
  );
  writeFileSync(join(dir, 'main.mjs'), source);
  return dir;
}

const resolvesRealHost = scriptAction(`
import https from 'node:https';
https.get('https://swr-api.cn-north-4.myhuaweicloud.com/').on('error', (error) => {
  console.log('failed: ' + error.code);
});
`);

describe('test harness', () => {
  it('refuses every DNS lookup of a real hostname and fails the test that caused it', async () => {
    await expect(runAction({ action: resolvesRealHost })).rejects.toThrow(
      /tried to resolve swr-api\.cn-north-4\.myhuaweicloud\.com: tests stay on loopback/,
    );
  });

  it('lets a test of unknown-host handling see the refusal as ENOTFOUND', async () => {
    const result = await runAction({ action: resolvesRealHost, allowBlockedLookups: true });
    expect(result.blockedLookups).toEqual(['swr-api.cn-north-4.myhuaweicloud.com']);
    expect(result.stdout).toContain('failed: ENOTFOUND');
  });

  it('measures the peak memory of the action process', async () => {
    const small = await runAction({ action: scriptAction('console.log("hi");') });
    const big = await runAction({
      action: scriptAction('const kept = Buffer.alloc(96 * 1024 * 1024, 1); console.log(kept.length);'),
    });
    expect(small.peakRssBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(big.peakRssBytes - small.peakRssBytes).toBeGreaterThan(80 * 1024 * 1024);
  });

  it('parses file commands as the runner does (NAME=VALUE and heredoc records)', () => {
    const parsed = parseFileCommands('a=1=2\nb<<ghadelimiter_x\nline 1\nline 2\nghadelimiter_x\n');
    expect(parsed).toEqual({ a: '1=2', b: 'line 1\nline 2' });
    expect(() => parseFileCommands('c<<EOF\nunterminated\n')).toThrow(/Matching delimiter not found/);
  });

  it('renders the log masked, and reports a secret printed before its add-mask line', () => {
    const rendered = renderLog(
      'early s3cret-value\n::add-mask::s3cret-value\nlate s3cret-value\n',
      ['s3cret-value'],
      false,
    );
    expect(rendered.text).toBe('early s3cret-value\nlate ***\n');
    expect(rendered.shownBeforeMask).toEqual(['s3cret-value']);
  });
});
