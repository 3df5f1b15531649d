// The Enterprise Edition clients (ShowInstance, temp-credential, IAM project lookup), driven
// through core's real HTTP transport against the loopback SWR and IAM emulators, and through
// scripted answers for the shapes the emulators do not produce.
import {
  createHttpTransport,
  type HttpResponse,
  responseOf,
  type SendOptions,
  setMaskFunction,
} from '@cloudcreds/core';
import { type HuaweiIamEmulator, startHuaweiIamEmulator } from '@cloudcreds/emulators/huawei-iam';
import {
  type SwrEmulator,
  type SwrEmulatorOptions,
  startSwrEmulator,
  swrTransportFaults,
} from '@cloudcreds/emulators/swr';
import { rejectedServiceError, thrownServiceError } from '@cloudcreds/harness';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authorizationMessageDebugLine } from '../src/authorization-message.ts';
import { resourceIdProblem } from '../src/enterprise/ids.ts';
import {
  createShowInstanceRequest,
  readShowInstanceAnswer,
  registryFromAccessAddress,
  showInstance,
} from '../src/enterprise/instance.ts';
import {
  createProjectLookupRequest,
  lookupProjectId,
  readProjectLookupAnswer,
} from '../src/enterprise/project.ts';
import {
  createTempCredential,
  createTempCredentialRequest,
  enterpriseLoginCommand,
  readTempCredentialAnswer,
} from '../src/enterprise/temp-credential.ts';
import { sign } from '../src/signer.ts';
import type { Credentials } from '../src/swr.ts';

const PROJECT = '0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const INSTANCE = '5c3ab4d1-2f7e-4a8b-9c0d-1e2f3a4b5c6d';
const REGION = 'cn-north-4';
const TARGET = { region: REGION, projectId: PROJECT, instanceId: INSTANCE };

const transport = createHttpTransport({ userAgent: 'enterprise-test' });
const sendOptions: SendOptions = {
  transport,
  maxAttempts: 3,
  timeoutMs: 5000,
  backoff: { baseMs: 1, maxMs: 2 },
};

let masks: string[];
const running: Array<{ close(): Promise<void> }> = [];
beforeEach(() => {
  masks = [];
  setMaskFunction((value) => masks.push(value));
});
afterEach(async () => {
  setMaskFunction(() => {});
  await Promise.all(running.splice(0).map((server) => server.close()));
});

async function swr(options: SwrEmulatorOptions = {}): Promise<SwrEmulator> {
  const emulator = await startSwrEmulator({
    projectId: PROJECT,
    instances: [{ id: INSTANCE, name: 'octo-ee', accessAddress: '127.0.0.1:5000' }],
    ...options,
  });
  running.push(emulator);
  return emulator;
}

/** Every credential route the action has, as the emulator accepts them. */
function routes(emulator: SwrEmulator): Array<[string, Credentials]> {
  return [
    ['access key', { kind: 'access-key', ...emulator.credentials.permanent }],
    ['temporary access key + security token', { kind: 'access-key', ...emulator.credentials.temporary }],
    ['IAM token', { kind: 'iam-token', token: emulator.authToken }],
  ];
}

const accessKey = (emulator: SwrEmulator): Credentials => ({
  kind: 'access-key',
  ...emulator.credentials.permanent,
});
const target = (emulator: SwrEmulator, credentials = accessKey(emulator)) => ({
  endpoint: new URL(emulator.url),
  region: REGION,
  projectId: PROJECT,
  instanceId: INSTANCE,
  credentials,
});

function reply(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return responseOf(status, headers, Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)));
}

