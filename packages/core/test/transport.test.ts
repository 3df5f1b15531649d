// The transport against real loopback servers: deadlines, size cap, redirects, TLS trust.
import { spawn } from 'node:child_process';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { startServer } from '@cloudcreds/emulators/server';
import { createTestCa, type TestCa } from '@cloudcreds/emulators/tls';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHttpTransport, NetworkError, proxyFor, userAgent } from '../src/index.ts';

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

  it('explains a refused connection and marks it retryable', async () => {
    const server = await startServer(() => {});
    const url = `${server.url}/`;
    await server.close();
    const error = await rejection(transport({ method: 'GET', url }, { timeoutMs: 2000 }));
    expect(error.message).toMatch(/refused the connection/);
    expect(error.retryable).toBe(true);
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
      expect(server.requests).toHaveLength(0);
    });

    it('names the certificate names on a mismatch', async () => {
      const server = await startServer((_req, res) => res.end('ok'), { tls: ca.issue(['engine.internal']) });
      const trusting = createHttpTransport({ userAgent: 'x', ca: ca.certPem });
      const error = await rejection(trusting({ method: 'GET', url: `${server.url}/` }, { timeoutMs: 5000 }));
      await server.close();
      expect(error.message).toContain('is for DNS:engine.internal, not for 127.0.0.1');
      expect(error.tls).toBe('certificate');
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
