// Huawei Cloud IAM (classic) CreateTokenWithIdToken, route A of docs/specs/swr.md §7:
// `POST /v3.0/OS-AUTH/id-token/tokens`, header `X-Idp-Id`, body
// `{"auth":{"id_token":{"id":"<JWT>"},"scope":{"project":{"name"|"id"}}}}` → 201 with the token in
// `X-Subject-Token` (IAM API iam_13_0605). The identity provider is configured as route A's setup
// does it: `idp_url` (must equal `iss`), `client_id` (must equal `aud`), `signing_key` = a JWKS
// pasted statically, and mapping rules on claims. Without `scope` IAM returns an unscoped token
// (documented); the emulator records which tokens are project-scoped so SWR can refuse the others.
//
// Errors: IAM documents the `{"error_msg","error_code"}` shape (e.g. `IAM.0011` "Request body is
// invalid.", `IAM.0007` "Request parameter %(key)s is invalid.") and its Keystone-derived token
// APIs answer `{"error":{"code":<status>,"message","title"}}`. The page of this API lists no
// per-cause error codes, so the codes below marked "emulator" are ours: distinct per cause, with
// messages that name the cause, in either shape (`errorShape`). Clients must not rely on them.
//
// It also answers the project lookups swr-login makes when no project id is given (docs/specs/swr.md §10):
// `GET /v3/projects?name=<region>` (KeystoneListProjects, AK/SK-signed; least-privilege users may
// be refused with 403) and `GET /v3/auth/projects` (KeystoneListAuthProjects, any valid token).
// Both sit behind the same gateway check as SWR (huawei-apig.ts); pass an SWR emulator's
// `credentials` so the same keys and tokens work here.
import { randomBytes, randomUUID } from 'node:crypto';
import type http from 'node:http';
import {
  authenticateRequest,
  type GatewayCredentials,
  gatewayCredentials,
  parseQuery,
  refuseUnauthenticated,
  splitUrl,
} from './huawei-apig.ts';
import { claimValues, type Jwks, verifyJwt, wildcardMatch } from './jwt.ts';
import { type EmulatorServer, type RecordedRequest, sendJson, startServer } from './server.ts';

/** One condition of a mapping rule: the claim must hold a value equal to / matching one given. */
export interface ClaimCondition {
  claim: string;
  /** Exact values, any of which satisfies the condition. */
  anyOf?: string[];
  /** `*` wildcard patterns, any of which satisfies the condition. */
  like?: string[];
}

export interface IamIdentityProvider {
  /** The IdP id, sent as X-Idp-Id. */
  id: string;
  /** `idp_url`: the tokens' issuer. */
  idpUrl: string;
  /** `client_id`: the tokens' audience. */
  clientId: string;
  /** The mapping rule: every condition must hold (a rule with none maps every token). */
  conditions: ClaimCondition[];
  /** The user group the rule maps to (shown as the token's roles). */
  group?: string;
}

export interface IamProject {
  id: string;
  name: string;
}

export type IamErrorShape = 'iam' | 'keystone';

export interface HuaweiIamOptions {
  /** The IdP's `signing_key`, as pasted once at setup. */
  jwks?: Jwks;
  /** Or read at each request (e.g. a GitHub emulator's current keys). */
  jwksProvider?: () => Jwks;
  /** Route A's identity providers (default none). */
  identityProviders?: IamIdentityProvider[];
  /**
   * The account's projects: what tokens can be scoped to and what the project lookups list
   * (default: cn-north-4 with a random id). Two with one name make the lookup ambiguous.
   */
  projects?: IamProject[];
  /** The keys and tokens the project lookups accept (e.g. an SWR emulator's); its own tokens always pass. */
  credentials?: GatewayCredentials;
  /** Refuse `GET /v3/projects` with 403, as IAM does for users without iam:projects:listProjects. */
  denyListProjects?: boolean;
  domain?: { id: string; name: string };
  /** Token lifetime (default 24 h, as IAM tokens). */
  tokenLifetimeSeconds?: number;
  /** Which documented error shape failures use (default `iam`). */
  errorShape?: IamErrorShape;
  now?: () => number;
}

