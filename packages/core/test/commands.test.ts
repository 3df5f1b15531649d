// The workflow commands core writes itself must be byte for byte what @actions/core writes: the
// runner parses them, and a message that could end its line early could forge another command.
import * as actionsCore from '@actions/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { escapeData, info, isDebug, issueCommand, setFailed, warning } from '../src/commands.ts';

let written: string[] = [];
beforeEach(() => {
  written = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

function capture(write: () => void): string {
  written = [];
  write();
  return written.join('');
}

const messages = [
  'plain',
  '',
  '100% done, 0%0A left',
  'first\nsecond\r\nthird\r',
  '::error::forged',
  'unicode ключ ✓ 🔑',
  'tab\tand, comma: colon',
];

describe('workflow commands, as @actions/core writes them', () => {
  it.each(messages)('%j', (message) => {
    expect(capture(() => issueCommand('error', message))).toBe(capture(() => actionsCore.error(message)));
    expect(capture(() => warning(message))).toBe(capture(() => actionsCore.warning(message)));
    expect(capture(() => issueCommand('debug', message))).toBe(capture(() => actionsCore.debug(message)));
    expect(capture(() => issueCommand('add-mask', message))).toBe(
      capture(() => actionsCore.setSecret(message)),
    );
    expect(capture(() => info(message))).toBe(capture(() => actionsCore.info(message)));
  });

  it('keeps every command on one line: CR, LF and % are escaped', () => {
    expect(escapeData('a%b\r\nc')).toBe('a%25b%0D%0Ac');
    const line = capture(() => issueCommand('error', 'x\n::add-mask::y'));
    expect(line).toBe('::error::x%0A::add-mask::y\n');
  });

  it('fails the step as core.setFailed does: exit code 1 and one ::error:: line', () => {
    const ours = capture(() => setFailed('broken\nreally'));
    expect(process.exitCode).toBe(1);
    process.exitCode = undefined;
    const theirs = capture(() => actionsCore.setFailed('broken\nreally'));
    expect(process.exitCode).toBe(1);
    expect(ours).toBe(theirs);
  });

  it('reads step debug as core.isDebug does', () => {
    for (const value of [undefined, '0', 'true', '1']) {
      vi.stubEnv('RUNNER_DEBUG', value);
      expect(isDebug()).toBe(actionsCore.isDebug());
    }
    vi.unstubAllEnvs();
  });
});
