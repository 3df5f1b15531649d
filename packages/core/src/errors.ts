// Two kinds of failure reach the user: a configuration problem (fix your inputs) and a remote
// failure (the service or the network said no). Both become exactly one `::error::` line in run.ts.

/** The workflow's inputs are wrong or incomplete; nothing was sent. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface ServiceFailure {
  /** Human name of the service, e.g. "SWR", "service-center", "UCloud". */
  service: string;
  status?: number;
  code?: string;
  message?: string;
  requestId?: string;
  /** What the user should do about it. */
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

/** No usable answer: refused, reset, timed out, TLS, redirect, oversized. */
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

  constructor(
    message: string,
    options: { retryable: boolean; code?: string; cause?: unknown; tls?: 'certificate' | 'handshake' },
  ) {
    super(message, { cause: options.cause });
    this.retryable = options.retryable;
    this.code = options.code;
    this.tls = options.tls;
  }
}

export function describeServiceFailure(failure: ServiceFailure): string {
  const parts = [`${failure.service} answered`];
  if (failure.status !== undefined) parts.push(`HTTP ${failure.status}`);
  let text = parts.join(' ');
  const detail = [failure.code, failure.message]
    .filter((part) => part !== undefined && part !== '')
    .join(': ');
  if (detail) text += ` ${detail}`;
  if (failure.requestId) text += ` (request id ${failure.requestId})`;
  if (failure.hint) text += `. ${failure.hint}`;
  return oneLine(text);
}

/** Folds any text onto one line and bounds its length, so one failure is one log line. */
export function oneLine(text: string, maxLength = 1000): string {
  const folded = text
    .replace(/[\r\n\t\u0000-\u001f\u007f]+/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
  return folded.length > maxLength ? `${folded.slice(0, maxLength - 1)}…` : folded;
}
