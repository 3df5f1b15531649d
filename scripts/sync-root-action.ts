// The root action.yml is swr-login (the flagship, `uses: <org>/<repo>@v1`). It is generated from
// actions/swr-login/action.yml so the two cannot drift; test/bundles.test.ts checks it.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const root = new URL('..', import.meta.url);
const swrAction = new URL('actions/swr-login/action.yml', root);
if (existsSync(swrAction)) {
  const source = readFileSync(swrAction, 'utf8');
  const header =
    '# Generated from actions/swr-login/action.yml by scripts/sync-root-action.ts: edit that file.\n';
  writeFileSync(new URL('action.yml', root), header + source.replaceAll('../../dist/', 'dist/'));
}
