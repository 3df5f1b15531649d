// One rendered failure line per error template swr-login can produce, for the suite's error-voice
// test (test/error-voice.test.ts). Every line comes from driving the real code — the input reader
// with bad inputs, the answer readers of SWR, IAM, STS and the ID-token fetch with crafted answers,
// docker with a scripted exec, the config directory's lock and the main step's work with the real
// transport against a closed loopback port — and is rendered as runMain renders it, never copied.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createHttpTransport,
  type Deps,
  type Exec,
  type HttpResponse,
  responseOf,
  setMaskFunction,
  systemClock,
} from '@cloudcreds/core';
import { closedPort, type ErrorLine, instantClock, recordingLogger, rendered } from '@cloudcreds/harness';
import { act } from '../src/act.ts';
import { dockerLogin, dockerLogout } from '../src/docker.ts';
import { LOCK_FILE, withConfigLock } from '../src/docker-lock.ts';
import { logInToEach } from '../src/docker-logins.ts';
import { checkDockerPrerequisites } from '../src/docker-preflight.ts';
import { readAuthorizationTokenAnswer } from '../src/enhanced.ts';
import { readShowInstanceAnswer } from '../src/enterprise/instance.ts';
import { readProjectLookupAnswer } from '../src/enterprise/project.ts';
import { readTempCredentialAnswer } from '../src/enterprise/temp-credential.ts';
import { readIamTokenAnswer } from '../src/federation/iam.ts';
import { fetchIdToken } from '../src/federation/id-token.ts';
import { readAssumeAgencyAnswer } from '../src/federation/sts.ts';
import { readInputs } from '../src/inputs.ts';
import { readCreateSecretAnswer } from '../src/swr.ts';

const AKSK = {
  INPUT_REGION: 'cn-north-4',
  'INPUT_ACCESS-KEY-ID': 'HPUAEXAMPLEAK0000001',
  'INPUT_ACCESS-KEY-SECRET': 'error-lines-secret',
};
const badInput = (template: string, env: Record<string, string>) =>
  rendered(template, () => readInputs(env, '/home/runner/work/repo'));

const answer = (status: number, body: string, headers: Record<string, string> = {}): HttpResponse =>
  responseOf(
    status,
    {
      'content-type': 'application/json;charset=UTF-8',
      'x-request-id': '5b9c0e7d9a1f4c3e8d2b6a4f1e0c7d3b',
      ...headers,
    },
    Buffer.from(body),
  );
const swr = (template: string, status: number, body: string, headers?: Record<string, string>) =>
  rendered(template, () =>
    readCreateSecretAnswer(answer(status, body, headers), 'swr-api.cn-north-4.myhuaweicloud.com'),
  );

const b64 = (text: string): string => Buffer.from(text).toString('base64');
const USER = 'cn-north-4@OWJ2EXAMPLEFPUKBXI';
const PASSWORD = '6f0779072abc863d1ae3ccef921b7f33';
const HOST = 'swr.cn-north-4.myhuaweicloud.com';
const AUTHS = JSON.stringify({ auths: { [HOST]: { auth: b64(`${USER}:${PASSWORD}`) } } });

const INSTANCE = '3f2a5c1e-8b7d-4e6f-9a0b-1c2d3e4f5a6b';
const PROJECT = '0123456789abcdef0123456789abcdef';
const TARGET = {
  region: 'cn-north-4',
  projectId: PROJECT,
  instanceId: INSTANCE,
  host: 'swr-api.cn-north-4.myhuaweicloud.com',
};

const claims = {
  iss: 'https://token.actions.githubusercontent.com',
  aud: 'huaweicloud',
  sub: 'repo:octo-org/octo-repo:ref:refs/heads/main',
};
const iam = (template: string, status: number, body: string, headers?: Record<string, string>) =>
  rendered(template, () =>
    readIamTokenAnswer(answer(status, body, headers), {
      host: 'iam.cn-north-4.myhuaweicloud.com',
      identityProvider: 'github-actions',
      claims,
      now: Date.now(),
    }),
  );
