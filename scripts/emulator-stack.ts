// The loopback services `npm run demo` and the CI self-test job run the actions against: the SWR,
// service-center and UCloud emulators and, when Debian's docker-registry, htpasswd and the docker
// CLI are installed, a real registry whose htpasswd holds exactly the login the SWR emulator hands
// out, so swr-login's `docker login` really authenticates.
import { randomBytes } from 'node:crypto';
import { type ServiceCenterEmulator, startServiceCenterEmulator } from '@cloudcreds/emulators/service-center';
import { type SwrEmulator, startSwrEmulator } from '@cloudcreds/emulators/swr';
import { startUcloudEmulator, type UcloudEmulator } from '@cloudcreds/emulators/ucloud';
import { missingTools, type Registry, startRegistry } from '@cloudcreds/harness';

export const SWR_REGION = 'cn-north-4';
export const UCLOUD_REGION = 'cn-bj2';
export const UCLOUD_ZONE = 'cn-bj2-04';

export interface EmulatorStack {
  swr: SwrEmulator;
  /** Absent when a tool is missing: swr-login can then only run with `login: false`. */
  registry: Registry | undefined;
  /** The tools a real `docker login` needs that this machine lacks. */
  missingForLogin: string[];
  serviceCenter: ServiceCenterEmulator;
  /** The CA the service-center's TLS certificate chains to (for cse-token's `ca-cert`). */
  caFile: string;
  ucloud: UcloudEmulator;
  /** Every secret each service holds or has handed out so far, with the forms a log could show. */
  secrets(): { swr: string[]; serviceCenter: string[]; ucloud: string[] };
  stop(): Promise<void>;
}

export async function startEmulatorStack(): Promise<EmulatorStack> {
  const missingForLogin = missingTools(['docker', 'docker-registry', 'htpasswd']);
  let registry: Registry | undefined;
  let login: { username: string; password: string } | undefined;
  if (missingForLogin.length === 0) {
    // SWR's temporary user is `<projectname>@<temporary AK>` (docs/specs/swr.md); the registry must know it.
    login = {
      username: `${SWR_REGION}@DEMO${randomBytes(8).toString('hex').toUpperCase()}`,
      password: randomBytes(24).toString('hex'),
    };
    registry = await startRegistry(login);
  }
  const swr = await startSwrEmulator({
    region: SWR_REGION,
    ...(registry && login ? { registry: registry.host, ...login } : {}),
  });
  const serviceCenter = await startServiceCenterEmulator();
  if (!serviceCenter.ca)
    throw new Error('the service-center emulator serves HTTPS with its own CA by default');
  const caFile = serviceCenter.ca.certPath;
  const ucloud = await startUcloudEmulator();

  return {
    swr,
    registry,
    missingForLogin,
    serviceCenter,
    caFile,
    ucloud,
    secrets: () => {
      const pairs = swr.issued.map((issued) => `${issued.username}:${issued.password}`);
      return {
        swr: [
          swr.secretAccessKey,
          swr.temporary.secretAccessKey,
          swr.temporary.securityToken,
          swr.authToken,
          ...(login ? [login.password] : []),
          ...swr.issued.map((issued) => issued.password),
          ...pairs,
          ...pairs.map((pair) => Buffer.from(pair).toString('base64')),
        ],
        serviceCenter: [...serviceCenter.accounts.values()].map((account) => account.password),
        ucloud: [...ucloud.keyPairs.map((pair) => pair.privateKey), ...ucloud.secrets],
      };
    },
    stop: async () => {
      await Promise.all([swr.close(), serviceCenter.close(), ucloud.close(), registry?.stop()]);
    },
  };
}