export interface IssuedIamToken {
  token: string;
  identityProvider: string;
  /** Undefined for an unscoped token. */
  project?: IamProject;
  subject: string;
  expiresAt: string;
}

export interface HuaweiIamEmulator extends EmulatorServer {
  /** The account's projects; tests may change them between requests. */
  readonly projects: IamProject[];
  errorShape: IamErrorShape;
  /** Whether `GET /v3/projects` is refused with 403; tests may change it between requests. */
  denyListProjects: boolean;
  readonly credentials: GatewayCredentials;
  /** Every token handed out, by token. */
  readonly issued: Map<string, IssuedIamToken>;
  /** Whether this emulator issued the token and it has not expired. */
  isIssuedToken(token: string): boolean;
}

export const IAM_TOKEN_PATH = '/v3.0/OS-AUTH/id-token/tokens';
export const IAM_PROJECTS_PATH = '/v3/projects';
export const IAM_AUTH_PROJECTS_PATH = '/v3/auth/projects';

/** Failures by cause; codes marked "emulator" are not documented by IAM (see the header comment). */
const FAILURES = {
  badBody: { status: 400, code: 'IAM.0011', message: 'Request body is invalid.' },
  noIdpHeader: { status: 400, code: 'IAM.0007', message: 'Request parameter X-Idp-Id is invalid.' },
  unknownIdp: { status: 404, code: 'IAM.0101', message: 'The identity provider does not exist.' }, // emulator
  malformedToken: { status: 400, code: 'IAM.0102', message: 'The id token is not a valid JWT.' }, // emulator
  badSignature: {
    status: 401,
    code: 'IAM.0103',
    message: 'Failed to verify the id token signature with the signing key of the identity provider.',
  }, // emulator
  wrongIssuer: {
    status: 401,
    code: 'IAM.0104',
    message: 'The issuer (iss) of the id token does not match the idp_url of the identity provider.',
  }, // emulator
  wrongAudience: {
    status: 401,
    code: 'IAM.0105',
    message: 'The audience (aud) of the id token does not match the client_id of the identity provider.',
  }, // emulator
  expired: { status: 401, code: 'IAM.0106', message: 'The id token has expired.' }, // emulator
  notYetValid: { status: 401, code: 'IAM.0107', message: 'The id token is not yet valid (nbf).' }, // emulator
  noMapping: {
    status: 403,
    code: 'IAM.0108',
    message: 'The id token does not satisfy any mapping rule of the identity provider.',
  }, // emulator
  unknownProject: { status: 404, code: 'IAM.0109', message: 'The project in the scope does not exist.' }, // emulator
  listProjectsDenied: {
    status: 403,
    code: 'IAM.0110',
    message: 'You are not authorized to perform the requested action: iam:projects:listProjects.',
  }, // emulator
} as const;

type Failure = (typeof FAILURES)[keyof typeof FAILURES];

interface Admitted {
  provider: IamIdentityProvider;
  claims: Record<string, unknown>;
  /** Undefined for an unscoped token. */
  project?: IamProject;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
};