describe('Enterprise requests', () => {
  const endpoint = new URL('https://swr-api.cn-north-4.myhuaweicloud.com');
  const now = Date.UTC(2026, 2, 18, 7, 47, 21);
  const keys = {
    kind: 'access-key',
    accessKeyId: 'HPUAEXAMPLEAK0000001',
    secretAccessKey: 'ExampleSecretKey0123456789abcdefghijKLMN',
  } as const;

  it('ShowInstance is a GET with the project in path and X-Project-Id, signed over the trailing-slash URI', () => {
    const request = createShowInstanceRequest(
      { endpoint, projectId: PROJECT, instanceId: INSTANCE, credentials: keys },
      now,
    );
    const path = `/v2/${PROJECT}/instances/${INSTANCE}`;
    expect(request.method).toBe('GET');
    expect(request.url).toBe(`https://swr-api.cn-north-4.myhuaweicloud.com${path}`);
    expect(request.body).toBeUndefined();
    const headers = {
      'Content-Type': 'application/json',
      Host: 'swr-api.cn-north-4.myhuaweicloud.com',
      'X-Project-Id': PROJECT,
      'X-Sdk-Date': '20260318T074721Z',
    };
    const expected = sign({ method: 'GET', path, query: [], headers, body: '', ...keys });
    expect(expected.canonicalRequest.split('\n')[1]).toBe(`${path}/`);
    expect(request.headers).toEqual({ ...headers, Authorization: expected.authorization });
    expect(request.headers?.['Authorization']).toContain(
      'SignedHeaders=content-type;host;x-project-id;x-sdk-date,',
    );
  });

  it('temp-credential is a POST without body under a gateway prefix, signing the security token', () => {
    const request = createTempCredentialRequest(
      {
        endpoint: new URL('http://127.0.0.1:9000/gw'),
        projectId: PROJECT,
        instanceId: INSTANCE,
        credentials: { ...keys, securityToken: 'TOK/+=' },
      },
      now,
    );
    expect(request.method).toBe('POST');
    expect(request.url).toBe(`http://127.0.0.1:9000/gw/v2/${PROJECT}/instances/${INSTANCE}/temp-credential`);
    expect(request.body).toBeUndefined();
    expect(request.headers?.['X-Security-Token']).toBe('TOK/+=');
    expect(request.headers?.['Authorization']).toContain(
      'SignedHeaders=content-type;host;x-project-id;x-sdk-date;x-security-token,',
    );
  });

  it('sends an IAM token as X-Auth-Token, without a signature', () => {
    const request = createTempCredentialRequest(
      {
        endpoint,
        projectId: PROJECT,
        instanceId: INSTANCE,
        credentials: { kind: 'iam-token', token: 'MIItoken' },
      },
      now,
    );
    expect(request.headers).toEqual({
      'Content-Type': 'application/json',
      Host: 'swr-api.cn-north-4.myhuaweicloud.com',
      'X-Project-Id': PROJECT,
      'X-Auth-Token': 'MIItoken',
    });
  });
});

