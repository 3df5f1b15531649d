// One HTTP exchange over @actions/http-client (which brings HTTPS_PROXY/NO_PROXY and CONNECT
// tunnelling), with what it lacks: a deadline per attempt, a response size cap, extra CA trust,
// no redirects — a credential-bearing request must never be replayed to another host — and
// failures that say where they happened: before the request could leave (`phase: 'connect'`) or
// after, at the host or at the proxy in front of it.

import type { ClientRequest, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { createSecureContext, type SecureContext, TLSSocket } from 'node:tls';
import { HttpClient } from '@actions/http-client';
import type { RequestHandler } from '@actions/http-client/lib/interfaces';
import { getProxyUrl } from '@actions/http-client/lib/proxy';
import { NetworkError } from './errors.ts';
import { maskBasicAuth } from './secrets.ts';
import { printable } from './text.ts';

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** A response header as one string (first value), or undefined. */
  header(name: string): string | undefined;
}

export interface AttemptOptions {
  timeoutMs: number;
}

export type Transport = (request: HttpRequest, options: AttemptOptions) => Promise<HttpResponse>;

export interface TransportConfig {
  userAgent: string;
  /** PEM text trusted in addition to the system (and NODE_EXTRA_CA_CERTS) authorities. */
  ca?: string;
  insecureSkipTlsVerify?: boolean;
  /** Larger answers are cut off unread: no endpoint here needs more than a few kB. */
  maxResponseBytes?: number;
  /** Appended to the explanation of an untrusted-certificate failure (e.g. "pass ca-cert"). */
  untrustedCertificateHint?: string;
}

export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

export function responseOf(status: number, headers: HttpResponse['headers'], body: Buffer): HttpResponse {
  return {
    status,
    headers,
    body,
    header(name: string) {
      const value = headers[name.toLowerCase()];
      return Array.isArray(value) ? value[0] : value;
    },
  };
}

/** The proxy URL (credentials stripped) the request layer picks for a URL, or undefined. */
export function proxyFor(url: string): string | undefined {
  const proxy = getProxyUrl(new URL(url));
  return proxy ? `${proxy.protocol}//${proxy.host}` : undefined;
}

/**
 * A TLS context trusting Node's default authorities (bundled, system, NODE_EXTRA_CA_CERTS) and
 * every certificate in `extraPem`. The `ca` option replaces the defaults, and copying them in
 * (`[...getCACertificates('default'), pem]`) re-parses ~140 certificates for every context, a cost bench/README.md
 * measures in cse-token's run. `addCACert` on a default
 * context (the native call createSecureContext makes per `ca` entry) gives the context its own
 * copy of the parsed default store, by reference, and parses only `extraPem`.
 */
function trustingAlso(extraPem: string): SecureContext {
  const context = createSecureContext();
  (context.context as { addCACert(pem: string): void }).addCACert(extraPem);
  return context;
}

