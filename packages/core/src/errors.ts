// Every failure that reaches the user is one of these, and becomes exactly one `::error::` line in
// run.ts. Service failures are rendered here, from their fields, so all three actions speak with
// one voice: who answered, where, the HTTP status, the service's code and message, the request id,
// then what to do. Callers pass facts, never sentence fragments.
import { oneLine, printable } from './text.ts';

/** The workflow's inputs are wrong or incomplete; nothing was sent. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface ServiceFailure {
  /** Who answered, as a noun: "SWR", "IAM", "service-center", "UCloud", "GitHub's OIDC token endpoint". */
  service: string;
  /** Where: the host (and port) that answered. */
  host?: string;
  status?: number;
  /** The service's own error code, verbatim. */
  code?: string;
  /** What the code is called when it is not an "error code" (UCloud: "RetCode"). */
  codeLabel?: string;
  /** The service's own message, verbatim (quoted and made printable when rendered). */
  message?: string;
  /**
   * What was wrong with an answer the service did not mark as a failure, as a clause:
   * "the body is not valid JSON", "it carries no token".
   */
  problem?: string;
  requestId?: string;
  /** What the user should do about it: one or more whole sentences. */
  hint?: string;
}

/** The service answered, and the answer was a failure. */
export class ServiceError extends Error {
  override name = 'ServiceError';
  readonly failure: ServiceFailure;

  constructor(failure: ServiceFailure) {
    super(describeServiceFailure(failure));
    this.failure = failure;
  }
}

/** No usable answer: refused, reset, timed out, TLS, redirect, oversized, proxy. */
export class NetworkError extends Error {
  override name = 'NetworkError';
  /** Whether another attempt could succeed (refused/reset/timeout yes; certificate errors no). */
  readonly retryable: boolean;
  readonly code: string | undefined;
  /**
   * A TLS failure, which always comes before the request is written: `certificate` (verification,
   * the same on every attempt) or `handshake` (the connection broke while negotiating).
   */
  readonly tls: 'certificate' | 'handshake' | undefined;
  /**
   * `connect`: the failure came before any byte of the request could leave (DNS, refused, no
   * connection within the deadline, TLS, the proxy's CONNECT), so the service saw nothing — a
   * login there cannot have counted against an account. `exchange` (the default, the cautious
   * answer): the request may have reached the service.
   */
  readonly phase: 'connect' | 'exchange';

  constructor(
    message: string,
    options: {
      retryable: boolean;
      code?: string;
      cause?: unknown;
      tls?: 'certificate' | 'handshake';
      phase?: 'connect' | 'exchange';
    },
  ) {
    super(message, { cause: options.cause });
    this.retryable = options.retryable;
    this.code = options.code;
    this.tls = options.tls;
    this.phase = options.phase ?? 'exchange';
  }
}

/** A tool the action runs (docker) exited with a failure. */
export class ToolError extends Error {
  override name = 'ToolError';
  readonly tool: string;
  readonly exitCode: number | undefined;

  /** `message` is the whole sentence; tool output in it must already be made printable. */
  constructor(tool: string, exitCode: number | undefined, message: string) {
    super(sentence(message));
    this.tool = tool;
    this.exitCode = exitCode;
  }
}

/**
 * `SWR (swr-api.cn-north-4.myhuaweicloud.com) answered HTTP 401 with error code APIGW.0301:
 * "Incorrect IAM authentication information" (request id 5b9c…). Check the access key.`
 */
export function describeServiceFailure(failure: ServiceFailure): string {
  let text = `${failure.service}${failure.host ? ` (${printable(failure.host, 200)})` : ''} answered`;
  if (failure.status !== undefined) text += ` HTTP ${failure.status}`;
  if (failure.code !== undefined && failure.code !== '') {
    text += ` with ${failure.codeLabel ?? 'error code'} ${printable(failure.code, 100)}`;
  }
  if (failure.message !== undefined && failure.message.trim() !== '') {
    text += `: "${printable(failure.message, 400)}"`;
  }
  if (failure.requestId) text += ` (request id ${printable(failure.requestId, 100)})`;
  if (failure.problem) text += `, but ${failure.problem}`;
  text = sentence(text);
  if (failure.hint) text += ` ${sentence(failure.hint)}`;
  return oneLine(text);
}

/** Ends the text with exactly one full stop, unless it already ends with `?`, `!` or `…`. */
export function sentence(text: string): string {
  const trimmed = text
    .trim()
    .replace(/[\s;,:]+$/, '')
    .replace(/\.+$/, '');
  if (trimmed === '' || /[?!…]$/.test(trimmed)) return trimmed;
  return `${trimmed}.`;
}
