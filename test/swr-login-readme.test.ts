// What the swr-login README must tell its users beyond the tables, which the contract test
// (test/contract.test.ts) compares with action.yml and the code.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@cloudcreds/harness';
import { describe, expect, it } from 'vitest';

const readme = readFileSync(join(repoRoot, 'actions/swr-login/README.md'), 'utf8');

describe('swr-login README', () => {
  it('names the IAM permission and the troubleshooting cases', () => {
    for (const text of [
      'swr::createLoginSecret',
      'fork',
      'if-no-credentials: skip',
      '15 minutes',
      'APIGW.0301',
      'masked outputs cannot cross jobs',
      'The docker CLI is not on PATH',
    ]) {
      expect(readme).toContain(text);
    }
  });

  it('tells self-hosted runners to use runner.temp, and what matrix jobs sharing ~/.docker get', () => {
    for (const text of [
      // A workflow expression as the README shows it, not a placeholder.
      `docker-config-dir: \${{ runner.temp }}/docker-config`,
      'not under the workspace',
      'swr-login.lock',
      'Matrix jobs that share one `~/.docker`',
    ]) {
      expect(readme).toContain(text);
    }
  });

  it('documents OIDC federation: permissions, both routes, the one-time setup and its troubleshooting', () => {
    for (const text of [
      '## OIDC federation (no stored secrets)',
      'id-token: write',
      'contents: read',
      'identity-provider: github-actions',
      'agency-urn: iam::',
      'provider-urn: iam::',
      'https://token.actions.githubusercontent.com/.well-known/jwks',
      'oidc:sub',
      'client_id',
      'Pull requests from forks never get an ID token',
      'rotates its signing keys',
    ]) {
      expect(readme).toContain(text);
    }
  });

  it('documents Enterprise, the enhanced login, several registries and the other clients', () => {
    for (const text of [
      '## SWR Enterprise Edition',
      'swr:instance:createTempCredential',
      'swr:instance:get',
      'set `project-id`',
      'block all access',
      'whitelist',
      '## IAM5 accounts: the enhanced login',
      'swr::createAuthorizationToken',
      'sts::createServiceBearerToken',
      'decode-authorization-message',
      '## Several registries in one step',
      'podman, buildah and skopeo read docker',
      'DOCKER_CONFIG',
      '| helm registry login "$SWR_REGISTRY" --username "$SWR_USER" --password-stdin',
    ]) {
      expect(readme).toContain(text);
    }
  });
});
