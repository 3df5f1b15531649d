// Huawei Cloud STS (IAM5) AssumeAgencyWithOIDC, route B of docs/specs/swr.md §7:
// `POST /v5/agencies/assume-with-oidc`, unsigned, body `{"id_token","provider_urn","agency_urn",
// "agency_session_name","duration_seconds"?,"policy"?,"policy_ids"?}` → 200 with temporary AK/SK
// and a security token. The JWT is verified against the OIDC provider's JWKS, its `iss` against the
// provider's URL and its `aud` against the provider's client ids; then the agency's trust policy
// must trust the provider and its conditions `oidc:iss` / `oidc:aud` / `oidc:sub` must hold
// (StringEquals, or StringLike with `*`).
//
// Field rules (IAM5 API "AssumeAgencyWithOIDC"; huaweicloud-sdk-go-v3
// services/sts/v1/model/model_assume_agency_with_oidc_req_body.go): id_token 4–20000 characters;
// provider_urn and agency_urn at most 1500; agency_session_name 2–128 characters;
// duration_seconds 900–43200, default 3600, and not above the agency's maximum session duration
// (3600–43200, default 3600: CreateAgencyV5 `max_session_duration`). The session name's character
// set is not stated on the pages we found; IAM5 names use letters, digits and `_+=,.@-`
// (CreateAgencyV5 `agency_name`), which is what this emulator enforces (inferred).
//
// Errors use the documented IAM5 shape `{"error_msg","error_code","request_id"}`, plus
// `encoded_authorization_message` when access is denied (api-iam5 ErrorCode). The per-cause STS
// codes are not documented on the pages we found: the `STS5.*` codes below are the emulator's own,
// distinct per cause, with messages that name it. Clients must not rely on them.
import { randomBytes, randomUUID } from 'node:crypto';
import type http from 'node:http';
import { claimValues, type Jwks, verifyJwt, wildcardMatch } from './jwt.ts';
import { type EmulatorServer, type RecordedRequest, sendJson, startServer } from './server.ts';

export interface StsOidcProvider {
  urn: string;
  /** The provider URL: tokens' `iss` must equal it. */
  issuer: string;
  /** Client ids: tokens' `aud` must be one of them. */
  clientIds: string[];
  jwks?: Jwks;
  /** Read at each request, as STS reads the provider's JWKS endpoint. */
  jwksProvider?: () => Jwks;
}

/** Trust-policy condition values; `*` makes a value a StringLike pattern. */
export type OidcConditions = Partial<Record<'oidc:iss' | 'oidc:aud' | 'oidc:sub', string[]>>;

export interface StsAgency {
  urn: string;
  /** Providers the trust policy names as `Principal.IdP`. */
  trustedProviders: string[];
  conditions: OidcConditions;
  /** Seconds (default 3600). */
  maxSessionDuration?: number;
}

export interface HuaweiStsOptions {
  providers: StsOidcProvider[];
  agencies: StsAgency[];
  now?: () => number;
}

export interface IssuedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  securityToken: string;
  /** ISO-8601. */
  expiration: string;
  agencyUrn: string;
  sessionName: string;
  subject: string;
}

export interface HuaweiStsEmulator extends EmulatorServer {
  /** Every credential handed out, in order. */
  readonly issued: IssuedCredentials[];
  /** The unexpired credential with this AK, e.g. for an SWR emulator to verify a signature. */
  findCredentials(accessKeyId: string): IssuedCredentials | undefined;
}

export const STS_OIDC_PATH = '/v5/agencies/assume-with-oidc';
const SESSION_NAME = /^[A-Za-z0-9_+=,.@-]{2,128}$/;

interface Admitted {
  body: AssumeRequest;
  provider: StsOidcProvider;
  agency: StsAgency;
  claims: Record<string, unknown>;
  duration: number;
}

interface Failure {
  status: number;
  code: string;
  message: string;
}

