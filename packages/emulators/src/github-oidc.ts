// The runner's ID-token endpoint as `@actions/core` `getIDToken(audience)` uses it: the toolkit
// reads ACTIONS_ID_TOKEN_REQUEST_URL (which already carries `?api-version=2.0`), appends
// `&audience=<encodeURIComponent(aud)>` when an audience is given, sends GET with
// `Authorization: Bearer <ACTIONS_ID_TOKEN_REQUEST_TOKEN>` and reads `{"value":"<jwt>"}`
// (node_modules/@actions/core/lib/oidc-utils.js). Tokens are RS256 JWTs with GitHub's claims
// (GitHub Docs "OpenID Connect", "About security hardening with OpenID Connect"); the JWKS is
// published at /.well-known/jwks as token.actions.githubusercontent.com does. The issuer is only a
// string: nothing ever fetches https://token.actions.githubusercontent.com in a test.
import { randomBytes, randomUUID } from 'node:crypto';
import type http from 'node:http';
import { createSigningKey, type Jwks, type JwtPayload, signJwt } from './jwt.ts';
import { type EmulatorServer, type RecordedRequest, sendJson, startServer } from './server.ts';

export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';
const TOKEN_PATH = '/_apis/distributedtask/hubs/Actions/plans/emulated/jobs/emulated/idtoken';
const JWKS_PATH = '/.well-known/jwks';

export interface GithubRun {
  /** `owner/name`. */
  repository: string;
  repositoryId: string;
  repositoryOwnerId: string;
  ref: string;
  sha: string;
  /** Workflow name (the `name:` of the file). */
  workflow: string;
  /** Path of the workflow file in the repository. */
  workflowFile: string;
  runId: string;
  runNumber: string;
  runAttempt: string;
  actor: string;
  actorId: string;
  eventName: string;
  /** Deployment environment of the job, when it has one (changes `sub`). */
  environment?: string;
}

/** Changes to what the next tokens look like; the emulator's `tokenOptions` holds the current ones. */
export interface TokenOptions {
  /** Already expired: `exp` one minute in the past. */
  expired?: boolean;
  /** Signed by a key that is not in the JWKS, under the published `kid`. */
  foreignKey?: boolean;
  /** Claims to set or replace (e.g. another `sub` or `repository`); `undefined` removes one. */
  claims?: JwtPayload;
}

export interface GithubOidcOptions {
  run?: Partial<GithubRun>;
  /** Lifetime of a token in seconds (default 300: GitHub's tokens live for minutes). */
  lifetimeSeconds?: number;
  /** The bearer the runner hands to the job (random by default). */
  requestToken?: string;
  now?: () => number;
}

export interface IssuedIdToken {
  audience: string;
  token: string;
  claims: JwtPayload;
}

export interface GithubOidcEmulator extends EmulatorServer {
  readonly run: GithubRun;
  readonly requestToken: string;
  /** The value for ACTIONS_ID_TOKEN_REQUEST_URL (already with `?api-version=2.0`). */
  readonly requestUrl: string;
  readonly jwksUrl: string;
  /** Applied to every token the endpoint issues from now on. */
  tokenOptions: TokenOptions;
  /** Every token handed out over HTTP, in order. */
  readonly issued: IssuedIdToken[];
  /** The published key set (what IAM's `signing_key` or an STS provider would hold). */
  jwks(): Jwks;
  /** Issues a token without HTTP, e.g. for emulator tests of IAM and STS. */
  issueToken(audience?: string, options?: TokenOptions): string;
}

