// The inputs of cse-token, read once at the door (design.md): typed values, the password masked
// the moment it is read, and every local mistake refused before a request could spend one of the
// account's three tolerated login failures (cse.md §5).
import { readFileSync } from 'node:fs';
import {
  baseUrl,
  boolean,
  ConfigError,
  commonInputs,
  type Environment,
  type InputValues,
  list,
  optional,
  pattern,
  readInputs,
  required,
  text,
} from '@cloudcreds/core';
import * as z from 'zod/mini';
import { tokenExpirationProblem } from './duration.ts';

/** A Go duration within 15m–24h, kept as written: the server parses it again. */
const tokenExpiration = (): z.ZodMiniType<string, string> =>
  z.string().check(
    z.refine((value) => tokenExpirationProblem(value) === undefined, {
      error: (issue) => tokenExpirationProblem(String(issue.input)) ?? 'is invalid',
    }),
  );

// Exported variables reach every later step: a prefix must make valid names, and must not let
// the action overwrite the runner's own GITHUB_*/RUNNER_* variables.
const ENV_PREFIX = /^(?!(?:GITHUB|RUNNER)(?:_|$))[A-Za-z_][A-Za-z0-9_]{0,63}$/i;

export const cseTokenInputs = {
  endpoints: required('endpoint', list(baseUrl(), 'service-center URL'), {
    env: ['PAAS_CSE_SC_ENDPOINT'],
    multiline: true,
  }),
  username: required('username', text()),
  password: required('password', text(), { secret: true }),
  tokenExpiration: optional('token-expiration', tokenExpiration()),
  caCert: optional('ca-cert', text(), { multiline: true }),
  insecureSkipTlsVerify: optional('insecure-skip-tls-verify', boolean(), { default: false }),
  exportEnv: optional('export-env', boolean(), { default: true }),
  envPrefix: optional(
    'env-prefix',
    pattern(
      ENV_PREFIX,
      'must be an environment variable name prefix (letters, digits, _) other than GITHUB or RUNNER',
    ),
    { default: 'CSE' },
  ),
  ...commonInputs,
};

export type CseTokenInputs = Omit<InputValues<typeof cseTokenInputs>, 'caCert'> & {
  /** The certificates of `ca-cert` as PEM text, whether given inline or as a file. */
  caCert: string | undefined;
};

export type ReadFile = (path: string) => string;

export function readCseTokenInputs(
  env: Environment = process.env,
  readFile: ReadFile = (path) => readFileSync(path, 'utf8'),
): CseTokenInputs {
  const inputs = readInputs(cseTokenInputs, env);
  return {
    ...inputs,
    caCert: inputs.caCert === undefined ? undefined : loadCertificates(inputs.caCert, readFile),
  };
}

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * `ca-cert` is PEM text or the path of a PEM file. The value is never echoed: a pasted key or
 * a mangled PEM must not end up in an error line.
 */
export function loadCertificates(value: string, readFile: ReadFile): string {
  let pem = value;
  if (!value.includes('-----BEGIN')) {
    try {
      pem = readFile(value);
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'unreadable';
      throw new ConfigError(
        `Input 'ca-cert' is neither PEM text (-----BEGIN CERTIFICATE-----) nor the path of a readable file (${code})`,
      );
    }
  }
  if (/PRIVATE KEY-----/.test(pem)) {
    throw new ConfigError(
      "Input 'ca-cert' contains a private key; pass only the certificate of the authority that signed the engine's certificate",
    );
  }
  const blocks = pem.match(CERTIFICATE_BLOCK) ?? [];
  if (blocks.length === 0) {
    throw new ConfigError(
      "Input 'ca-cert' holds no PEM certificate (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----)",
    );
  }
  // node:crypto loads here, only when there is a certificate to check: a run without ca-cert (or
  // without inputs at all) would otherwise pay ~27 M instructions for it (bench/README.md).
  const { X509Certificate } = process.getBuiltinModule('node:crypto');
  blocks.forEach((block, index) => {
    try {
      new X509Certificate(block);
    } catch {
      throw new ConfigError(
        `Input 'ca-cert': certificate ${index + 1} of ${blocks.length} is not a valid X.509 certificate`,
      );
    }
  });
  return `${blocks.join('\n')}\n`;
}
