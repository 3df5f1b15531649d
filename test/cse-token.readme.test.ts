// What the cse-token README must tell its users beyond the tables, which the contract test
// (test/contract.test.ts) compares with action.yml and the code.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@cloudcreds/harness';
import { describe, expect, it } from 'vitest';

const readme = readFileSync(join(repoRoot, 'actions', 'cse-token', 'README.md'), 'utf8');
describe('cse-token README', () => {
  it('shows passing the authorization to a test command through env:', () => {
    expect(readme).toMatch(
      /env:\n\s+#[^\n]*\n\s+SC_AUTHORIZATION: \$\{\{ steps\.cse\.outputs\.authorization \}\}/,
    );
    expect(readme).toContain('Masked outputs cannot cross jobs');
  });
});