/** The emulator's codes (see the header comment), one per cause. */
const failure = {
  badBody: (detail: string): Failure => ({
    status: 400,
    code: 'STS5.0001',
    message: `invalid request body: ${detail}`,
  }),
  unknownProvider: { status: 404, code: 'STS5.0101', message: 'the OIDC provider does not exist' },
  unknownAgency: { status: 404, code: 'STS5.0102', message: 'the agency does not exist' },
  malformedToken: { status: 400, code: 'STS5.0201', message: 'invalid id token: not a JWT' },
  badSignature: {
    status: 400,
    code: 'STS5.0202',
    message: 'invalid id token: the signature does not verify with the JWKS of the OIDC provider',
  },
  wrongIssuer: {
    status: 400,
    code: 'STS5.0203',
    message: 'invalid id token: the issuer (iss) does not match the URL of the OIDC provider',
  },
  wrongAudience: {
    status: 400,
    code: 'STS5.0204',
    message: 'invalid id token: the audience (aud) is not a client id of the OIDC provider',
  },
  expired: { status: 400, code: 'STS5.0205', message: 'expired id token: exp is in the past' },
  notYetValid: { status: 400, code: 'STS5.0206', message: 'invalid id token: nbf is in the future' },
  notTrusted: {
    status: 403,
    code: 'STS5.0301',
    message: 'access denied: the trust policy of the agency does not trust this OIDC provider',
  },
  conditionNotMet: (key: string): Failure => ({
    status: 403,
    code: 'STS5.0302',
    message: `access denied: the trust policy condition ${key} of the agency is not met by the id token`,
  }),
  durationTooLong: (max: number): Failure => ({
    status: 400,
    code: 'STS5.0003',
    message: `duration_seconds exceeds the maximum session duration of the agency (${max})`,
  }),
} as const;

export async function startHuaweiStsEmulator(options: HuaweiStsOptions): Promise<HuaweiStsEmulator> {
  const now = options.now ?? Date.now;
  const issued: IssuedCredentials[] = [];

  /** The checks in order; the first that fails decides the answer. */
  const admit = (raw: Buffer): Failure | Admitted => {
    const body = parseBody(raw);
    if (typeof body === 'string') return failure.badBody(body);
    const provider = options.providers.find((candidate) => candidate.urn === body.providerUrn);
    if (!provider) return failure.unknownProvider;
    const agency = options.agencies.find((candidate) => candidate.urn === body.agencyUrn);
    if (!agency) return failure.unknownAgency;

    const jwks = provider.jwksProvider?.() ?? provider.jwks ?? { keys: [] };
    const verification = verifyJwt(body.idToken, jwks);
    if (!verification.ok)
      return verification.reason === 'malformed' ? failure.malformedToken : failure.badSignature;
    const claims = verification.payload;
    if (!claimValues(claims, 'iss').includes(provider.issuer)) return failure.wrongIssuer;
    if (!claimValues(claims, 'aud').some((aud) => provider.clientIds.includes(aud)))
      return failure.wrongAudience;
    const seconds = Math.floor(now() / 1000);
    if (typeof claims['exp'] !== 'number' || claims['exp'] <= seconds) return failure.expired;
    if (typeof claims['nbf'] === 'number' && claims['nbf'] > seconds) return failure.notYetValid;

    if (!agency.trustedProviders.includes(provider.urn)) return failure.notTrusted;
    for (const key of ['oidc:iss', 'oidc:aud', 'oidc:sub'] as const) {
      const allowed = agency.conditions[key];
      if (allowed === undefined) continue;
      const values = claimValues(claims, key.slice('oidc:'.length));
      const met = values.some((value) =>
        allowed.some((pattern) =>
          pattern.includes('*') ? wildcardMatch(pattern, value) : pattern === value,
        ),
      );
      if (!met) return failure.conditionNotMet(key);
    }
    const max = agency.maxSessionDuration ?? 3600;
    const duration = body.durationSeconds ?? 3600;
    if (duration > max) return failure.durationTooLong(max);
    return { body, provider, agency, claims, duration };
  };

  const handler = (req: RecordedRequest, res: http.ServerResponse): void => {
    const requestId = randomUUID().replace(/-/g, '');
    const pathname = new URL(req.url, 'http://emulator').pathname;
    if (req.method !== 'POST' || pathname !== STS_OIDC_PATH) {
      sendJson(res, 404, {
        error_msg: `No such API: ${req.method} ${pathname}`,
        error_code: 'APIGW.0101',
        request_id: requestId,
      });
      return;
    }
    const outcome = admit(req.body);
    if ('status' in outcome) {
      const denied =
        outcome.status === 403 ? { encoded_authorization_message: randomBytes(48).toString('base64') } : {};
      sendJson(
        res,
        outcome.status,
        { error_msg: outcome.message, error_code: outcome.code, request_id: requestId, ...denied },
        { 'x-request-id': requestId },
      );
      return;
    }
    const { body, provider, agency, claims, duration } = outcome;
    const subject = claimValues(claims, 'sub')[0] ?? '';
    const credentials: IssuedCredentials = {
      // Temporary AKs are 20 upper-case letters and digits, like permanent ones.
      accessKeyId: randomBytes(15)
        .toString('base64')
        .replace(/[^A-Za-z0-9]/g, 'X')
        .toUpperCase()
        .slice(0, 20),
      secretAccessKey: randomBytes(30)
        .toString('base64')
        .replace(/[^A-Za-z0-9]/g, 'Z'),
      // Session tokens are long and not of fixed length (IAM5 user guide: typically < 4096 bytes).
      securityToken: `gQ5jbi1ub3J0aC00${randomBytes(1200).toString('base64')}`,
      expiration: new Date(now() + duration * 1000).toISOString(),
      agencyUrn: agency.urn,
      sessionName: body.sessionName,
      subject,
    };
    issued.push(credentials);
    const audience = claimValues(claims, 'aud')[0] ?? '';
    sendJson(
      res,
      200,
      {
        credentials: {
          access_key_id: credentials.accessKeyId,
          secret_access_key: credentials.secretAccessKey,
          security_token: credentials.securityToken,
          expiration: credentials.expiration,
        },
        assumed_agency: {
          // iam::<account>:agency:<name> → sts::<account>:assumed-agency:<name>/<session>
          urn: `${agency.urn.replace(/^iam::/, 'sts::').replace(/:agency:/, ':assumed-agency:')}/${body.sessionName}`,
          id: `${randomBytes(16).toString('hex')}:${body.sessionName}`,
        },
        audience,
        provider: provider.urn,
        subject_from_id_token: subject,
      },
      { 'x-request-id': requestId },
    );
  };

  const server = await startServer(handler);
  return Object.assign(server, {
    issued,
    findCredentials: (accessKeyId: string): IssuedCredentials | undefined =>
      issued.find(
        (credentials) =>
          credentials.accessKeyId === accessKeyId && Date.parse(credentials.expiration) > now(),
      ),
  });
}

