// What docker's config directory holds for each registry after a login: `auths[host].auth` is
// base64 of user:password, and a logout removes the entry.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The `auths` of `dir`/config.json; none when docker has not written the file. */
export function dockerAuths(dir: string): Record<string, { auth?: string }> {
  const file = join(dir, 'config.json');
  if (!existsSync(file)) return {};
  return (
    (JSON.parse(readFileSync(file, 'utf8')) as { auths?: Record<string, { auth?: string }> }).auths ?? {}
  );
}