export async function startHuaweiIamEmulator(options: HuaweiIamOptions): Promise<HuaweiIamEmulator> {
  const now = options.now ?? Date.now;
  const jwks = options.jwksProvider ?? (() => options.jwks ?? { keys: [] });
  const projects = [...(options.projects ?? [{ id: randomBytes(16).toString('hex'), name: 'cn-north-4' }])];
  const identityProviders = options.identityProviders ?? [];
  const given = options.credentials ?? gatewayCredentials();
  // IAM knows its own tokens, scoped or not: listing a token's projects is what unscoped tokens are for.
  const credentials: GatewayCredentials = {
    ...given,
    issuedToken: (token) => (isIssuedToken(token) ? issued.get(token) : given.issuedToken?.(token)),
  };
  const domain = options.domain ?? { id: randomBytes(16).toString('hex'), name: 'octo-account' };
  const lifetimeMs = (options.tokenLifetimeSeconds ?? 86_400) * 1000;
  const issued = new Map<string, IssuedIamToken>();
  let emulator: HuaweiIamEmulator | undefined;

  const fail = (res: http.ServerResponse, failure: Failure): void => {
    const shape = emulator?.errorShape ?? options.errorShape ?? 'iam';
    const headers = { 'x-request-id': randomUUID().replace(/-/g, '') };
    if (shape === 'keystone') {
      const title = TITLES[failure.status] ?? 'Error';
      sendJson(
        res,
        failure.status,
        { error: { code: failure.status, message: failure.message, title } },
        headers,
      );
    } else {
      sendJson(res, failure.status, { error_msg: failure.message, error_code: failure.code }, headers);
    }
  };

  /** The checks in IAM's order; the first that fails decides the answer. */
  const admit = (req: RecordedRequest): Failure | Admitted => {
    const idpId = req.headers['x-idp-id'];
    if (typeof idpId !== 'string' || idpId === '') return FAILURES.noIdpHeader;
    const body = parseBody(req.body);
    if (!body) return FAILURES.badBody;
    const provider = identityProviders.find((candidate) => candidate.id === idpId);
    if (!provider) return FAILURES.unknownIdp;

    const verification = verifyJwt(body.idToken, jwks());
    if (!verification.ok)
      return verification.reason === 'malformed' ? FAILURES.malformedToken : FAILURES.badSignature;
    const claims = verification.payload;
    if (!claimValues(claims, 'iss').includes(provider.idpUrl)) return FAILURES.wrongIssuer;
    if (!claimValues(claims, 'aud').includes(provider.clientId)) return FAILURES.wrongAudience;
    const seconds = Math.floor(now() / 1000);
    if (typeof claims['exp'] !== 'number' || claims['exp'] <= seconds) return FAILURES.expired;
    if (typeof claims['nbf'] === 'number' && claims['nbf'] > seconds) return FAILURES.notYetValid;
    if (!provider.conditions.every((condition) => conditionHolds(condition, claims)))
      return FAILURES.noMapping;
    if (!body.scope) return { provider, claims };
    const wanted = body.scope;
    const project = projects.find((candidate) =>
      'id' in wanted ? candidate.id === wanted.id : candidate.name === wanted.name,
    );
    return project ? { provider, claims, project } : FAILURES.unknownProject;
  };

  const isIssuedToken = (token: string): boolean => {
    const entry = issued.get(token);
    return entry !== undefined && Date.parse(entry.expiresAt) > now();
  };

  /** KeystoneListProjects (`name` filters) and KeystoneListAuthProjects: the same list shape. */
  const listProjects = (req: RecordedRequest, res: http.ServerResponse, pathname: string): void => {
    const requestId = randomUUID().replace(/-/g, '');
    const verdict = authenticateRequest(req, credentials, { now });
    if (!verdict.ok) {
      refuseUnauthenticated(res, verdict.reason, requestId);
      return;
    }
    const { rawQuery } = splitUrl(req.url);
    if (pathname === IAM_PROJECTS_PATH && emulator?.denyListProjects) {
      fail(res, FAILURES.listProjectsDenied);
      return;
    }
    const name = pathname === IAM_PROJECTS_PATH ? parseQuery(rawQuery).get('name') : undefined;
    const base = emulator?.url ?? '';
    sendJson(
      res,
      200,
      {
        links: { self: `${base}${req.url}`, previous: null, next: null },
        projects: projects
          .filter((project) => name === undefined || project.name === name)
          .map((project) => ({
            is_domain: false,
            description: '',
            links: { self: `${base}${IAM_PROJECTS_PATH}/${project.id}` },
            enabled: true,
            id: project.id,
            parent_id: domain.id,
            domain_id: domain.id,
            name: project.name,
          })),
      },
      { 'x-request-id': requestId },
    );
  };

  const handler = (req: RecordedRequest, res: http.ServerResponse): void => {
    const pathname = new URL(req.url, 'http://emulator').pathname;
    if (req.method === 'GET' && (pathname === IAM_PROJECTS_PATH || pathname === IAM_AUTH_PROJECTS_PATH)) {
      listProjects(req, res, pathname);
      return;
    }
    if (req.method !== 'POST' || pathname !== IAM_TOKEN_PATH) {
      sendJson(res, 404, { error_msg: `No such API: ${req.method} ${pathname}`, error_code: 'APIGW.0101' });
      return;
    }
    const outcome = admit(req);
    if ('status' in outcome) {
      fail(res, outcome);
      return;
    }
    const { provider, claims, project } = outcome;

    // Real IAM tokens are opaque PKI blobs of a few kB starting with "MII"; so are these.
    const token = `MII${randomBytes(1536).toString('base64')}`;
    const issuedAt = new Date(now());
    const expiresAt = new Date(now() + lifetimeMs);
    const subject = claimValues(claims, 'sub')[0] ?? '';
    issued.set(token, {
      token,
      identityProvider: provider.id,
      ...(project ? { project } : {}),
      subject,
      expiresAt: expiresAt.toISOString(),
    });
    const group = provider.group ?? 'swr-pushers';
    sendJson(
      res,
      201,
      {
        token: {
          expires_at: microseconds(expiresAt),
          issued_at: microseconds(issuedAt),
          methods: ['mapped'],
          ...(project ? { project: { id: project.id, name: project.name, domain } } : { domain }),
          user: {
            id: randomBytes(16).toString('hex'),
            name: `FederationUser-${subject.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 32)}`,
            domain,
            'OS-FEDERATION': {
              identity_provider: { id: provider.id },
              protocol: { id: 'oidc' },
              groups: [{ id: randomBytes(16).toString('hex'), name: group }],
            },
          },
          roles: [{ id: randomBytes(16).toString('hex'), name: 'swr_adm' }],
          catalog: [],
        },
      },
      { 'x-subject-token': token, 'x-request-id': randomUUID().replace(/-/g, '') },
    );
  };

  const server = await startServer(handler);
  emulator = Object.assign(server, {
    projects,
    errorShape: options.errorShape ?? 'iam',
    denyListProjects: options.denyListProjects ?? false,
    credentials: given,
    issued,
    isIssuedToken,
  });
  return emulator;
}

interface TokenRequest {
  idToken: string;
  scope?: { id: string } | { name: string };
}

function parseBody(raw: Buffer): TokenRequest | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
  const auth = field(value, 'auth');
  const idToken = field(field(auth, 'id_token'), 'id');
  if (typeof idToken !== 'string' || idToken === '') return undefined;
  const scope = field(auth, 'scope');
  if (scope === undefined) return { idToken };
  const project = field(scope, 'project');
  const id = field(project, 'id');
  const name = field(project, 'name');
  if (typeof id === 'string' && id !== '') return { idToken, scope: { id } };
  if (typeof name === 'string' && name !== '') return { idToken, scope: { name } };
  return undefined;
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

function conditionHolds(condition: ClaimCondition, claims: Record<string, unknown>): boolean {
  const values = claimValues(claims, condition.claim);
  return values.some(
    (value) =>
      (condition.anyOf ?? []).includes(value) ||
      (condition.like ?? []).some((pattern) => wildcardMatch(pattern, value)),
  );
}

/** IAM writes times as `2023-06-28T08:56:33.710000Z` (microseconds). */
function microseconds(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
