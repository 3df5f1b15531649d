// OIDC federation as the main step uses it: the GitHub ID token, exchanged at IAM (route A) for a
// project-scoped token or at STS (route B) for temporary keys, becomes the credentials CreateSecret
// is sent with. act.ts loads this module only when a federation route was chosen.
import { type IdTokenSource, type Logger, plainHttpWarning, type SendOptions } from '@cloudcreds/core';
import type { Federation } from '../inputs.ts';
import type { Credentials } from '../swr.ts';
import { resolveIamEndpoint, resolveStsEndpoint } from './endpoints.ts';
import { exchangeIdTokenForIamToken } from './iam.ts';
import { fetchIdToken } from './id-token.ts';
import { assumeAgencyWithOidc, SESSION_DURATION_SECONDS, sessionName } from './sts.ts';

export interface FederationContext {
  region: string;
  /** The project SWR is asked for: the IAM token must be scoped to it. */
  project: { id: string } | { name: string };
  getIdToken: IdTokenSource;
  logger: Logger;
  sendOptions: SendOptions;
}

export interface FederatedCredentials {
  credentials: Credentials;
  /** How the action authenticated, for the summary: route and principal, never a secret. */
  description: string;
}

/** Every credential is registered as a secret by the module that receives it, before it returns. */
export async function federate(
  federation: Federation,
  context: FederationContext,
): Promise<FederatedCredentials> {
  const { route, endpointOverride } = federation;
  const { logger } = context;
  if (endpointOverride) {
    const warning = plainHttpWarning(route.kind === 'identity-provider' ? 'iam-endpoint' : 'sts-endpoint', [
      endpointOverride,
    ]);
    if (warning) logger.warning(warning);
  }
  const idToken = await fetchIdToken(context.getIdToken, federation.idTokenRequest, route.audience);
  // Claims are kept printable from the moment they are read (id-token.ts).
  const audience = `aud ${idToken.claims.aud ?? 'unknown'}`;

  if (route.kind === 'identity-provider') {
    const endpoint = resolveIamEndpoint(context.region, endpointOverride);
    logger.info(
      `Exchanging the GitHub ID token (${audience}) at IAM ${endpoint.host} through identity provider ${route.identityProvider}`,
    );
    const { token } = await exchangeIdTokenForIamToken(
      { endpoint, identityProvider: route.identityProvider, idToken, project: context.project },
      context.sendOptions,
    );
    return {
      credentials: { kind: 'iam-token', token },
      description: `OIDC → IAM identity provider ${route.identityProvider}`,
    };
  }

  const endpoint = resolveStsEndpoint(context.region, endpointOverride);
  const session = sessionName(federation.run.id, federation.run.attempt);
  logger.info(
    `Exchanging the GitHub ID token (${audience}) at STS ${endpoint.host} for ${SESSION_DURATION_SECONDS} s keys of agency ${route.agencyUrn} (session ${session})`,
  );
  const keys = await assumeAgencyWithOidc(
    { endpoint, idToken, providerUrn: route.providerUrn, agencyUrn: route.agencyUrn, sessionName: session },
    context.sendOptions,
  );
  return {
    credentials: {
      kind: 'access-key',
      accessKeyId: keys.accessKeyId,
      secretAccessKey: keys.secretAccessKey,
      securityToken: keys.securityToken,
    },
    description: `OIDC → STS agency ${route.agencyUrn} (session ${session})`,
  };
}
