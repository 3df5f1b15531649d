// The services of the CI self-test job (.github/workflows/ci.yml), which runs each action as users
// do (`uses: ./actions/<name>`) against them:
//
//   node scripts/serve-emulators.ts --github-env "$GITHUB_ENV" --ready-file "$RUNNER_TEMP/emulators.ready"
//
// Starts the emulators (and the local registry the SWR emulator hands out a login for), prints
// `::add-mask::` for their secrets (values written to GITHUB_ENV are not masked by the runner),
// appends the variables the workflow reads to the env file (creating it if needed), then creates
// the ready file and keeps serving until SIGTERM or SIGINT. The env file only takes effect when the
// step that wrote it ends, so that step must wait for the ready file itself.
//
// The option is not called --env-file: Node's launcher reads any `--env-file` on its command line,
// even after the script name, and exits ("not found") when that file does not exist yet
// (nodejs/node#54232), before this script runs.
import { randomUUID } from 'node:crypto';
import { appendFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startEmulatorStack } from './emulator-stack.ts';

const { values } = parseArgs({
  options: { 'github-env': { type: 'string' }, 'ready-file': { type: 'string' } },
});
const envFile = values['github-env'];
const readyFile = values['ready-file'];
if (!envFile || !readyFile) {
  console.error('usage: node scripts/serve-emulators.ts --github-env <file> --ready-file <file>');
  process.exit(2);
}

const stack = await startEmulatorStack();
const { swr, serviceCenter, ucloud, registry } = stack;
if (!registry) {
  // The self-test job logs in for real: without a registry swr-login's docker login cannot succeed.
  await stack.stop();
  console.error(`cannot start the local registry: ${stack.missingForLogin.join(', ')} missing`);
  process.exit(1);
}

// Secrets only: a mask on a short non-secret (a user name like `root`) would blank out half the log.
const { swr: swrSecrets, serviceCenter: cseSecrets, ucloud: ucloudSecrets } = stack.secrets();
for (const secret of [...swrSecrets, ...cseSecrets, ...ucloudSecrets]) console.log(`::add-mask::${secret}`);

const variables: Record<string, string> = {
  SWR_EMULATOR_URL: swr.url,
  SWR_EMULATOR_AK: swr.accessKeyId,
  SWR_EMULATOR_SK: swr.secretAccessKey,
  SWR_EMULATOR_REGISTRY: registry.host,
  CSE_EMULATOR_URL: serviceCenter.url,
  CSE_EMULATOR_USERNAME: serviceCenter.username,
  CSE_EMULATOR_PASSWORD: serviceCenter.password,
  EMULATOR_CA_FILE: stack.caFile,
  UCLOUD_EMULATOR_URL: ucloud.url,
  UCLOUD_EMULATOR_PUBLIC_KEY: ucloud.publicKey,
  UCLOUD_EMULATOR_PRIVATE_KEY: ucloud.privateKey,
  UCLOUD_EMULATOR_DOMAIN: ucloud.domains[0] ?? '',
};
// The runner's multi-line record with a random delimiter: a value can never start a new variable.
appendFileSync(
  envFile,
  Object.entries(variables)
    .map(([name, value]) => {
      const delimiter = `ghadelimiter_${randomUUID()}`;
      return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
    })
    .join(''),
);
writeFileSync(readyFile, `${process.pid}\n`);
console.log(
  `emulators ready: SWR ${swr.url} (registry ${registry.host}), CSE ${serviceCenter.url}, UCloud ${ucloud.url}`,
);

const shutdown = (): void => {
  void stack.stop().then(() => process.exit(0));
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