export function createHttpTransport(config: TransportConfig): Transport {
  const maxBytes = config.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const secureContext = config.ca ? trustingAlso(config.ca) : undefined;

  return async (request, { timeoutMs }) => {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), timeoutMs);
    const target = new URL(request.url);
    const proxy = proxyRoute(target);
    const progress: AttemptProgress = { stage: 'connecting', ...(proxy ? { proxy } : {}) };
    const handler: RequestHandler = {
      prepareRequest(options) {
        // http-client offers no CA option; like its own ignoreSslError, the TLS settings go on the
        // agent, which is what both the direct agent and the CONNECT tunnel agent read.
        const agent = options.agent as { options?: Record<string, unknown> } | undefined;
        if (agent && (secureContext || config.insecureSkipTlsVerify)) {
          agent.options = {
            ...agent.options,
            ...(secureContext ? { secureContext } : {}),
            ...(config.insecureSkipTlsVerify ? { rejectUnauthorized: false } : {}),
          };
        }
        if (agent) watchAttempt(agent, progress, target.protocol === 'https:', deadline.signal);
        (options as { signal?: AbortSignal }).signal = deadline.signal;
      },
      canHandleAuthentication: () => false,
      handleAuthentication: () => Promise.reject(new Error('not supported')),
    };
    const client = new HttpClient(config.userAgent, [handler], {
      allowRedirects: false,
      allowRetries: false,
      keepAlive: false,
      socketTimeout: timeoutMs,
    });
    try {
      const response = await client.request(
        request.method,
        request.url,
        request.body ?? null,
        (request.headers ?? {}) as OutgoingHttpHeaders,
      );
      const message = response.message;
      const status = message.statusCode ?? 0;
      if (status >= 300 && status < 400) {
        message.destroy();
        throw refusedRedirect(request.url, status, message.headers.location);
      }
      const declared = Number(message.headers['content-length'] ?? Number.NaN);
      if (declared > maxBytes) {
        message.destroy();
        throw tooLarge(request, maxBytes);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of message as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > maxBytes) {
          message.destroy();
          throw tooLarge(request, maxBytes);
        }
        chunks.push(chunk);
      }
      return responseOf(status, message.headers, Buffer.concat(chunks));
    } catch (error) {
      if (error instanceof NetworkError) throw error;
      throw explainNetworkError(
        error,
        request.url,
        deadline.signal.aborted ? timeoutMs : undefined,
        config.untrustedCertificateHint,
        progress,
      );
    } finally {
      clearTimeout(timer);
      client.dispose();
    }
  };
}

/**
 * How far one attempt got. The request is written only once its socket is `connected` (TCP, plus
 * TLS for https, through the proxy's tunnel when there is one), so a failure in any earlier stage
 * sent nothing to the service.
 */
export interface AttemptProgress {
  /**
   * `connecting`: TCP to the first hop (the proxy, or the host); `tunnelling`: connected to the
   * proxy, its answer to CONNECT awaited; `handshake`: TLS with the host under way.
   */
  stage: 'connecting' | 'tunnelling' | 'handshake' | 'connected';
  /** The proxy this attempt went through, when the environment names one for the URL. */
  proxy?: ProxyRoute;
  /** The proxy's answer to CONNECT, when it was not 200. */
  proxyAnswer?: { status: number; statusText: string; authenticate?: string };
  /** Why the CONNECT request itself failed (the tunnel library replaces it with a generic reset). */
  proxyError?: unknown;
}

export interface ProxyRoute {
  /** `host:port`; never the credentials. */
  address: string;
  /** Where it came from: `HTTPS_PROXY`, `https_proxy`, `HTTP_PROXY` or `http_proxy`. */
  variable: string;
  protocol: string;
  hasCredentials: boolean;
}

/** The proxy http-client will use for this URL, described without its credentials. */
function proxyRoute(url: URL): ProxyRoute | undefined {
  const proxy = getProxyUrl(url);
  if (!proxy?.hostname) return undefined;
  // The order http-client reads them in (lib/proxy.ts): the lower-case name wins.
  const lowerCase = url.protocol === 'https:' ? 'https_proxy' : 'http_proxy';
  return {
    address: `${proxy.hostname}:${proxy.port || (proxy.protocol === 'https:' ? '443' : '80')}`,
    variable: process.env[lowerCase] ? lowerCase : lowerCase.toUpperCase(),
    protocol: proxy.protocol,
    hasCredentials: proxy.username !== '' || proxy.password !== '',
  };
}

type AddRequest = (request: ClientRequest, ...rest: unknown[]) => void;

/**
 * Follows one attempt through its sockets, on the agent http-client made for it alone (keepAlive
 * is off, so nothing is shared): the request's socket (TCP `connect`, TLS `secureConnect`), and,
 * through a proxy, the CONNECT request the tunnel agent sends first. The tunnel agent keeps that
 * request to itself and reports every failure of it as "ECONNRESET", so it is watched where it is
 * made (`agent.request`), and ended with the attempt's deadline, which it would otherwise outlive.
 */
