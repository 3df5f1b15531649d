// What the main step does once its inputs are valid: warnings about how the engine is reached →
// login (POST /v4/token, login.ts) → mask → outputs and summary. main.ts loads this module only
// then: it brings the HTTP client and @actions/core. Every effect goes through `deps`.
import {
  type Deps,
  type Environment,
  maskBearer,
  plainHttpWarning,
  publish,
  runnerDeps,
  userAgent,
  writeSummary,
} from '@cloudcreds/core';
import type { Inputs } from './inputs.ts';
import { readTokenClaims } from './jwt.ts';
import { login } from './login.ts';
import { expiryWarning, passedOverWarning, tokenPublication, tokenSummary } from './outputs.ts';

export async function act(inputs: Inputs, deps: Deps): Promise<void> {
  const { logger } = deps;
  const plainHttp = plainHttpWarning('endpoint', inputs.endpoints);
  if (plainHttp) logger.warning(plainHttp);
  if (inputs.insecureSkipTlsVerify) {
    logger.warning(
      "Input 'insecure-skip-tls-verify' is true: the engine's TLS certificate is NOT verified, so anyone on the network path could pose as the engine and take the password and token. Pass the engine's CA certificate in 'ca-cert' instead",
    );
  }

  const { token, endpoint, passedOver } = await login(
    inputs.endpoints,
    inputs,
    { maxAttempts: inputs.maxAttempts, timeoutMs: inputs.timeoutSeconds * 1000 },
    deps,
  );
  maskBearer(token);

  const now = deps.clock.now();
  const issued = { token, endpoint, claims: readTokenClaims(token) };
  for (const warning of [passedOverWarning(passedOver, endpoint), expiryWarning(issued.claims, now)]) {
    if (warning) logger.warning(warning);
  }
  publish(tokenPublication(issued, inputs));
  await writeSummary(tokenSummary(issued, inputs, now));
}

/** The runner's deps, with the TLS trust the inputs ask for. */
export function defaultDeps(inputs: Inputs, env: Environment): Deps {
  return runnerDeps(
    {
      userAgent: userAgent('cse-token'),
      ca: inputs.caCert,
      insecureSkipTlsVerify: inputs.insecureSkipTlsVerify,
      untrustedCertificateHint:
        "pass the certificate of the authority that signed it in 'ca-cert' (PEM text or a file path)",
    },
    env,
  );
}
