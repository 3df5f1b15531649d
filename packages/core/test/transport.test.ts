// The transport against real loopback servers: deadlines, size cap, redirects, TLS trust.
import { spawn } from 'node:child_process';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { startConnectProxy } from '@cloudcreds/emulators/connect-proxy';
import { startServer } from '@cloudcreds/emulators/server';
import { startBlackHoleNode } from '@cloudcreds/emulators/service-center';
import { createTestCa, type TestCa } from '@cloudcreds/emulators/tls';
import { closedPort } from '@cloudcreds/harness';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createHttpTransport,
  explainNetworkError,
  NetworkError,
  proxyFor,
  setMaskFunction,
  userAgent,
} from '../src/index.ts';

const transport = createHttpTransport({ userAgent: userAgent('test') });

async function rejection(promise: Promise<unknown>): Promise<NetworkError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(NetworkError);
    return error as NetworkError;
  }
  throw new Error('expected a NetworkError');
}

describe('http transport', () => {
  it('sends method, headers, body and the suite User-Agent; returns status, headers, body', async () => {
    const server = await startServer((req, res) => {
      res.writeHead(201, { 'x-request-id': 'r-1' });
      res.end(
        JSON.stringify({
          method: req.method,
          ua: req.headers['user-agent'],
          ct: req.headers['content-type'],
          body: req.body.toString(),
        }),
      );
    });
    const response = await transport(
      {
        method: 'POST',
        url: `${server.url}/v4/token`,
        headers: { 'content-type': 'application/json' },
        body: '{"a":1}',
      },
      { timeoutMs: 5000 },
    );
    await server.close();
    expect(response.status).toBe(201);
    expect(response.header('X-Request-Id')).toBe('r-1');
    const echoed = JSON.parse(response.body.toString());
    expect(echoed).toMatchObject({ method: 'POST', ct: 'application/json', body: '{"a":1}' });
    expect(echoed.ua).toMatch(/^cloudcreds-actions\/1\.0\.0 \(test; node\/24\./);
  });

  it('gives up on a hanging server at the attempt deadline', async () => {
    const server = await startServer(() => {});
    server.faults.push({ kind: 'hang' });
    const started = Date.now();
    const error = await rejection(transport({ method: 'GET', url: `${server.url}/` }, { timeoutMs: 500 }));
    await server.close();
    expect(error.message).toBe(`127.0.0.1:${server.port} did not answer within 0.5 s`);
    expect(error.retryable).toBe(true);
    // The request was written and received: the service may have acted on it.
    expect([error.code, error.phase]).toEqual(['TIMEOUT', 'exchange']);
    expect(server.requests).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('bounds a server that sends headers and then drips the body', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200);
      const timer = setInterval(() => res.write('x'), 100);
      res.on('close', () => clearInterval(timer));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const error = await rejection(
      transport({ method: 'GET', url: `http://127.0.0.1:${port}/` }, { timeoutMs: 600 }),
    );
    server.closeAllConnections();
    server.close();
    expect(error.code).toBe('TIMEOUT');
  });

  it('refuses a 50 MB answer without reading it into memory', async () => {
    const server = await startServer(() => {});
    server.faults.push({ kind: 'oversized', bytes: 50 * 1024 * 1024 });
    const before = process.memoryUsage().rss;
    const error = await rejection(transport({ method: 'GET', url: `${server.url}/` }, { timeoutMs: 10_000 }));
    await server.close();
    expect(error.code).toBe('RESPONSE_TOO_LARGE');
    expect(error.retryable).toBe(false);
    expect(process.memoryUsage().rss - before).toBeLessThan(30 * 1024 * 1024);
  });

  it('never follows a redirect, and names where it pointed without its query', async () => {
    const target = await startServer(() => {});
    const server = await startServer(() => {});
    server.faults.push({ kind: 'redirect', location: `http://127.0.0.2:${target.port}/steal?sig=abc` });
    const error = await rejection(
      transport(
        { method: 'POST', url: `${server.url}/x`, headers: { authorization: 'secret' } },
        { timeoutMs: 5000 },
      ),
    );
    await server.close();
    await target.close();
    expect(error.code).toBe('REDIRECT');
    expect(error.message).toContain(`redirecting to http://127.0.0.2:${target.port}/steal;`);
    expect(error.message).not.toContain('sig=abc');
    expect(target.requests).toHaveLength(0);
  });

  it('explains a refused connection, marks it retryable, and says nothing was sent', async () => {
    const server = await startServer(() => {});
    const url = `${server.url}/`;
    await server.close();
    const error = await rejection(transport({ method: 'GET', url }, { timeoutMs: 2000 }));
    expect(error.message).toBe(`127.0.0.1:${server.port} refused the connection (ECONNREFUSED)`);
    expect(error.retryable).toBe(true);
    expect(error.phase).toBe('connect');
  });

  describe('phase: could the request have reached the service?', () => {
    it.each(['http', 'https'])(
      '%s: a connect that never completes is a connect timeout, not a silent server',
      async (scheme) => {
        const hole = await startBlackHoleNode();
        try {
          const started = Date.now();
          const error = await rejection(
            transport(
              { method: 'POST', url: `${scheme}://127.0.0.1:${hole.port}/v4/token`, body: '{}' },
              { timeoutMs: 500 },
            ),
          );
          expect(error.message).toBe(`127.0.0.1:${hole.port} did not accept a connection within 0.5 s`);
          expect([error.code, error.phase, error.retryable, error.tls]).toEqual([
            'TIMEOUT',
            'connect',
            true,
            undefined,
          ]);
          expect(Date.now() - started).toBeLessThan(2000);
        } finally {
          await hole.close();
        }
      },
    );

    it('a TLS handshake the server never completes is a connect-phase timeout', async () => {
      const mute = net.createServer(() => {});
      const sockets = new Set<net.Socket>();
      mute.on('connection', (socket) => sockets.add(socket));
      await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
      const { port } = mute.address() as AddressInfo;
      const error = await rejection(
        transport({ method: 'GET', url: `https://127.0.0.1:${port}/` }, { timeoutMs: 500 }),
      );
      for (const socket of sockets) socket.destroy();
      mute.close();
      expect(error.message).toBe(`127.0.0.1:${port} did not complete the TLS handshake within 0.5 s`);
      expect([error.code, error.phase, error.tls]).toEqual(['TIMEOUT', 'connect', 'handshake']);
    });

    it('a reset once the request was written is an exchange failure', async () => {
      const server = await startServer(() => {});
      server.faults.push({ kind: 'reset' });
      const error = await rejection(transport({ method: 'GET', url: `${server.url}/` }, { timeoutMs: 2000 }));
      await server.close();
      expect(error.message).toBe(`127.0.0.1:${server.port} reset the connection (ECONNRESET)`);
      expect([error.retryable, error.phase]).toEqual([true, 'exchange']);
      expect(server.requests).toHaveLength(1);
    });

    it('without the progress of an attempt, only failures that cannot follow a connection are connect', () => {
      const failure = (code: string, message = 'x') => Object.assign(new Error(message), { code });
      const phase = (error: unknown, timedOutAfterMs?: number) =>
        explainNetworkError(error, 'https://h.example/', timedOutAfterMs).phase;
      expect(phase(failure('ECONNREFUSED'))).toBe('connect');
      expect(phase(failure('ENOTFOUND'))).toBe('connect');
      expect(phase(failure('UNABLE_TO_VERIFY_LEAF_SIGNATURE'))).toBe('connect');
      expect(
        phase(failure('ECONNRESET', 'Client network socket disconnected before secure TLS connection')),
      ).toBe('connect');
      expect(phase(failure('ECONNRESET', 'read ECONNRESET'))).toBe('exchange');
      expect(phase(new Error('socket hang up'))).toBe('exchange');
      expect(phase(new Error('aborted'), 1000)).toBe('exchange');
      // With it, the stage decides, and names the timeout.
      const connectTimeout = explainNetworkError(
        new Error('aborted'),
        'https://h.example/',
        1000,
        undefined,
        {
          stage: 'connecting',
        },
      );
      expect([connectTimeout.message, connectTimeout.phase]).toEqual([
        'h.example did not accept a connection within 1 s',
        'connect',
      ]);
    });
  });

  describe('TLS', () => {
    let ca: TestCa;
    beforeAll(() => {
      ca = createTestCa();
    });

    it('trusts an extra CA given as PEM, in addition to the system ones', async () => {
      const server = await startServer((_req, res) => res.end('ok'), {
        tls: ca.issue(['127.0.0.1', 'localhost']),
      });
      const trusting = createHttpTransport({ userAgent: 'x', ca: ca.certPem });
      const response = await trusting({ method: 'GET', url: `${server.url}/` }, { timeoutMs: 5000 });
      await server.close();
      expect(response.body.toString()).toBe('ok');
    });

    it('keeps the default authorities when given a CA, and trusts every certificate the PEM holds', async () => {
      // The default store of a process includes NODE_EXTRA_CA_CERTS, read at start-up: so the
      // transport runs in a child process that trusts `system` that way and is given `extra`.
      const system = createTestCa('default store CA');
      const extra = createTestCa('second extra CA');
      const servers = await Promise.all(
        [system, ca, extra].map((authority) =>
          startServer((_req, res) => res.end('ok'), { tls: authority.issue(['127.0.0.1']) }),
        ),
      );
      const urls = servers.map((server) => `${server.url}/`);
      const script = `
        import { createHttpTransport } from ${JSON.stringify(new URL('../src/index.ts', import.meta.url).href)};
        const [pem, ...urls] = JSON.parse(process.argv[1]);
        const transport = createHttpTransport({ userAgent: 'x', ca: pem });
        for (const url of urls) {
          const outcome = await transport({ method: 'GET', url }, { timeoutMs: 5000 }).then(
            (response) => response.body.toString(),
            (error) => error.message,
          );
          console.log(outcome);
        }`;
      const child = spawn(
        process.execPath,
        ['--input-type=module', '-e', script, JSON.stringify([ca.certPem + extra.certPem, ...urls])],
        {
          env: { PATH: process.env['PATH'], NODE_EXTRA_CA_CERTS: system.certPath },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      const code = await new Promise((resolve) => child.on('close', resolve));
      await Promise.all(servers.map((server) => server.close()));
      expect(output.trim().split('\n')).toEqual(['ok', 'ok', 'ok']);
      expect(code).toBe(0);
    });

    it('explains an untrusted certificate, with the caller hint, and does not call it retryable', async () => {
      const server = await startServer((_req, res) => res.end('ok'), { tls: ca.issue(['127.0.0.1']) });
      const plain = createHttpTransport({
        userAgent: 'x',
        untrustedCertificateHint: "pass the engine's CA as ca-cert",
      });
      const error = await rejection(plain({ method: 'GET', url: `${server.url}/` }, { timeoutMs: 5000 }));
      await server.close();
      expect(error.message).toMatch(
        /^TLS: the certificate of 127\.0\.0\.1:\d+ is not signed by a trusted authority \(\w+\); pass the engine's CA as ca-cert$/,
      );
      expect(error.retryable).toBe(false);
      expect(error.tls).toBe('certificate');
      expect(error.phase).toBe('connect');
      expect(server.requests).toHaveLength(0);
    });

    it('names the certificate names on a mismatch', async () => {
      const server = await startServer((_req, res) => res.end('ok'), { tls: ca.issue(['engine.internal']) });
      const trusting = createHttpTransport({ userAgent: 'x', ca: ca.certPem });
      const error = await rejection(trusting({ method: 'GET', url: `${server.url}/` }, { timeoutMs: 5000 }));
      await server.close();
      expect(error.message).toContain('is for DNS:engine.internal, not for 127.0.0.1');
      expect(error.tls).toBe('certificate');
      expect(error.phase).toBe('connect');
    });

    it('tells a broken handshake (worth another attempt) from a certificate verdict', async () => {
      const plaintext = net.createServer((socket) => socket.end('HTTP/1.1 400 not TLS\r\n\r\n'));
      plaintext.on('connection', (socket) => socket.on('error', () => {}));
      await new Promise<void>((resolve) => plaintext.listen(0, '127.0.0.1', resolve));
      const { port } = plaintext.address() as AddressInfo;
      const error = await rejection(
        transport({ method: 'GET', url: `https://127.0.0.1:${port}/` }, { timeoutMs: 5000 }),
      );
      plaintext.close();
      expect(error.message).toMatch(/^TLS handshake with 127\.0\.0\.1:\d+ failed/);
      expect(error.tls).toBe('handshake');
      expect(error.retryable).toBe(true);
      expect(error.phase).toBe('connect');
    });

    it('skips verification only when asked', async () => {
      const server = await startServer((_req, res) => res.end('ok'), { tls: ca.issue(['other.name']) });
      const insecure = createHttpTransport({ userAgent: 'x', insecureSkipTlsVerify: true });
      expect((await insecure({ method: 'GET', url: `${server.url}/` }, { timeoutMs: 5000 })).status).toBe(
        200,
      );
      await server.close();
    });
  });
});

// Through a proxy the client never resolves the API host: the CONNECT proxy on loopback tunnels
// the real hostname to a loopback server, or fails the way corporate proxies do.
describe("proxy failures are the proxy's, named without its credentials", () => {
  const API = 'swr-api.cn-north-4.myhuaweicloud.com';
  const SWR_URL = `https://${API}/v2/manage/utils/secret`;
  const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy'];
  const saved = { ...process.env };
  const useProxy = (variable: string, url: string): void => {
    for (const name of PROXY_VARIABLES) delete process.env[name];
    process.env[variable] = url;
  };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('a proxy that is down: refused, retryable, nothing sent', async () => {
    const port = await closedPort();
    useProxy('HTTPS_PROXY', `http://127.0.0.1:${port}`);
    const error = await rejection(
      transport({ method: 'POST', url: SWR_URL, body: '{}' }, { timeoutMs: 2000 }),
    );
    expect(error.message).toBe(
      `Proxy 127.0.0.1:${port} (from HTTPS_PROXY) refused the connection (ECONNREFUSED)`,
    );
    expect([error.code, error.retryable, error.phase]).toEqual(['ECONNREFUSED', true, 'connect']);
  });

  it('a proxy that never accepts the connection: a connect timeout of the proxy', async () => {
    const hole = await startBlackHoleNode();
    try {
      useProxy('https_proxy', `http://127.0.0.1:${hole.port}`);
      const error = await rejection(transport({ method: 'GET', url: SWR_URL }, { timeoutMs: 500 }));
      expect(error.message).toBe(
        `Proxy 127.0.0.1:${hole.port} (from https_proxy) did not accept a connection within 0.5 s`,
      );
      expect([error.code, error.retryable, error.phase]).toEqual(['TIMEOUT', true, 'connect']);
    } finally {
      await hole.close();
    }
  });

  it('a proxy that never answers the CONNECT: timed out at the deadline, and the CONNECT closed with it', async () => {
    const proxy = await startConnectProxy({}, { fault: 'hang' });
    useProxy('HTTPS_PROXY', proxy.url);
    const error = await rejection(transport({ method: 'GET', url: SWR_URL }, { timeoutMs: 500 }));
    await vi.waitFor(() => expect(proxy.openConnections()).toBe(0), { timeout: 1000 });
    await proxy.close();
    expect(error.message).toBe(
      `Proxy 127.0.0.1:${proxy.port} (from HTTPS_PROXY) did not open a tunnel to ${API}:443 within 0.5 s`,
    );
    expect([error.code, error.retryable, error.phase]).toEqual(['TIMEOUT', true, 'connect']);
    expect(proxy.log).toEqual([{ target: `${API}:443`, method: 'CONNECT' }]);
  });

  it('a proxy that resets the CONNECT', async () => {
    const proxy = await startConnectProxy({}, { fault: 'reset' });
    useProxy('HTTPS_PROXY', proxy.url);
    const error = await rejection(transport({ method: 'GET', url: SWR_URL }, { timeoutMs: 2000 }));
    await proxy.close();
    expect(error.message).toBe(
      `Proxy 127.0.0.1:${proxy.port} (from HTTPS_PROXY) reset the connection (ECONNRESET) while opening a tunnel to ${API}:443`,
    );
    expect([error.retryable, error.phase]).toEqual([true, 'connect']);
  });

  it('407 without credentials: final, with the fix', async () => {
    const proxy = await startConnectProxy({}, { credentials: { user: 'u', password: 'p', realm: 'corp' } });
    useProxy('HTTPS_PROXY', proxy.url);
    const error = await rejection(transport({ method: 'GET', url: SWR_URL }, { timeoutMs: 2000 }));
    await proxy.close();
    expect(error.message).toBe(
      `Proxy 127.0.0.1:${proxy.port} (from HTTPS_PROXY) answered the CONNECT for ${API}:443 with HTTP 407: it requires credentials (it asks for Basic realm="corp"), and HTTPS_PROXY has none. Not retried: repeated bad credentials can lock a proxy account. Put the proxy's user name and password in HTTPS_PROXY, URL-encoded: http://user:password@127.0.0.1:${proxy.port}; or, if ${API} is reachable without the proxy, add it to NO_PROXY`,
    );
    expect([error.code, error.retryable, error.phase]).toEqual([
      'PROXY_AUTHENTICATION_REQUIRED',
      false,
      'connect',
    ]);
  });

  it('407 for the credentials given: says so, and never shows them in any form', async () => {
    const user = 'corp\\ci-bot';
    const password = 'p@ss:w/rd%41';
    const proxy = await startConnectProxy({}, { credentials: { user, password: 'the right one' } });
    const encoded = `${encodeURIComponent(user)}:${encodeURIComponent(password)}`;
    const masked: string[] = [];
    setMaskFunction((value) => masked.push(value));
    for (const [variable, url] of [
      ['https_proxy', SWR_URL],
      ['HTTP_PROXY', `http://${API}/v2`],
    ] as const) {
      useProxy(variable, `http://${encoded}@127.0.0.1:${proxy.port}`);
      const error = await rejection(transport({ method: 'GET', url }, { timeoutMs: 2000 }));
      expect(error.message).toMatch(
        new RegExp(
          `^Proxy 127\\.0\\.0\\.1:${proxy.port} \\(from ${variable}\\) answered the CONNECT for ${API.replaceAll('.', '\\.')}:(443|80) with HTTP 407: it refused the credentials in ${variable} \\(it asks for Basic realm="corporate proxy"\\)\\. Not retried`,
        ),
      );
      expect(error.retryable).toBe(false);
      for (const secret of [
        password,
        encodeURIComponent(password),
        encoded,
        Buffer.from(`${user}:${password}`).toString('base64'),
      ]) {
        expect(error.message).not.toContain(secret);
      }
    }
    await proxy.close();
    // The credentials did go to the proxy (decoded, as Basic): it is the proxy that said no.
    const basic = Buffer.from(`${user}:${password}`).toString('base64');
    expect(proxy.log.map((entry) => entry.proxyAuthorization)).toEqual([`Basic ${basic}`, `Basic ${basic}`]);
    // The transport made that header itself, so it registered what it held, once.
    expect(masked).toEqual(expect.arrayContaining([password, `${user}:${password}`, basic]));
    expect(new Set(masked).size).toBe(masked.length);
  });

  it('a proxy that refuses the destination names its status', async () => {
    const proxy = await startConnectProxy({});
    useProxy('HTTPS_PROXY', proxy.url);
    const error = await rejection(transport({ method: 'GET', url: SWR_URL }, { timeoutMs: 2000 }));
    await proxy.close();
    expect(error.message).toBe(
      `Proxy 127.0.0.1:${proxy.port} (from HTTPS_PROXY) refused to open a tunnel to ${API}:443: HTTP 502 Bad Gateway`,
    );
    expect([error.code, error.retryable, error.phase]).toEqual(['PROXY_HTTP_502', true, 'connect']);
  });

  describe('past the tunnel, the host fails, reached through the proxy', () => {
    let ca: TestCa;
    beforeAll(() => {
      ca = createTestCa('proxy-path CA');
    });

    it('an untrusted certificate (a TLS-inspecting proxy looks like this): connect phase', async () => {
      const server = await startServer((_req, res) => res.end('ok'), { tls: ca.issue([API]) });
      const proxy = await startConnectProxy({ [`${API}:443`]: server.port });
      useProxy('HTTPS_PROXY', proxy.url);
      const error = await rejection(transport({ method: 'GET', url: SWR_URL }, { timeoutMs: 2000 }));
      await proxy.close();
      await server.close();
      expect(error.message).toMatch(
        new RegExp(
          `^TLS: the certificate of ${API.replaceAll('.', '\\.')} \\(through proxy 127\\.0\\.0\\.1:${proxy.port} from HTTPS_PROXY\\) is not signed by a trusted authority`,
        ),
      );
      expect([error.tls, error.phase]).toEqual(['certificate', 'connect']);
      expect(server.requests).toHaveLength(0);
    });

    it('a host that takes the request and never answers: exchange phase', async () => {
      const server = await startServer(() => {}, { tls: ca.issue([API]) });
      server.faults.push({ kind: 'hang' });
      const proxy = await startConnectProxy({ [`${API}:443`]: server.port });
      useProxy('HTTPS_PROXY', proxy.url);
      const trusting = createHttpTransport({ userAgent: 'x', ca: ca.certPem });
      const error = await rejection(trusting({ method: 'GET', url: SWR_URL }, { timeoutMs: 500 }));
      await proxy.close();
      await server.close();
      expect(error.message).toBe(
        `${API} (through proxy 127.0.0.1:${proxy.port} from HTTPS_PROXY) did not answer within 0.5 s`,
      );
      expect(error.phase).toBe('exchange');
      expect(server.requests).toHaveLength(1);
    });
  });
});

describe('proxy selection (decided below the network: no lookup of real hosts)', () => {
  const withEnv = (env: Record<string, string>, fn: () => void): void => {
    const saved = { ...process.env };
    for (const key of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy'])
      delete process.env[key];
    Object.assign(process.env, env);
    try {
      fn();
    } finally {
      process.env = saved;
    }
  };

  it('uses HTTPS_PROXY for https and HTTP_PROXY for http, without credentials in the answer', () => {
    withEnv({ HTTPS_PROXY: 'http://user:pw@proxy.corp:3128', HTTP_PROXY: 'http://plain.corp:8080' }, () => {
      expect(proxyFor('https://swr-api.cn-north-4.myhuaweicloud.com/v2')).toBe('http://proxy.corp:3128');
      expect(proxyFor('http://api.ucloud.cn/')).toBe('http://plain.corp:8080');
    });
  });

  it('honours NO_PROXY suffixes, host:port and *, and always bypasses loopback', () => {
    withEnv(
      { HTTPS_PROXY: 'http://proxy.corp:3128', NO_PROXY: '.myhuaweicloud.com,api.ucloud.cn:443' },
      () => {
        expect(proxyFor('https://swr-api.cn-north-4.myhuaweicloud.com/')).toBeUndefined();
        expect(proxyFor('https://api.ucloud.cn/')).toBeUndefined();
        expect(proxyFor('https://api.ucloud-global.com/')).toBe('http://proxy.corp:3128');
        expect(proxyFor('https://127.0.0.1:8443/')).toBeUndefined();
      },
    );
    withEnv({ HTTPS_PROXY: 'http://proxy.corp:3128', NO_PROXY: '*' }, () => {
      expect(proxyFor('https://api.ucloud-global.com/')).toBeUndefined();
    });
  });
});
