// What the ucloud-authconfig README must tell its users beyond the tables, which the contract
// test (test/contract.test.ts) compares with action.yml and the code.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@cloudcreds/harness';
import { describe, expect, it } from 'vitest';

const readme = readFileSync(join(repoRoot, 'actions/ucloud-authconfig/README.md'), 'utf8');

describe('ucloud-authconfig README', () => {
  it('passes the key to a deploy command through env:, never inline', () => {
    expect(readme).toMatch(/env:\n\s+CDN_KEY: \$\{\{ steps\.ucdn\.outputs\.key \}\}/);
  });

  it('covers the RetCodes users hit and the cross-job limit', () => {
    for (const code of ['171', '172', '294']) expect(readme).toMatch(new RegExp(`^\\| ${code} +\\|`, 'm'));
    expect(readme).toMatch(/^\| 171 .*must set `channel-key`/m);
    expect(readme).toMatch(/^\| 294 .*GitHub-hosted runner IPs change/m);
    expect(readme).toContain('Masked outputs cannot cross jobs');
  });
});
