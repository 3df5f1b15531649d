import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { ConfigError } from '@cloudcreds/core';
import { describe, expect, it } from 'vitest';
import { removeLeftover, writePrivateFile } from '../src/output-file.ts';

const scratch = () => mkdtempSync(join(tmpdir(), 'ucloud-output-file-'));

describe('writePrivateFile', () => {
  it('writes the content with mode 0600, creating missing directories, leaving no temporary file', () => {
    const dir = scratch();
    const path = join(dir, 'nested', 'keys.json');
    writePrivateFile(path, '[{"Domain":"a.com"}]', () => {});
    expect(readFileSync(path, 'utf8')).toBe('[{"Domain":"a.com"}]');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(dir, 'nested'))).toEqual(['keys.json']);
  });

  it('names the temporary sibling before it exists, so cleanup can find it whatever ends the step', () => {
    const dir = scratch();
    const path = join(dir, 'keys.json');
    const recorded: Array<{ temporary: string; existed: boolean }> = [];
    writePrivateFile(path, 'content', (temporary) =>
      recorded.push({ temporary, existed: existsSync(temporary) }),
    );
    expect(recorded).toHaveLength(1);
    expect(recorded[0]?.existed).toBe(false);
    expect(recorded[0]?.temporary).toMatch(new RegExp(`^${dir}/\\.keys\\.json\\.[0-9a-f-]{36}\\.tmp$`));
    expect(existsSync(recorded[0]?.temporary ?? '')).toBe(false);
  });

  it('replaces an existing file (even a world-readable one) with a 0600 file', () => {
    const dir = scratch();
    const path = join(dir, 'keys.json');
    writeFileSync(path, 'old', { mode: 0o644 });
    writePrivateFile(path, 'new', () => {});
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('refuses a directory before recording anything', () => {
    const dir = scratch();
    const recorded: string[] = [];
    expect(() => writePrivateFile(dir, 'x', (temporary) => recorded.push(temporary))).toThrow(
      new ConfigError("Input 'output-file' names a directory"),
    );
    expect(recorded).toEqual([]);
  });

  it('fails with one ConfigError and leaves nothing behind when the directory cannot be written', () => {
    const dir = scratch();
    const blocked = join(dir, 'file-not-dir');
    writeFileSync(blocked, '');
    expect(() => writePrivateFile(join(blocked, 'keys.json'), 'x', () => {})).toThrow(
      /^Input 'output-file' cannot be written \((ENOTDIR|EEXIST)\)$/,
    );
    mkdirSync(join(dir, 'empty'));
    expect(readdirSync(dir).sort()).toEqual(['empty', 'file-not-dir']);
  });
});

describe('removeLeftover', () => {
  const leftover = (): string => {
    const dir = scratch();
    const path = join(dir, '.keys.json.0f8fad5b-d9cb-469f-a165-70867728950e.tmp');
    writeFileSync(path, 'keys');
    return path;
  };

  it('removes the temporary file a cancelled main step left, and says which', () => {
    const path = leftover();
    expect(removeLeftover(path)).toBe(path);
    expect(existsSync(path)).toBe(false);
  });

  it('does nothing when nothing was recorded or the file is gone (the main step finished)', () => {
    expect(removeLeftover(undefined)).toBeUndefined();
    expect(removeLeftover('')).toBeUndefined();
    const path = leftover();
    removeLeftover(path);
    expect(removeLeftover(path)).toBeUndefined();
  });

  it('touches no file whose name is not one of its temporary names', () => {
    const dir = scratch();
    for (const name of [
      'keys.json',
      '.keys.json.tmp',
      '.keys.json.not-a-uuid.tmp',
      'x.0f8fad5b-d9cb-469f-a165-70867728950e.tmp',
    ]) {
      const path = join(dir, name);
      writeFileSync(path, 'precious');
      expect(removeLeftover(path), basename(path)).toBeUndefined();
      expect(readFileSync(path, 'utf8')).toBe('precious');
    }
  });
});