function watchAttempt(agent: object, progress: AttemptProgress, tls: boolean, deadline: AbortSignal): void {
  const watched = agent as {
    addRequest: AddRequest;
    request?: (options: { headers?: Record<string, string> }) => ClientRequest;
    proxyOptions?: { proxyAuth?: string };
  };
  const openTunnel = watched.request;
  if (progress.proxy && openTunnel) {
    const proxyAuthorization = takeProxyAuthorization(watched.proxyOptions);
    watched.request = (options) => {
      if (proxyAuthorization)
        options.headers = { ...options.headers, 'Proxy-Authorization': proxyAuthorization };
      const connect = openTunnel(options);
      connect.once('socket', (socket: Socket) => {
        afterConnect(socket, () => {
          progress.stage = 'tunnelling';
        });
      });
      connect.once('connect', (answer: IncomingMessage, _socket: Socket, head: Buffer) => {
        if (answer.statusCode === 200 && head.length === 0) {
          progress.stage = tls ? 'handshake' : 'connected';
        } else if (answer.statusCode !== 200) {
          const authenticate = answer.headers['proxy-authenticate'];
          progress.proxyAnswer = {
            status: answer.statusCode ?? 0,
            statusText: answer.statusMessage ?? '',
            ...(authenticate ? { authenticate: String(authenticate) } : {}),
          };
        }
      });
      connect.once('error', (error: Error) => {
        progress.proxyError = error;
      });
      deadline.addEventListener('abort', () => connect.destroy(), { once: true });
      return connect;
    };
  }
  const addRequest = watched.addRequest;
  watched.addRequest = function (this: unknown, request, ...rest) {
    request.once('socket', (socket: Socket) => {
      if (socket instanceof TLSSocket) {
        afterConnect(socket, () => {
          progress.stage = 'handshake';
        });
        socket.once('secureConnect', () => {
          progress.stage = 'connected';
        });
      } else {
        afterConnect(socket, () => {
          progress.stage = 'connected';
        });
      }
    });
    addRequest.call(this, request, ...rest);
  };
}

/**
 * The tunnel agent encodes the proxy's `user:password` with the deprecated `new Buffer()`, and
 * from a bundle Node cannot tell that call is a dependency's: every run with proxy credentials
 * would print a DeprecationWarning. So the CONNECT's Proxy-Authorization header is made here, and
 * since the transport now holds the credentials as text, they are masked first.
 */
function takeProxyAuthorization(proxyOptions: { proxyAuth?: string } | undefined): string | undefined {
  const pair = proxyOptions?.proxyAuth;
  if (!proxyOptions || !pair) return undefined;
  delete proxyOptions.proxyAuth;
  // Basic credentials: the user name cannot hold a colon (RFC 7617), the password can.
  const colon = pair.indexOf(':');
  const password = pair.slice(colon + 1);
  if (password.trim() !== '') maskBasicAuth(pair.slice(0, colon), password);
  return `Basic ${Buffer.from(pair).toString('base64')}`;
}

/** Runs `then` once the socket's TCP connection is up (at once for a tunnel's, which already is). */
function afterConnect(socket: Socket, then: () => void): void {
  if (socket.connecting) socket.once('connect', then);
  else then();
}

function tooLarge(request: HttpRequest, maxBytes: number): NetworkError {
  return new NetworkError(
    `${hostOf(request.url)} sent an answer larger than ${Math.round(maxBytes / 1024)} kB; it was not read`,
    {
      retryable: false,
      code: 'RESPONSE_TOO_LARGE',
    },
  );
}

function refusedRedirect(url: string, status: number, location: string | undefined): NetworkError {
  let target = 'another location';
  if (location && URL.canParse(location, url)) {
    const next = new URL(location, url);
    target = `${next.protocol}//${next.host}${next.pathname}`;
  }
  return new NetworkError(
    `${hostOf(url)} answered HTTP ${status} redirecting to ${target}; requests that carry credentials never follow redirects, so point the endpoint at the final URL`,
    { retryable: false, code: 'REDIRECT' },
  );
}

