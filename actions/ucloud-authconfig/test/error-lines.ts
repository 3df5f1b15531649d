// One rendered failure line per error template ucloud-authconfig can produce, for the suite's
// error-voice test (test/error-voice.test.ts). Every line comes from driving the real code — the
// input reader with bad inputs, the answer parser with crafted answers, the selection with configs
// that lack what was asked, the file writer with an unusable path — and is rendered as runMain
// renders it, never copied.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetworkError, responseOf, setMaskFunction } from '@cloudcreds/core';
import { type ErrorLine, fakeClock, recordingLogger, rendered } from '@cloudcreds/harness';
import { type DomainAuthConfig, getAuthConfigs, parseResponse } from '../src/client.ts';
import { readInputs } from '../src/inputs.ts';
import { writePrivateFile } from '../src/output-file.ts';
import { select } from '../src/select.ts';

const REQUEST_ID = '6f1c0e52-3b8d-4d7a-9c41-2e5a7b9d0f13';

const inputs = {
  'INPUT_PUBLIC-KEY': 'public-key-of-the-error-lines',
  'INPUT_PRIVATE-KEY': 'private-key-of-the-error-lines',
  INPUT_REGION: 'cn-bj2',
  INPUT_ZONE: 'cn-bj2-04',
  GITHUB_WORKSPACE: '/home/runner/work/repo',
};

function answer(
  body: unknown,
  status = 200,
  contentType = 'application/json',
): ReturnType<typeof responseOf> {
  return responseOf(
    status,
    { 'content-type': contentType, 'x-ucloud-request-uuid': REQUEST_ID },
    Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
  );
}

const sent = { host: 'api.ucloud.cn', channelKey: false, projectId: false };

const retCode = (
  template: string,
  code: number,
  message: string,
  answeredWith: Partial<typeof sent> & { status?: number } = {},
) => {
  const { status = 200, ...sentWith } = answeredWith;
  return rendered(template, () =>
    parseResponse(answer({ RetCode: code, Message: message }, status), { ...sent, ...sentWith }),
  );
};

const configs: DomainAuthConfig[] = [
  { Domain: 'static.example.com', Config: [{ Type: 'pkey', Keys: [{ Key: 'k1', Iv: 'i1' }] }] },
  { Domain: 'video.example.com', Config: [{ Type: 'typeA', Keys: [] }] },
];

const silent = recordingLogger();
const noSleep = fakeClock();

