// The inputs of cse-token, read once at the door: typed values, the password masked the moment it
// is read, and every local mistake refused before a request could spend one of the account's
// three tolerated login failures (README: "Lockout").
import { closeSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  baseUrl,
  boolean,
  ConfigError,
  commonInputs,
  type Environment,
  type InputValues,
  type LazySchema,
  lazy,
  list,
  optional,
  parseInputs,
  pattern,
  required,
  text,
} from '@cloudcreds/core';
import * as z from 'zod/mini';
import { tokenExpirationProblem } from './duration.ts';

/** A Go duration within 15m–24h, kept as written: the server parses it again. */
const tokenExpiration = (): LazySchema<string> =>
  lazy(() =>
    z.string().check(
      z.refine((value) => tokenExpirationProblem(value) === undefined, {
        error: (issue) => tokenExpirationProblem(String(issue.input)) ?? 'is invalid',
      }),
    ),
  );

// Exported variables reach every later step: a prefix must make valid names, and must not let
// the action overwrite the runner's own GITHUB_*/RUNNER_* variables.
const ENV_PREFIX = /^(?!(?:GITHUB|RUNNER)(?:_|$))[A-Za-z_][A-Za-z0-9_]{0,63}$/i;

export const definitions = {
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

export type Inputs = Omit<InputValues<typeof definitions>, 'caCert'> & {
  /** The certificates of `ca-cert` as PEM text, whether given inline or as a file. */
  caCert: string | undefined;
};

/** Reads and checks every input; a relative `ca-cert` path is taken from `workingDirectory`. */
export function readInputs(env: Environment, workingDirectory: string = process.cwd()): Inputs {
  const inputs = parseInputs(definitions, env);
  return {
    ...inputs,
    caCert: inputs.caCert === undefined ? undefined : loadCertificates(inputs.caCert, workingDirectory),
  };
}

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * `ca-cert` is PEM text or the path of a PEM file. The value is never echoed: a pasted key or
 * a mangled PEM must not end up in an error line.
 */
function loadCertificates(value: string, workingDirectory: string): string {
  const pem = value.includes('-----BEGIN') ? value : readCertificateFile(resolve(workingDirectory, value));
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
  // without inputs at all) would otherwise pay for it (bench/README.md).
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

/** A bundle of a few authorities is some kB; a path to anything far larger is a mistake. */
export const MAX_CA_FILE_BYTES = 1024 * 1024;

/**
 * Reads at most one byte more than the limit, so a path to a huge or endless file (/dev/zero, a
 * disk image) is refused after 1 MiB instead of filling the memory.
 */
function readCertificateFile(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw unreadable(error);
  }
  try {
    const buffer = Buffer.alloc(MAX_CA_FILE_BYTES + 1);
    let length = 0;
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
      if (length > MAX_CA_FILE_BYTES) {
        throw new ConfigError(
          `Input 'ca-cert' names a file larger than ${MAX_CA_FILE_BYTES / 1024 / 1024} MiB; pass the PEM certificate of the authority that signed the engine's certificate (a few kB)`,
        );
      }
    }
    return buffer.toString('utf8', 0, length);
  } catch (error) {
    throw error instanceof ConfigError ? error : unreadable(error);
  } finally {
    closeSync(fd);
  }
}

function unreadable(error: unknown): ConfigError {
  const code = (error as { code?: string }).code ?? 'unreadable';
  return new ConfigError(
    `Input 'ca-cert' is neither PEM text (-----BEGIN CERTIFICATE-----) nor the path of a readable file (${code})`,
  );
}
