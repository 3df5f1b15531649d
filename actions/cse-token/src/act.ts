// What the main step does once its inputs are valid: TLS choices → login (POST /v4/token) → mask →
// outputs and summary. main.ts loads this module only then, with the HTTP client and @actions/core.
import * as core from '@actions/core';
import {
  createHttpTransport,
  maskBearer,
  publish,
  systemClock,
  userAgent,
  warnIfPlainHttp,
  writeSummary,
} from '@cloudcreds/core';
import type { CseTokenInputs } from './inputs.ts';
import { readTokenClaims } from './jwt.ts';
import { login } from './login.ts';
import { expiryWarning, tokenPublication, tokenSummary } from './outputs.ts';

export async function issueToken(inputs: CseTokenInputs): Promise<void> {
  for (const endpoint of inputs.endpoints) warnIfPlainHttp(endpoint, 'endpoint');
  if (inputs.insecureSkipTlsVerify) {
    core.warning(
      "Input 'insecure-skip-tls-verify' is true: the engine's TLS certificate is NOT verified, so anyone on the network path could pose as the engine and take the password and token. Pass the engine's CA certificate in 'ca-cert' instead",
    );
  }
  const transport = createHttpTransport({
    userAgent: userAgent('cse-token'),
    ca: inputs.caCert,
    insecureSkipTlsVerify: inputs.insecureSkipTlsVerify,
    untrustedCertificateHint:
      "pass the certificate of the authority that signed it in 'ca-cert' (PEM text or a file path)",
  });

  const { token, endpoint } = await login(inputs.endpoints, inputs, {
    transport,
    clock: systemClock,
    maxAttempts: inputs.maxAttempts,
    timeoutMs: inputs.timeoutSeconds * 1000,
    log: core,
  });
  maskBearer(token);

  const issued = { token, endpoint, claims: readTokenClaims(token) };
  const warning = expiryWarning(issued.claims, systemClock.now());
  if (warning) core.warning(warning);
  publish(tokenPublication(issued, inputs));
  await writeSummary(tokenSummary(issued, inputs, systemClock.now()));
}