function hostOf(url: string): string {
  return new URL(url).host;
}

const RETRYABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
]);

const UNTRUSTED_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
]);

/** Failures that can only happen before a connection exists: nothing was sent. */
const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Turns a socket/TLS/abort error into one NetworkError that says what happened and where, and in
 * which phase. `progress` is how far the attempt got; without it, only failures that cannot happen
 * once connected (refused, DNS, TLS) count as `connect`, and a timeout is the cautious "did not
 * answer".
 */
export function explainNetworkError(
  error: unknown,
  url: string,
  timedOutAfterMs: number | undefined,
  untrustedHint?: string,
  progress?: AttemptProgress,
): NetworkError {
  const target = new URL(url);
  const proxy = progress?.proxy;
  if (progress && proxy && (progress.stage === 'connecting' || progress.stage === 'tunnelling')) {
    return explainProxyFailure(error, target, proxy, progress, timedOutAfterMs);
  }
  // Past the proxy, the tunnel is a pipe: what fails is the host, but the user should know the way.
  const host = proxy ? `${target.host} (through proxy ${proxy.address} from ${proxy.variable})` : target.host;
  const connectPhase = progress ? progress.stage !== 'connected' : undefined;
  const phaseOf = (inherentlyConnect: boolean): 'connect' | 'exchange' =>
    (connectPhase ?? inherentlyConnect) ? 'connect' : 'exchange';

  if (timedOutAfterMs !== undefined) {
    const seconds = timedOutAfterMs / 1000;
    const stalled =
      progress?.stage === 'connecting'
        ? 'did not accept a connection'
        : progress?.stage === 'handshake'
          ? 'did not complete the TLS handshake'
          : 'did not answer';
    return new NetworkError(`${host} ${stalled} within ${seconds} s`, {
      retryable: true,
      code: 'TIMEOUT',
      cause: error,
      phase: phaseOf(false),
      ...(progress?.stage === 'handshake' ? { tls: 'handshake' as const } : {}),
    });
  }
  const err = error as {
    code?: string;
    message?: string;
    reason?: string;
    cert?: { subjectaltname?: string; subject?: { CN?: string } };
  };
  const code = err.code ?? '';
  if (UNTRUSTED_CODES.has(code)) {
    const hint = untrustedHint ? `; ${untrustedHint}` : '';
    return new NetworkError(
      `TLS: the certificate of ${host} is not signed by a trusted authority (${code})${hint}`,
      { retryable: false, code, cause: error, tls: 'certificate', phase: phaseOf(true) },
    );
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    // The names come from the server's certificate: network text.
    const names = printable(
      err.cert?.subjectaltname ?? (err.cert?.subject?.CN ? `CN=${err.cert.subject.CN}` : 'unknown names'),
      300,
    );
    return new NetworkError(
      `TLS: the certificate of ${host} is for ${names}, not for ${target.hostname}; use a URL with one of those names`,
      { retryable: false, code, cause: error, tls: 'certificate', phase: phaseOf(true) },
    );
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return new NetworkError(`TLS: the certificate of ${host} is not valid now (${code})`, {
      retryable: false,
      code,
      cause: error,
      tls: 'certificate',
      phase: phaseOf(true),
    });
  }
  if (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || /ssl|tls/i.test(err.message ?? '')) {
    return new NetworkError(`TLS handshake with ${host} failed (${code || err.message})`, {
      retryable: true,
      code,
      cause: error,
      tls: 'handshake',
      phase: phaseOf(true),
    });
  }
  if (code === 'ENOTFOUND') {
    return new NetworkError(`${host} could not be resolved (DNS)`, {
      retryable: false,
      code,
      cause: error,
      phase: phaseOf(true),
    });
  }
  return new NetworkError(`${host} ${describeSocketFailure(err)}`, {
    retryable: isRetryableSocketFailure(err),
    code,
    cause: error,
    phase: phaseOf(CONNECT_CODES.has(code)),
  });
}