describe('ShowInstance against the emulator', () => {
  it('returns the registry host of a Running instance for every credential route, without warnings', async () => {
    const emulator = await swr();
    for (const [route, credentials] of routes(emulator)) {
      const instance = await showInstance(target(emulator, credentials), sendOptions);
      expect(instance, route).toEqual({
        id: INSTANCE,
        name: 'octo-ee',
        status: 'Running',
        registry: '127.0.0.1:5000',
        warnings: [],
      });
    }
    expect(emulator.requests).toHaveLength(3);
  });

  it.each(['Initial', 'Creating', 'Unavailable'])('warns when the instance is %s', async (status) => {
    const emulator = await swr({
      instances: [{ id: INSTANCE, name: 'octo-ee', status, accessAddress: 'h:5000' }],
    });
    const instance = await showInstance(target(emulator), sendOptions);
    expect(instance.warnings).toEqual([
      `SWR Enterprise instance octo-ee (${INSTANCE}) is ${status}, not Running: the docker login may fail`,
    ]);
  });

  it('strips a leading https:// from access_address', async () => {
    const emulator = await swr({
      instances: [{ id: INSTANCE, accessAddress: 'https://octo.example.com:8443' }],
    });
    expect((await showInstance(target(emulator), sendOptions)).registry).toBe('octo.example.com:8443');
  });

  it('names the instance, project and region on 404, and does not retry it', async () => {
    const emulator = await swr({ instances: [] });
    const error = await rejectedServiceError(showInstance(target(emulator), sendOptions));
    expect(error.message).toContain('HTTP 404');
    expect(error.message).toContain('SVCSTG.SWR.4040001');
    expect(error.message).toContain(
      `SWR found no Enterprise instance ${INSTANCE} in project ${PROJECT} of region ${REGION}: check 'instance-id', 'project-id' and 'region'`,
    );
    expect(error.message).toMatch(/request id [0-9a-f]{32}/);
    expect(emulator.requests).toHaveLength(1);
  });

  it('says to grant swr:instance:get or set registry on 403; the encoded message only in the debug line', async () => {
    const emulator = await swr({ deny: ['swr:instance:get'] });
    const error = await rejectedServiceError(showInstance(target(emulator), sendOptions));
    expect(error.message).toContain('HTTP 403');
    expect(error.message).toContain("grant swr:instance:get, or set 'registry'");
    expect(error.message).toContain('encoded_authorization_message');
    expect(error.message).toContain('decode-authorization-message');
    const debugLine = authorizationMessageDebugLine(error) ?? '';
    const encoded = debugLine.slice(debugLine.lastIndexOf(' ') + 1);
    expect(encoded).toMatch(/^EAM[A-Za-z0-9+/=]{500,}$/);
    expect(error.message).not.toContain(encoded);
    expect(error.message).not.toContain(encoded.slice(0, 40));
    expect(emulator.requests).toHaveLength(1);
  });

  it('retries a 503 and then succeeds', async () => {
    const emulator = await swr();
    emulator.faults.push(swrTransportFaults.serverError(503));
    expect((await showInstance(target(emulator), sendOptions)).registry).toBe('127.0.0.1:5000');
    expect(emulator.requests).toHaveLength(2);
  });

  it('refuses a hostile access_address, printably, with the hint to set registry', async () => {
    const emulator = await swr();
    emulator.swrFaults.push({
      kind: 'hostile-instance',
      accessAddress: '::error::owned -H x',
      status: '##[group]',
    });
    const error = await rejectedServiceError(showInstance(target(emulator), sendOptions));
    expect(error.message).toContain(`the access_address of instance ${INSTANCE}`);
    expect(error.message).toContain('is refused: the registry host contains whitespace');
    expect(error.message).toContain("Set 'registry' to the instance's host[:port]");
    expect(error.message).not.toContain('::error::');
  });

  it('warns printably about a hostile status', () => {
    const instance = readShowInstanceAnswer(
      reply(200, { name: 'x::y', status: '::warning::odd\n', access_address: 'h' }),
      TARGET,
    );
    expect(instance.warnings).toHaveLength(1);
    expect(instance.warnings[0]).not.toContain('::');
    expect(instance.warnings[0]).not.toContain('\n');
  });

  it.each([
    ['malformed JSON', reply(200, '{"id":'), /not valid JSON/],
    ['a JSON array', reply(200, []), /no instance object/],
    ['no access_address', reply(200, { id: INSTANCE, status: 'Running' }), /has no access_address/],
    ['an http:// access_address', reply(200, { access_address: 'http://h' }), /is refused/],
  ])('refuses %s with the hint to set registry', (_what, answer, problem) => {
    const error = thrownServiceError(() => readShowInstanceAnswer(answer, TARGET));
    expect(error.message).toMatch(problem);
    expect(error.message).toContain("Set 'registry'");
  });

  it('warns when no status is given', () => {
    expect(readShowInstanceAnswer(reply(200, { access_address: 'h' }), TARGET).warnings).toEqual([
      `SWR did not say whether Enterprise instance ${INSTANCE} is Running; logging in anyway`,
    ]);
  });
});

describe('access_address', () => {
  it.each([
    ['swr-ee.example.com', 'swr-ee.example.com'],
    ['swr-ee.example.com:8443', 'swr-ee.example.com:8443'],
    ['https://swr-ee.example.com', 'swr-ee.example.com'],
    ['HTTPS://swr-ee.example.com:443', 'swr-ee.example.com:443'],
    ['127.0.0.1:5000', '127.0.0.1:5000'],
    ['[::1]:5000', '[::1]:5000'],
  ])('accepts %s as %s', (value, registry) => {
    expect(registryFromAccessAddress(value)).toEqual({ registry });
  });

  it.each([
    'http://swr-ee.example.com',
    'https://swr-ee.example.com/',
    'https://swr-ee.example.com/v2',
    'oci://swr-ee.example.com',
    'swr-ee.example.com:99999',
    '-H evil',
    'two words',
    'line\nbreak',
    '',
    'https://',
  ])('refuses %j', (value) => {
    expect(registryFromAccessAddress(value)).toEqual({ problem: expect.any(String) });
  });
});