const sts = (template: string, status: number, body: string) =>
  rendered(template, () =>
    readAssumeAgencyAnswer(answer(status, body), {
      host: 'sts.cn-north-4.myhuaweicloud.com',
      providerUrn: 'iam::0a1b2c3d:identity-provider:github',
      agencyUrn: 'iam::0a1b2c3d:agency:swr-pusher',
      claims,
      now: Date.now(),
    }),
  );

const tokenRequest = {
  requestUrl: 'http://127.0.0.1:1/idtoken?api-version=2.0',
  requestToken: 'runner-bearer',
};
const idToken = (template: string, source: () => Promise<string>) =>
  rendered(template, () => fetchIdToken(source, tokenRequest, 'huaweicloud'));
// @actions/core's wording (node_modules/@actions/core/lib/oidc-utils.js, core.js getIDToken).
const toolkitFailure = (code: string, message: string): Error =>
  new Error(
    `Error message: Failed to get ID Token. \n \n        Error Code : ${code}\n \n        Error Message: ${message}`,
  );

const scriptedExec =
  (result: { exitCode: number; stderr: string }): Exec =>
  async () => ({ stdout: '', ...result });
const login = { registry: HOST, username: USER, password: PASSWORD };
const docker = (template: string, run: (exec: Exec) => Promise<void>, exec: Exec) =>
  rendered(template, () => run(exec));

const silent = recordingLogger();
const noSleep = instantClock();

const refusingUrl = async (): Promise<string> => `http://127.0.0.1:${await closedPort()}`;