export async function startGithubOidcEmulator(options: GithubOidcOptions = {}): Promise<GithubOidcEmulator> {
  const now = options.now ?? Date.now;
  const lifetime = options.lifetimeSeconds ?? 300;
  const run: GithubRun = {
    repository: 'octo-org/octo-repo',
    repositoryId: '74',
    repositoryOwnerId: '65',
    ref: 'refs/heads/main',
    sha: 'a5c4e3e1d2b6f0c9a8b7e6d5c4b3a29181706f5e',
    workflow: 'release',
    workflowFile: '.github/workflows/release.yml',
    runId: '10386912345',
    runNumber: '42',
    runAttempt: '1',
    actor: 'octocat',
    actorId: '583231',
    eventName: 'push',
    ...options.run,
  };
  const requestToken = options.requestToken ?? randomBytes(32).toString('base64url');
  // GitHub names its keys by thumbprint-like ids; any stable string serves.
  const key = createSigningKey(`emulated-${randomBytes(8).toString('hex')}`);
  const foreign = createSigningKey(key.kid);
  const issued: IssuedIdToken[] = [];

  const issueToken = (audience?: string, tokenOptions: TokenOptions = {}): string => {
    const owner = run.repository.split('/')[0] ?? run.repository;
    // Without an audience parameter GitHub uses the owner's URL (GitHub Docs, "OpenID Connect").
    const aud = audience ?? `https://github.com/${owner}`;
    const iat = Math.floor(now() / 1000) - (tokenOptions.expired ? lifetime + 60 : 0);
    const claims: JwtPayload = {
      jti: randomUUID(),
      sub: subjectOf(run),
      aud,
      ref: run.ref,
      sha: run.sha,
      repository: run.repository,
      repository_owner: owner,
      repository_owner_id: run.repositoryOwnerId,
      repository_id: run.repositoryId,
      repository_visibility: 'private',
      run_id: run.runId,
      run_number: run.runNumber,
      run_attempt: run.runAttempt,
      actor: run.actor,
      actor_id: run.actorId,
      workflow: run.workflow,
      workflow_ref: `${run.repository}/${run.workflowFile}@${run.ref}`,
      workflow_sha: run.sha,
      job_workflow_ref: `${run.repository}/${run.workflowFile}@${run.ref}`,
      job_workflow_sha: run.sha,
      head_ref: '',
      base_ref: '',
      event_name: run.eventName,
      ref_type: run.ref.startsWith('refs/tags/') ? 'tag' : 'branch',
      ...(run.environment ? { environment: run.environment } : {}),
      runner_environment: 'github-hosted',
      iss: GITHUB_ISSUER,
      nbf: iat - 5,
      exp: iat + lifetime,
      iat,
    };
    for (const [name, value] of Object.entries(tokenOptions.claims ?? {})) {
      if (value === undefined) delete claims[name];
      else claims[name] = value;
    }
    const token = signJwt(claims, tokenOptions.foreignKey ? foreign : key);
    issued.push({ audience: aud, token, claims });
    return token;
  };

  // Assigned below; the handler only runs once the server (and so the emulator) exists.
  let emulator: GithubOidcEmulator | undefined;
  const handler = (req: RecordedRequest, res: http.ServerResponse): void => {
    const url = new URL(req.url, 'http://emulator');
    if (req.method === 'GET' && url.pathname === JWKS_PATH) {
      sendJson(res, 200, { keys: [key.publicJwk] });
      return;
    }
    if (req.method !== 'GET' || url.pathname !== TOKEN_PATH) {
      sendJson(res, 404, { message: `No route for ${req.method} ${url.pathname}` });
      return;
    }
    if (req.headers.authorization !== `Bearer ${requestToken}`) {
      sendJson(res, 401, { message: 'The request token is missing or invalid' });
      return;
    }
    if (url.searchParams.get('api-version') !== '2.0') {
      sendJson(res, 400, { message: 'api-version 2.0 is required' });
      return;
    }
    const audience = url.searchParams.get('audience') ?? undefined;
    sendJson(res, 200, { count: 1, value: issueToken(audience, emulator?.tokenOptions) });
  };

  const server = await startServer(handler);
  emulator = Object.assign(server, {
    run,
    requestToken,
    requestUrl: `${server.url}${TOKEN_PATH}?api-version=2.0`,
    jwksUrl: `${server.url}${JWKS_PATH}`,
    issued,
    jwks: (): Jwks => ({ keys: [key.publicJwk] }),
    issueToken,
    tokenOptions: {},
  });
  return emulator;
}

/** What a runner sets for a job with `permissions: id-token: write`, pointing at the emulator. */
export function githubOidcEnv(emulator: GithubOidcEmulator): Record<string, string> {
  return {
    ACTIONS_ID_TOKEN_REQUEST_URL: emulator.requestUrl,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: emulator.requestToken,
  };
}

/** GitHub's `sub` forms: environment jobs, pull requests, otherwise the ref. */
function subjectOf(run: GithubRun): string {
  if (run.environment) return `repo:${run.repository}:environment:${run.environment}`;
  if (run.eventName === 'pull_request' || run.eventName === 'pull_request_target') {
    return `repo:${run.repository}:pull_request`;
  }
  return `repo:${run.repository}:ref:${run.ref}`;
}
