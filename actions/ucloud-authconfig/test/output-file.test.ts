import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@cloudcreds/core';
import { describe, expect, it } from 'vitest';
import { writePrivateFile } from '../src/output-file.ts';

const scratch = () => mkdtempSync(join(tmpdir(), 'ucloud-output-file-'));

describe('writePrivateFile', () => {
  it('writes the content with mode 0600, creating missing directories, leaving no temporary file', async () => {
    const dir = scratch();
    const path = join(dir, 'nested', 'keys.json');
    await writePrivateFile(path, '[{"Domain":"a.com"}]');
    expect(readFileSync(path, 'utf8')).toBe('[{"Domain":"a.com"}]');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(dir, 'nested'))).toEqual(['keys.json']);
  });

  it('replaces an existing file (even a world-readable one) with a 0600 file', async () => {
    const dir = scratch();
    const path = join(dir, 'keys.json');
    writeFileSync(path, 'old', { mode: 0o644 });
    await writePrivateFile(path, 'new');
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('refuses a directory', async () => {
    const dir = scratch();
    await expect(writePrivateFile(dir, 'x')).rejects.toThrow(ConfigError);
    await expect(writePrivateFile(dir, 'x')).rejects.toThrow(/names a directory/);
  });

  it('fails with one ConfigError and leaves nothing behind when the directory cannot be written', async () => {
    const dir = scratch();
    const blocked = join(dir, 'file-not-dir');
    writeFileSync(blocked, '');
    await expect(writePrivateFile(join(blocked, 'keys.json'), 'x')).rejects.toThrow(
      /^Input 'output-file': cannot write .*keys\.json \((ENOTDIR|EEXIST)\)$/,
    );
    mkdirSync(join(dir, 'empty'));
    expect(readdirSync(dir).sort()).toEqual(['empty', 'file-not-dir']);
  });
});