export async function errorLines(): Promise<ErrorLine[]> {
  // The lines are what matters here, not the masks the input reader registers on the way.
  setMaskFunction(() => {});
  const scratch = mkdtempSync(join(tmpdir(), 'swr-login-error-lines-'));
  const aFile = join(scratch, 'a-file');
  writeFileSync(aFile, '');

  const lines: ErrorLine[] = [
    await badInput('input: region missing', {}),
    await badInput('input: region not a region id', { ...AKSK, INPUT_REGION: 'cn_north_4' }),
    await badInput('input: no credentials', { INPUT_REGION: 'cn-north-4' }),
    await badInput('input: incomplete access key', {
      INPUT_REGION: 'cn-north-4',
      'INPUT_ACCESS-KEY-ID': 'HPUAEXAMPLEAK0000001',
    }),
    await badInput('input: auth-token with access keys', { ...AKSK, 'INPUT_AUTH-TOKEN': 'MIIexample-token' }),
    await badInput('input: logout not a boolean', { ...AKSK, INPUT_LOGOUT: 'flase' }),
    await badInput('input: duration-seconds out of range', { ...AKSK, 'INPUT_DURATION-SECONDS': '600' }),
    await badInput('input: endpoint not a URL', { ...AKSK, INPUT_ENDPOINT: 'swr-api.example.com' }),
    await badInput('input: if-no-credentials unknown', { ...AKSK, 'INPUT_IF-NO-CREDENTIALS': 'never' }),
    await badInput('route: both ways of federation', {
      INPUT_REGION: 'cn-north-4',
      'INPUT_IDENTITY-PROVIDER': 'github-actions',
      'INPUT_AGENCY-URN': 'iam::0a1b2c3d:agency:swr-pusher',
    }),
    await badInput('route: federation with stored keys', {
      ...AKSK,
      'INPUT_IDENTITY-PROVIDER': 'github-actions',
    }),
    await badInput('route: agency without provider', {
      INPUT_REGION: 'cn-north-4',
      'INPUT_AGENCY-URN': 'iam::0a1b2c3d:agency:swr-pusher',
    }),
    await badInput('route: sts-endpoint with identity-provider', {
      INPUT_REGION: 'cn-north-4',
      'INPUT_IDENTITY-PROVIDER': 'github-actions',
      'INPUT_STS-ENDPOINT': 'https://sts.cn-north-4.myhuaweicloud.com',
    }),
    await badInput('route: federation inputs without federation', { ...AKSK, INPUT_AUDIENCE: 'huaweicloud' }),
    await badInput('input: instance-id not an id', { ...AKSK, 'INPUT_INSTANCE-ID': 'a/../b' }),
    await badInput('input: registry not host[:port]', {
      ...AKSK,
      'INPUT_INSTANCE-ID': INSTANCE,
      INPUT_REGISTRY: 'https://swr-ee.example.com',
    }),
    await badInput('input: region listed twice', { ...AKSK, INPUT_REGION: 'cn-north-4,cn-north-4' }),
    await badInput('input: instance listed twice', {
      ...AKSK,
      'INPUT_INSTANCE-ID': `${INSTANCE},${INSTANCE}`,
    }),
    await badInput('conflict: instance-id with enhanced', {
      ...AKSK,
      'INPUT_INSTANCE-ID': INSTANCE,
      INPUT_ENHANCED: 'true',
    }),
    await badInput('conflict: duration-seconds without such a parameter', {
      ...AKSK,
      INPUT_ENHANCED: 'true',
      'INPUT_DURATION-SECONDS': '900',
    }),
    await badInput('conflict: project-name without such a parameter', {
      ...AKSK,
      'INPUT_INSTANCE-ID': INSTANCE,
      'INPUT_PROJECT-NAME': 'cn-north-4_team',
    }),
    await badInput('conflict: registry without exactly one instance', {
      ...AKSK,
      INPUT_REGISTRY: 'swr-ee.example.com',
    }),
    await badInput('conflict: endpoint with several regions', {
      ...AKSK,
      INPUT_REGION: 'cn-north-4,cn-east-3',
      INPUT_ENDPOINT: 'https://swr-api.example.com',
    }),
    await badInput('conflict: instances with several regions', {
      ...AKSK,
      INPUT_REGION: 'cn-north-4,cn-east-3',
      'INPUT_INSTANCE-ID': INSTANCE,
    }),
    await badInput('conflict: project-name with several regions', {
      ...AKSK,
      INPUT_REGION: 'cn-north-4,cn-east-3',
      'INPUT_PROJECT-NAME': 'cn-north-4_team',
    }),
    await badInput('conflict: project-id with several regions', {
      ...AKSK,
      INPUT_REGION: 'cn-north-4,cn-east-3',
      'INPUT_PROJECT-ID': PROJECT,
    }),
    await badInput('conflict: IAM token with several regions', {
      INPUT_REGION: 'cn-north-4,cn-east-3',
      'INPUT_AUTH-TOKEN': 'MIIexample-token',
    }),
    await rendered('enterprise: ShowInstance 403 with encoded message', () =>
      readShowInstanceAnswer(
        answer(
          403,
          '{"error_code":"SVCSTG.SWR.4030170","error_msg":"Insufficient permissions","encoded_authorization_message":"c2VjcmV0LXBvbGljeQ"}',
        ),
        TARGET,
      ),
    ),
    await rendered('enterprise: ShowInstance 404', () =>
      readShowInstanceAnswer(
        answer(404, '{"error_code":"SVCSTG.SWR.4040001","error_msg":"Instance not found"}'),
        TARGET,
      ),
    ),
    await rendered('enterprise: ShowInstance without access_address', () =>
      readShowInstanceAnswer(answer(200, '{"id":"x","status":"Running"}'), TARGET),
    ),
    await rendered('enterprise: temp-credential 403', () =>
      readTempCredentialAnswer(
        answer(403, '{"error_code":"SVCSTG.SWR.4030170","error_msg":"Insufficient permissions"}'),
        TARGET,
      ),
    ),
    await rendered('enterprise: temp-credential without auth_token', () =>
      readTempCredentialAnswer(answer(201, '{"user_id":"ee-user"}'), TARGET),
    ),
    await rendered('enterprise: temp-credential user_id smuggling an option', () =>
      readTempCredentialAnswer(answer(201, '{"user_id":"--config","auth_token":"x"}'), TARGET),
    ),
    await rendered('iam: project lookup refused (403)', () =>
      readProjectLookupAnswer(
        answer(
          403,
          '{"error_code":"IAM.0110","error_msg":"You are not authorized to perform the requested action"}',
        ),
        'cn-north-4',
        'iam.cn-north-4.myhuaweicloud.com',
      ),
    ),
    await rendered('iam: project lookup finds several', () =>
      readProjectLookupAnswer(
        answer(200, '{"projects":[{"id":"a1","name":"cn-north-4"},{"id":"b2","name":"cn-north-4"}]}'),
        'cn-north-4',
        'iam.cn-north-4.myhuaweicloud.com',
      ),
    ),
    await rendered('enhanced: 403 naming both permissions', () =>
      readAuthorizationTokenAnswer(
        answer(403, '{"error_code":"SVCSTG.SWR.4030170","error_msg":"Insufficient permissions"}'),
        'swr-api.cn-north-4.myhuaweicloud.com',
      ),
    ),

    await rendered('id token: no permission', () => fetchIdToken(async () => '', {}, undefined)),
    await idToken('id token: endpoint answered with a failure', async () => {
      throw toolkitFailure('500', 'Failed request: (500) Internal Server Error');
    }),
    await idToken('id token: endpoint did not answer', async () => {
      throw toolkitFailure('undefined', 'connect ECONNREFUSED 127.0.0.1:1');
    }),
    await idToken('id token: not a JWT', async () => 'not-a-jwt'),

    await rendered('docker: not on PATH', () =>
      checkDockerPrerequisites({ configDir: undefined, chosenBy: undefined }, { PATH: scratch }),
    ),
    await rendered('docker: config directory is a file', () =>
      checkDockerPrerequisites(
        { configDir: aFile, chosenBy: "Input 'docker-config-dir'" },
        { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
      ),
    ),
    await docker(
      'docker: login failed',
      (exec) => dockerLogin({ exec, env: {}, configDir: undefined }, login),
      scriptedExec({
        exitCode: 1,
        stderr:
          'Error response from daemon: login attempt to https://swr.cn-north-4.myhuaweicloud.com/v2/ failed with status: 401 Unauthorized\n',
      }),
    ),
    await docker(
      'docker: logout failed',
      (exec) => dockerLogout({ exec, env: {}, configDir: undefined }, HOST),
      scriptedExec({ exitCode: 1, stderr: 'permission denied\n' }),
    ),
    await docker(
      'docker: cannot run',
      (exec) => dockerLogin({ exec, env: {}, configDir: undefined }, login),
      async () => {
        throw new Error('Unable to locate executable file: docker.');
      },
    ),
    await rendered('docker: config directory locked', async () => {
      const dir = join(scratch, 'locked');
      mkdirSync(dir);
      writeFileSync(
        join(dir, LOCK_FILE),
        JSON.stringify({ id: 'other', pid: process.pid, host: hostname() }),
      );
      await withConfigLock(dir, systemClock, async () => {}, { waitMs: 100, staleMs: 60_000 });
    }),
    await rendered('docker: Enterprise host unreachable', () =>
      withStateFile(scratch, () =>
        logInToEach(
          [{ ...login, registry: 'swr-ee.example.com', enterprise: true }],
          join(scratch, 'unreachable'),
          {
            ...deps(),
            exec: scriptedExec({
              exitCode: 1,
              stderr:
                'Error response from daemon: Get "https://swr-ee.example.com/v2/": dial tcp 203.0.113.7:443: i/o timeout\n',
            }),
          },
        ),
      ),
    ),
    await rendered('docker: login gone from config.json', () =>
      withStateFile(scratch, () =>
        logInToEach([login], join(scratch, 'forgetful'), {
          ...deps(),
          exec: scriptedExec({ exitCode: 0, stderr: '' }),
        }),
      ),
    ),

    await swr(
      'swr: 401 rejected signature',
      401,
      '{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information: verify aksk signature fail","request_id":"0a1b2c"}',
    ),
    await swr(
      'swr: 401 locked access key',
      401,
      '{"error_code":"APIGW.0301","error_msg":"AK access failed to reach the limit,forbidden"}',
    ),
    await swr('swr: 401 expired token', 401, '{"error_code":"APIGW.0307","error_msg":"The token expires."}'),
    await swr(
      'swr: 403 permission',
      403,
      '{"errors":[{"errorCode":"SVCSTG.SWR.4030170","errorMessage":"Insufficient permissions"}],"error_code":"SVCSTG.SWR.4030170","error_msg":"Insufficient permissions"}',
    ),
    await swr(
      'swr: 400 old errors only',
      400,
      '{"errors":[{"errorCode":"SVCSTG.SWR.4000001","errorMessage":"Invalid projectname"}]}',
    ),
    await swr(
      'swr: 429',
      429,
      '{"error_code":"APIGW.0308","error_msg":"The throttling threshold has been reached"}',
    ),
    await swr('swr: 500', 500, '{"error_code":"SVCSTG.SWR.5000001","error_msg":"Internal error"}'),
    await swr('swr: 502 html', 502, '<html><body><h1>502 Bad Gateway</h1></body></html>', {
      'content-type': 'text/html',
    }),
    await swr('swr: 404 empty', 404, ''),
    await swr(
      'swr: hostile code and message',
      400,
      '{"error_code":"X\\n::error::forged","error_msg":"##[error]forged too"}',
    ),
    await swr('swr: 200 not JSON', 200, '<html>proxy login</html>', { 'content-type': 'text/html' }),
    await swr('swr: 200 empty', 200, ''),
    await swr('swr: 200 without registries', 200, '{"auths":{}}'),
    await swr(
      'swr: 200 unusable registry entry',
      200,
      JSON.stringify({ auths: { '-H evil': { auth: b64(`${USER}:${PASSWORD}`) } } }),
    ),
    await swr('swr: 200 login header with extra words', 200, AUTHS, {
      'x-swr-dockerlogin': `docker login -u ${USER} -p ${PASSWORD} --config /tmp/x`,
    }),
    await swr('swr: 200 login header disagrees', 200, AUTHS, {
      'x-swr-dockerlogin': `docker login -u ${USER} -p another-password`,
    }),

    await iam(
      'iam: refused (audience)',
      401,
      '{"error_msg":"The audience (aud) of the id token does not match the client_id of the identity provider.","error_code":"IAM.0105"}',
    ),
    await iam(
      'iam: refused, no mismatch named',
      401,
      '{"error_msg":"Authentication failed.","error_code":"IAM.0001"}',
    ),
    await iam(
      'iam: keystone shape',
      404,
      '{"error":{"code":404,"message":"Could not find identity provider.","title":"Not Found"}}',
    ),
    await iam('iam: 201 without a token', 201, '{"token":{"expires_at":"2026-01-01T00:00:00.000000Z"}}'),
    await iam('iam: 201 without expires_at', 201, '{"token":{}}', { 'x-subject-token': 'MIIexample' }),

    await sts(
      'sts: refused (subject)',
      403,
      '{"error_msg":"oidc:sub condition not satisfied","error_code":"STS5.0302","request_id":"5d4c3b2a"}',
    ),
    await sts('sts: 200 not JSON', 200, 'ok'),
    await sts('sts: 200 without credentials', 200, '{"assumed_agency":{}}'),
    await sts(
      'sts: 200 credentials with control characters',
      200,
      '{"credentials":{"access_key_id":"AK","secret_access_key":"SK","security_token":"ST\\nX","expiration":"2026-01-01T00:00:00Z"}}',
    ),
    await sts(
      'sts: 200 unreadable expiration',
      200,
      '{"credentials":{"access_key_id":"AK","secret_access_key":"SK","security_token":"ST","expiration":"soon"}}',
    ),
  ];

  const refused = await refusingUrl();
  lines.push(
    await rendered('network: refused, after retries', () =>
      act(
        readInputs({ ...AKSK, INPUT_ENDPOINT: refused, INPUT_LOGIN: 'false', 'INPUT_MAX-ATTEMPTS': '2' }),
        deps(),
      ),
    ),
  );
  return lines;
}

function deps(): Deps {
  return {
    env: {},
    workingDirectory: '/home/runner/work/repo',
    transport: createHttpTransport({ userAgent: 'swr-login-error-lines' }),
    clock: noSleep,
    exec: scriptedExec({ exitCode: 0, stderr: '' }),
    logger: silent,
    getIdToken: async () => {
      throw new Error('no ID token here');
    },
  };
}

/** @actions/core's saveState writes to GITHUB_STATE: a scratch file, not this process's stdout. */
async function withStateFile(scratch: string, work: () => Promise<void>): Promise<void> {
  const before = process.env['GITHUB_STATE'];
  process.env['GITHUB_STATE'] = join(scratch, 'state');
  writeFileSync(process.env['GITHUB_STATE'], '');
  try {
    await work();
  } finally {
    if (before === undefined) delete process.env['GITHUB_STATE'];
    else process.env['GITHUB_STATE'] = before;
  }
}
