// One HTTP exchange over @actions/http-client (which brings HTTPS_PROXY/NO_PROXY and CONNECT
// tunnelling), with what it lacks: a deadline per attempt, a response size cap, extra CA trust,
// and no redirects — a credential-bearing request must never be replayed to another host.

import type { OutgoingHttpHeaders } from 'node:http';
import { createSecureContext, type SecureContext } from 'node:tls';
import { HttpClient } from '@actions/http-client';
import type { RequestHandler } from '@actions/http-client/lib/interfaces';
import { getProxyUrl } from '@actions/http-client/lib/proxy';
import { NetworkError } from './errors.ts';

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
 * (`[...getCACertificates('default'), pem]`) re-parses ~140 certificates for every context: +1 MiB
 * peak RSS and ~45 M instructions in cse-token's run (bench/README.md). `addCACert` on a default
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
      );
    } finally {
      clearTimeout(timer);
      client.dispose();
    }
  };
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

/** Turns a socket/TLS/abort error into one NetworkError that says what happened and where. */
export function explainNetworkError(
  error: unknown,
  url: string,
  timedOutAfterMs: number | undefined,
  untrustedHint?: string,
): NetworkError {
  const host = hostOf(url);
  if (timedOutAfterMs !== undefined) {
    return new NetworkError(`${host} did not answer within ${timedOutAfterMs / 1000} s`, {
      retryable: true,
      code: 'TIMEOUT',
      cause: error,
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
      { retryable: false, code, cause: error, tls: 'certificate' },
    );
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const names =
      err.cert?.subjectaltname ?? (err.cert?.subject?.CN ? `CN=${err.cert.subject.CN}` : 'unknown names');
    return new NetworkError(
      `TLS: the certificate of ${host} is for ${names}, not for ${new URL(url).hostname}; use a URL with one of those names`,
      { retryable: false, code, cause: error, tls: 'certificate' },
    );
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return new NetworkError(`TLS: the certificate of ${host} is not valid now (${code})`, {
      retryable: false,
      code,
      cause: error,
      tls: 'certificate',
    });
  }
  if (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || /ssl|tls/i.test(err.message ?? '')) {
    return new NetworkError(`TLS handshake with ${host} failed (${code || err.message})`, {
      retryable: true,
      code,
      cause: error,
      tls: 'handshake',
    });
  }
  if (code === 'ENOTFOUND') {
    return new NetworkError(`${host} could not be resolved (DNS)`, { retryable: false, code, cause: error });
  }
  const description =
    code === 'ECONNREFUSED'
      ? 'refused the connection'
      : code === 'ECONNRESET'
        ? 'reset the connection'
        : `failed: ${err.message ?? String(error)}`;
  const retryable =
    RETRYABLE_CODES.has(code) || /socket hang up|Request timeout|aborted/i.test(err.message ?? '');
  return new NetworkError(
    `${host} ${description}${code && !description.includes(code) ? ` (${code})` : ''}`,
    { retryable, code, cause: error },
  );
}