interface AssumeRequest {
  idToken: string;
  providerUrn: string;
  agencyUrn: string;
  sessionName: string;
  durationSeconds?: number;
}

/** The body's fields, or which one is wrong. */
function parseBody(raw: Buffer): AssumeRequest | string {
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    return 'not JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const body = value as Record<string, unknown>;
  const text = (key: string, min: number, max: number): string | undefined => {
    const field = body[key];
    return typeof field === 'string' && field.length >= min && field.length <= max ? field : undefined;
  };
  const idToken = text('id_token', 4, 20_000);
  if (idToken === undefined) return 'id_token must be 4 to 20000 characters';
  const providerUrn = text('provider_urn', 1, 1500);
  if (providerUrn === undefined) return 'provider_urn must be 1 to 1500 characters';
  const agencyUrn = text('agency_urn', 1, 1500);
  if (agencyUrn === undefined) return 'agency_urn must be 1 to 1500 characters';
  const sessionName = body['agency_session_name'];
  if (typeof sessionName !== 'string' || !SESSION_NAME.test(sessionName)) {
    return 'agency_session_name must be 2 to 128 letters, digits or _+=,.@-';
  }
  const duration = body['duration_seconds'];
  if (duration === undefined) return { idToken, providerUrn, agencyUrn, sessionName };
  if (typeof duration !== 'number' || !Number.isInteger(duration) || duration < 900 || duration > 43_200) {
    return 'duration_seconds must be an integer from 900 to 43200';
  }
  return { idToken, providerUrn, agencyUrn, sessionName, durationSeconds: duration };
}
