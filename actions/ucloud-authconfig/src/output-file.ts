// The result for later steps that read a file rather than an output. Masking never protects a
// file, so it is private to the runner user (0600), and it is written under a temporary name and
// renamed: a reader sees the old file or the whole new one, never half of it.
import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ConfigError } from '@cloudcreds/core';

export async function writePrivateFile(path: string, content: string): Promise<void> {
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory()) throw new ConfigError(`Input 'output-file' names a directory: ${path}`);
  const directory = dirname(path);
  const temporary = join(directory, `.${basename(path)}.${randomUUID()}.tmp`);
  try {
    await mkdir(directory, { recursive: true, mode: 0o700 });
    const handle = await open(temporary, 'wx', 0o600);
    try {
      // The mode given to open() is filtered by the umask; chmod states it exactly.
      await handle.chmod(0o600);
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    // Cleanup is best effort: when the directory itself is unusable there is nothing to remove.
    await rm(temporary, { force: true }).catch(() => undefined);
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ConfigError(`Input 'output-file': cannot write ${path} (${reason})`);
  }
}