export async function errorLines(): Promise<ErrorLine[]> {
  // The lines are what matters here, not the masks the input reader registers on the way.
  setMaskFunction(() => {});
  const scratch = mkdtempSync(join(tmpdir(), 'ucloud-error-lines-'));
  const notADirectory = join(scratch, 'a-file');
  writeFileSync(notADirectory, '');

  return Promise.all([
    rendered('no input at all', () => readInputs({})),
    rendered('private key missing', () => readInputs({ ...inputs, 'INPUT_PRIVATE-KEY': '' })),
    rendered('region missing', () => readInputs({ ...inputs, INPUT_REGION: '' })),
    rendered('region malformed', () => readInputs({ ...inputs, INPUT_REGION: 'cn bj2' })),
    rendered('domain malformed', () => readInputs({ ...inputs, INPUT_DOMAIN: 'a.com b.com' })),
    rendered('base-url not http(s)', () => readInputs({ ...inputs, 'INPUT_BASE-URL': 'ftp://x' })),
    rendered('private key with a control character', () =>
      readInputs({ ...inputs, 'INPUT_PRIVATE-KEY': 'private\u0001key-of-the-error-lines' }),
    ),
    rendered('if-no-credentials unknown', () =>
      readInputs({ ...inputs, 'INPUT_IF-NO-CREDENTIALS': 'maybe' }),
    ),
    rendered('output-file names a directory by its trailing slash', () =>
      readInputs({ ...inputs, 'INPUT_OUTPUT-FILE': 'out/' }),
    ),
    rendered('output-file relative without a workspace', () =>
      readInputs({ ...inputs, GITHUB_WORKSPACE: '', 'INPUT_OUTPUT-FILE': 'keys.json' }),
    ),
    rendered('output-file is an existing directory', () => writePrivateFile(scratch, '[]', () => {})),
    rendered('output-file cannot be written', () =>
      writePrivateFile(join(notADirectory, 'keys.json'), '[]', () => {}),
    ),

    retCode('RetCode 110, transient, after every attempt', 110, 'API response timeout'),
    retCode('RetCode 153, throttled', 153, 'Request throttled, please retry later'),
    retCode('RetCode 161, wrong gateway', 161, 'Action [GetAuthConfig] not exists'),
    retCode('RetCode 171', 171, 'Signature VerifyAC Error'),
    retCode('RetCode 171 with a channel key', 171, 'Signature VerifyAC Error', { channelKey: true }),
    retCode('RetCode 172', 172, 'User Not Exists'),
    retCode('RetCode 174', 174, 'Token Not Exists'),
    retCode('RetCode 230', 230, 'Params [Zone] not available'),
    retCode('RetCode 292 without project-id', 292, 'Project not exists'),
    retCode('RetCode 292 with project-id', 292, 'Project not exists', { projectId: true }),
    retCode('RetCode 293', 293, 'No permission'),
    retCode('RetCode 294', 294, 'IP not in whitelist'),
    retCode('RetCode 295', 295, 'Security lock verification failed'),
    retCode('RetCode 299', 299, 'Permission denied'),
    retCode('UCDN product RetCode', 8039, 'Domain not exists'),
    retCode('undocumented RetCode', 999, 'Something else'),
    retCode('RetCode over HTTP 401', 171, 'Signature VerifyAC Error', { status: 401 }),
    rendered('RetCode without a message', () => parseResponse(answer({ RetCode: 172 }), sent)),
    rendered('body not JSON', () => parseResponse(answer('<html>login</html>', 200, 'text/html'), sent)),
    rendered('body empty', () => parseResponse(answer(''), sent)),
    rendered('body not UTF-8', () => parseResponse(answer(Buffer.from([0x7b, 0xff, 0xfe])), sent)),
    rendered('HTTP 502 with an HTML page', () =>
      parseResponse(answer('<h1>Bad Gateway</h1>', 502, 'text/html'), sent),
    ),
    rendered('no numeric RetCode', () => parseResponse(answer({ RetCode: 'ok' }), sent)),
    rendered('malformed AuthConfigs', () =>
      parseResponse(answer({ RetCode: 0, AuthConfigs: [{ Domain: 'a.com', Config: {} }] }), sent),
    ),
    rendered('Key not a string', () =>
      parseResponse(
        answer({
          RetCode: 0,
          AuthConfigs: [{ Domain: 'a.com', Config: [{ Type: 'pkey', Keys: [{ Key: 1 }] }] }],
        }),
        sent,
      ),
    ),
    rendered('hostile message', () =>
      parseResponse(answer({ RetCode: 171, Message: '::error::forged\n##[group]x' }), sent),
    ),
    rendered('all-domains answer over the size cap', () =>
      getAuthConfigs(
        {
          baseUrl: new URL('https://api.ucloud.cn'),
          credentials: { publicKey: 'public-key', privateKey: 'private-key' },
          region: 'cn-bj2',
          zone: 'cn-bj2-04',
          maxAttempts: 1,
          timeoutMs: 1000,
        },
        {
          transport: async () => {
            throw new NetworkError('api.ucloud.cn sent an answer larger than 1024 kB; it was not read', {
              retryable: false,
              code: 'RESPONSE_TOO_LARGE',
            });
          },
          clock: noSleep,
          logger: silent,
        },
        undefined,
      ),
    ),
    rendered('named domain without an auth config', () =>
      select(configs, { domains: ['static.example.com', 'nosuch.example.com'] }),
    ),
    rendered('type on no domain', () => select(configs, { type: 'ksc' })),
    rendered('type missing on a named domain', () =>
      select(configs, { domains: ['static.example.com', 'video.example.com'], type: 'pkey' }),
    ),
    rendered('selection without a key', () => select(configs, { domains: ['video.example.com'] })),
    rendered('key pair sees no domain', () => select([], { domains: ['static.example.com'] })),
  ]);
}