/** "refused the connection (ECONNREFUSED)", "reset the connection (ECONNRESET)", or the message. */
function describeSocketFailure(err: { code?: string; message?: string }): string {
  const code = err.code ?? '';
  const description =
    code === 'ECONNREFUSED'
      ? 'refused the connection'
      : code === 'ECONNRESET'
        ? 'reset the connection'
        : `failed: ${err.message ?? String(err)}`;
  return `${description}${code && !description.includes(code) ? ` (${code})` : ''}`;
}

function isRetryableSocketFailure(err: { code?: string; message?: string }): boolean {
  return (
    RETRYABLE_CODES.has(err.code ?? '') || /socket hang up|Request timeout|aborted/i.test(err.message ?? '')
  );
}

/**
 * A failure before the proxy opened the tunnel: the proxy's, and named as such. The service was
 * never contacted. A 407 is final: a corporate proxy locks the account after repeated bad
 * credentials, and the next attempt would send the same ones.
 */
function explainProxyFailure(
  error: unknown,
  target: URL,
  proxy: ProxyRoute,
  progress: AttemptProgress,
  timedOutAfterMs: number | undefined,
): NetworkError {
  const name = `Proxy ${proxy.address} (from ${proxy.variable})`;
  const destination = `${target.hostname}:${target.port || (target.protocol === 'https:' ? '443' : '80')}`;
  if (timedOutAfterMs !== undefined) {
    const stalled =
      progress.stage === 'connecting'
        ? 'did not accept a connection'
        : `did not open a tunnel to ${destination}`;
    return new NetworkError(`${name} ${stalled} within ${timedOutAfterMs / 1000} s`, {
      retryable: true,
      code: 'TIMEOUT',
      cause: error,
      phase: 'connect',
    });
  }
  const answer = progress.proxyAnswer;
  if (answer?.status === 407) {
    const asked = answer.authenticate ? ` (it asks for ${printable(answer.authenticate, 200)})` : '';
    const problem = proxy.hasCredentials
      ? `refused the credentials in ${proxy.variable}${asked}`
      : `requires credentials${asked}, and ${proxy.variable} has none`;
    return new NetworkError(
      `${name} answered the CONNECT for ${destination} with HTTP 407: it ${problem}. Not retried: repeated bad credentials can lock a proxy account. Put the proxy's user name and password in ${proxy.variable}, URL-encoded: ${proxy.protocol}//user:password@${proxy.address}; or, if ${target.hostname} is reachable without the proxy, add it to NO_PROXY`,
      { retryable: false, code: 'PROXY_AUTHENTICATION_REQUIRED', cause: error, phase: 'connect' },
    );
  }
  if (answer) {
    const statusText = answer.statusText ? ` ${printable(answer.statusText, 100)}` : '';
    const forbidden =
      answer.status === 403
        ? `; the proxy does not allow ${destination}: ask its administrators, or add ${target.hostname} to NO_PROXY if it is reachable without the proxy`
        : '';
    return new NetworkError(
      `${name} refused to open a tunnel to ${destination}: HTTP ${answer.status}${statusText}${forbidden}`,
      {
        retryable: answer.status === 429 || answer.status >= 500,
        code: `PROXY_HTTP_${answer.status}`,
        cause: error,
        phase: 'connect',
      },
    );
  }
  const cause = (progress.proxyError ?? error) as { code?: string; message?: string };
  if (cause.code === 'ENOTFOUND') {
    return new NetworkError(`${name} could not be resolved (DNS)`, {
      retryable: false,
      code: cause.code,
      cause: error,
      phase: 'connect',
    });
  }
  const where =
    progress.stage === 'tunnelling' && cause.code !== 'ECONNREFUSED'
      ? ` while opening a tunnel to ${destination}`
      : '';
  return new NetworkError(`${name} ${describeSocketFailure(cause)}${where}`, {
    retryable: isRetryableSocketFailure(cause),
    code: cause.code ?? '',
    cause: error,
    phase: 'connect',
  });
}