describe('temp-credential against the emulator', () => {
  it('returns user_id, auth_token, token_id and expiry for every credential route, masked on arrival', async () => {
    const emulator = await swr();
    for (const [route, credentials] of routes(emulator)) {
      const credential = await createTempCredential(target(emulator, credentials), sendOptions);
      const issued = emulator.tempCredentials.at(-1);
      expect(credential, route).toEqual({
        userId: issued?.userId,
        authToken: issued?.authToken,
        credentialId: issued?.tokenId,
        expiresAt: issued?.expiresAt,
        warnings: [],
      });
      expect(masks).toContain(credential.authToken);
      expect(masks).toContain(Buffer.from(`${credential.userId}:${credential.authToken}`).toString('base64'));
    }
    expect(emulator.tempCredentials).toHaveLength(3);
  });

  it('sends X-Project-Id, signed', async () => {
    const emulator = await swr();
    await createTempCredential(target(emulator), sendOptions);
    const sent = emulator.requests[0];
    expect(sent?.headers['x-project-id']).toBe(PROJECT);
    expect(String(sent?.headers['authorization'])).toContain('x-project-id');
  });

  it.each([
    ['rfc3339-offset', true],
    ['rfc3339-millis', true],
    ['no-zone', false],
    ['epoch-seconds', false],
  ] as const)('sets expires-at from a %s expire_date only when it has a zone', async (style, readable) => {
    const emulator = await swr({ expireDateStyle: style });
    const credential = await createTempCredential(target(emulator), sendOptions);
    const issued = emulator.tempCredentials[0];
    if (readable) {
      expect(credential.expiresAt).toBe(issued?.expiresAt);
      expect(credential.warnings).toEqual([]);
    } else {
      expect(credential.expiresAt).toBeUndefined();
      expect(credential.warnings).toEqual([
        `SWR sent an expire_date that is not an RFC 3339 time with a zone ("${issued?.expireDate}"); expires-at is not set`,
      ]);
    }
  });

  it('leaves expires-at unset without a warning when expire_date is absent', async () => {
    const emulator = await swr({ expireDateStyle: 'absent' });
    const credential = await createTempCredential(target(emulator), sendOptions);
    expect(credential.expiresAt).toBeUndefined();
    expect(credential.warnings).toEqual([]);
  });

  it('says to grant swr:instance:createTempCredential on 403, masks nothing and does not retry', async () => {
    const emulator = await swr({ deny: ['swr:instance:createTempCredential'] });
    const error = await rejectedServiceError(createTempCredential(target(emulator), sendOptions));
    expect(error.message).toContain(`grant swr:instance:createTempCredential on it`);
    expect(authorizationMessageDebugLine(error)).toMatch(
      /^encoded_authorization_message \(decode it with STS/,
    );
    expect(masks).toEqual([]);
    expect(emulator.requests).toHaveLength(1);
  });

  it('names instance, project and region on 404 (the project is unknown)', async () => {
    const emulator = await swr();
    const error = await rejectedServiceError(
      createTempCredential({ ...target(emulator), projectId: 'f'.repeat(32) }, sendOptions),
    );
    expect(error.message).toContain(`in project ${'f'.repeat(32)} of region ${REGION}`);
    expect(authorizationMessageDebugLine(error)).toBeUndefined();
  });

  it('keeps the signature hint on 401', async () => {
    const emulator = await swr();
    const error = await rejectedServiceError(
      createTempCredential(
        target(emulator, { kind: 'access-key', accessKeyId: emulator.accessKeyId, secretAccessKey: 'wrong' }),
        sendOptions,
      ),
    );
    expect(error.message).toContain('APIGW.0301');
    expect(error.message).toContain('check access-key-id, access-key-secret');
    expect(emulator.requests).toHaveLength(1);
  });

  const PASSWORD = 'hostile-secret-auth-token-0001';
  it.each([
    ['a user_id starting with -', { userId: '--password-stdin' }, /user_id starts with '-'/],
    ['a user_id with a colon', { userId: 'user:name' }, /user_id contains ':'/],
    [
      'an auth_token with a line break',
      { authToken: `${PASSWORD}\nx` },
      /auth_token contains control characters/,
    ],
    ['an auth_token with a space', { authToken: `${PASSWORD} x` }, /auth_token contains whitespace/],
  ])('refuses %s without echoing it or masking anything', async (_what, hostile, problem) => {
    const emulator = await swr({ tempCredential: { userId: 'ee-user', authToken: PASSWORD } });
    emulator.swrFaults.push({ kind: 'hostile-credential', ...hostile });
    const error = await rejectedServiceError(createTempCredential(target(emulator), sendOptions));
    expect(error.message).toMatch(problem);
    expect(error.message).not.toContain(PASSWORD);
    expect(error.message).not.toContain('--password-stdin');
    expect(error.message).not.toContain('user:name');
    expect(masks).toEqual([]);
  });

  it('refuses malformed JSON and answers without user_id or auth_token', async () => {
    const emulator = await swr();
    emulator.swrFaults.push({ kind: 'malformed-json' });
    expect(
      (await rejectedServiceError(createTempCredential(target(emulator), sendOptions))).message,
    ).toContain('not valid JSON');
    expect(
      thrownServiceError(() => readTempCredentialAnswer(reply(201, { auth_token: 'x' }), TARGET)).message,
    ).toContain('has no user_id');
    expect(
      thrownServiceError(() => readTempCredentialAnswer(reply(201, { user_id: 'u' }), TARGET)).message,
    ).toContain('has no auth_token');
  });

  it('drops a token_id that is not short printable text, with a warning', () => {
    const credential = readTempCredentialAnswer(
      reply(201, { user_id: 'u', auth_token: 't', token_id: 'a\nb', expire_date: '2026-03-19T07:47:21Z' }),
      TARGET,
    );
    expect(credential).toEqual({
      userId: 'u',
      authToken: 't',
      expiresAt: '2026-03-19T07:47:21.000Z',
      warnings: ['SWR sent a token_id that is not short printable text; credential-id is not set'],
    });
  });

  it("composes CreateSecret's login-command shape", () => {
    expect(enterpriseLoginCommand({ userId: 'u1', authToken: 't1' }, '127.0.0.1:5000')).toBe(
      'docker login -u u1 -p t1 127.0.0.1:5000',
    );
  });
});

describe('IAM project lookup', () => {
  let emulator: SwrEmulator;
  async function iam(options: Parameters<typeof startHuaweiIamEmulator>[0] = {}): Promise<HuaweiIamEmulator> {
    emulator = await swr();
    const server = await startHuaweiIamEmulator({
      credentials: emulator.credentials,
      projects: [
        { id: PROJECT, name: REGION },
        { id: 'f'.repeat(32), name: 'ap-southeast-1' },
      ],
      ...options,
    });
    running.push(server);
    return server;
  }
  const lookup = (server: HuaweiIamEmulator, credentials: Credentials, region = REGION) =>
    lookupProjectId({ iamEndpoint: new URL(server.url), region, credentials }, sendOptions);

  it('builds GET /v3/projects?name=<region> signed, and GET /v3/auth/projects with a token', () => {
    const iamEndpoint = new URL('https://iam.cn-north-4.myhuaweicloud.com');
    const signed = createProjectLookupRequest(
      {
        iamEndpoint,
        region: REGION,
        credentials: { kind: 'access-key', accessKeyId: 'AK', secretAccessKey: 'SK' },
      },
      Date.UTC(2026, 2, 18),
    );
    expect(signed.method).toBe('GET');
    expect(signed.url).toBe('https://iam.cn-north-4.myhuaweicloud.com/v3/projects?name=cn-north-4');
    expect(signed.headers?.['Authorization']).toMatch(
      /^SDK-HMAC-SHA256 Access=AK, SignedHeaders=content-type;host;x-sdk-date,/,
    );
    const token = createProjectLookupRequest(
      { iamEndpoint, region: REGION, credentials: { kind: 'iam-token', token: 'MIItoken' } },
      0,
    );
    expect(token.url).toBe('https://iam.cn-north-4.myhuaweicloud.com/v3/auth/projects');
    expect(token.headers?.['X-Auth-Token']).toBe('MIItoken');
  });

  it('finds the project id with every credential route', async () => {
    const server = await iam();
    for (const [route, credentials] of routes(emulator)) {
      expect(await lookup(server, credentials), route).toBe(PROJECT);
    }
    expect(server.requests.map((request) => request.url)).toEqual([
      '/v3/projects?name=cn-north-4',
      '/v3/projects?name=cn-north-4',
      '/v3/auth/projects',
    ]);
  });

  it.each([
    ['no project', [{ id: PROJECT, name: 'ap-southeast-1' }], /it lists no project named cn-north-4/],
    [
      'two projects',
      [
        { id: PROJECT, name: REGION },
        { id: 'e'.repeat(32), name: REGION },
      ],
      /it lists 2 projects named cn-north-4/,
    ],
    [
      'a project whose id is not plain',
      [{ id: '../../x', name: REGION }],
      /the id of project cn-north-4 it lists holds/,
    ],
  ])('says to set project-id when IAM lists %s', async (_what, projects, problem) => {
    const server = await iam({ projects });
    for (const [route, credentials] of routes(emulator)) {
      const error = await rejectedServiceError(lookup(server, credentials));
      expect(error.message, route).toMatch(problem);
      expect(error.message, route).toContain("Set 'project-id' to the id of project cn-north-4");
    }
  });

  it('says to set project-id when IAM refuses the listing (403), without retrying', async () => {
    const server = await iam({ denyListProjects: true });
    const error = await rejectedServiceError(lookup(server, accessKey(emulator)));
    expect(error.message).toMatch(/^IAM \(127\.0\.0\.1:\d+\) answered HTTP 403/);
    expect(error.message).toContain('may not list IAM projects');
    expect(error.message).toContain("Set 'project-id'");
    expect(server.requests).toHaveLength(1);
  });

  it('says to set project-id on 401, without retrying', async () => {
    const server = await iam();
    const error = await rejectedServiceError(
      lookup(server, { kind: 'access-key', accessKeyId: emulator.accessKeyId, secretAccessKey: 'wrong' }),
    );
    expect(error.message).toMatch(/^IAM \(127\.0\.0\.1:\d+\) answered HTTP 401 with error code APIGW\.0301/);
    expect(error.message).toContain("Set 'project-id'");
    const unknownToken = await rejectedServiceError(
      lookup(server, { kind: 'iam-token', token: 'MIIunknown' }),
    );
    expect(unknownToken.message).toContain("Set 'project-id'");
    expect(server.requests).toHaveLength(2);
  });

  it('keeps an encoded_authorization_message of an IAM5 refusal for the debug line', () => {
    const error = thrownServiceError(() =>
      readProjectLookupAnswer(
        reply(403, { error_code: 'IAM.0002', error_msg: 'denied', encoded_authorization_message: 'ZZZ' }),
        REGION,
      ),
    );
    expect(error.message).not.toContain('ZZZ');
    expect(authorizationMessageDebugLine(error)).toContain('ZZZ');
  });

  it.each([
    ['not JSON', reply(200, '<html>'), /not valid JSON/],
    ['no projects list', reply(200, { links: {} }), /no "projects" list/],
  ])('refuses an answer that is %s', (_what, answer, problem) => {
    const error = thrownServiceError(() => readProjectLookupAnswer(answer, REGION));
    expect(error.message).toMatch(problem);
    expect(error.message).toContain("Set 'project-id'");
  });
});

describe('resource ids', () => {
  it.each([PROJECT, INSTANCE, 'a', 'A_b-9'])('accepts %s', (id) => {
    expect(resourceIdProblem(id)).toBeUndefined();
  });
  it.each(['', '-a', '_a', 'a/b', '..', 'a%2F', 'a?b', 'a b', 'é', 'a'.repeat(129)])('refuses %j', (id) => {
    expect(resourceIdProblem(id)).toEqual(expect.any(String));
  });
});
