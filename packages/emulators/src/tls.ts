// A throwaway certificate authority for tests and the demo, made with the openssl CLI (Node's
// crypto can make keys but not X.509 certificates). Each CA lives in its own temporary directory.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface IssuedCertificate {
  key: string;
  cert: string;
}

export interface TestCa {
  /** PEM of the CA certificate: what a client must trust. */
  certPem: string;
  /** Path of the same PEM on disk (for `ca-cert: <path>` and NODE_EXTRA_CA_CERTS). */
  certPath: string;
  issue(hostnames: string[]): IssuedCertificate;
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`openssl ${args[0]} failed (is the openssl CLI installed?): ${stderr || String(error)}`);
  }
}

export function createTestCa(commonName = 'cloudcreds test CA'): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'test-ca-'));
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key'], dir);
  openssl(
    [
      'req',
      '-x509',
      '-new',
      '-key',
      'ca.key',
      '-sha256',
      '-days',
      '2',
      '-subj',
      `/CN=${commonName}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-out',
      'ca.pem',
    ],
    dir,
  );
  let serial = 0;
  return {
    certPem: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    certPath: join(dir, 'ca.pem'),
    issue(hostnames: string[]): IssuedCertificate {
      serial += 1;
      const name = `leaf${serial}`;
      const san = hostnames.map((host) => (/^[\d.]+$/.test(host) ? `IP:${host}` : `DNS:${host}`)).join(',');
      writeFileSync(
        join(dir, `${name}.ext`),
        `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`,
      );
      openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`], dir);
      openssl(
        ['req', '-new', '-key', `${name}.key`, '-subj', `/CN=${hostnames[0]}`, '-out', `${name}.csr`],
        dir,
      );
      openssl(
        [
          'x509',
          '-req',
          '-in',
          `${name}.csr`,
          '-CA',
          'ca.pem',
          '-CAkey',
          'ca.key',
          '-set_serial',
          String(1000 + serial),
          '-days',
          '2',
          '-sha256',
          '-extfile',
          `${name}.ext`,
          '-out',
          `${name}.pem`,
        ],
        dir,
      );
      return {
        key: readFileSync(join(dir, `${name}.key`), 'utf8'),
        cert: readFileSync(join(dir, `${name}.pem`), 'utf8'),
      };
    },
  };
}
