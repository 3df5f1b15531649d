// IAM5 refusals carry `encoded_authorization_message` (docs/specs/swr.md §10): a long, opaque blob that says
// which policy denied what. It never goes into the `::error::` line (it would drown the cause);
// the error says it exists, and the flow prints it only when step debug is on, with the STS API
// that decodes it.
import {
  type HttpResponse,
  isObject,
  parseJson,
  printable,
  ServiceError,
  type ServiceFailure,
  sentence,
  stringField,
} from '@cloudcreds/core';

/** A refusal whose answer explained itself in an encoded_authorization_message. */
export class RefusalWithAuthorizationMessage extends ServiceError {
  /** As received; print it only through `authorizationMessageDebugLine`. */
  readonly encodedAuthorizationMessage: string;

  constructor(failure: ServiceFailure, encodedAuthorizationMessage: string) {
    super(failure);
    this.encodedAuthorizationMessage = encodedAuthorizationMessage;
  }
}

export function encodedAuthorizationMessageOf(response: HttpResponse): string | undefined {
  const parsed = parseJson(response);
  if (!parsed.ok || !isObject(parsed.value)) return undefined;
  const message = stringField(parsed.value, 'encoded_authorization_message');
  return message?.trim() ? message : undefined;
}

/** The failure as an error; when the answer carried the message, the hint says so and the error keeps it. */
export function withAuthorizationMessage(failure: ServiceFailure, response: HttpResponse): ServiceError {
  const message = encodedAuthorizationMessageOf(response);
  if (message === undefined) return new ServiceError(failure);
  const note =
    'The answer carries an encoded_authorization_message naming the policy that decided: re-run with step ' +
    'debug logging to see it, and decode it with STS decode-authorization-message (DecodeAuthorizationMessage)';
  const hint = failure.hint ? `${sentence(failure.hint)} ${note}` : note;
  return new RefusalWithAuthorizationMessage({ ...failure, hint }, message);
}

/** The debug line for an error that carries the message, or undefined for any other error. */
export function authorizationMessageDebugLine(error: unknown): string | undefined {
  if (!(error instanceof RefusalWithAuthorizationMessage)) return undefined;
  return (
    'encoded_authorization_message (decode it with STS decode-authorization-message): ' +
    printable(error.encodedAuthorizationMessage, 20_000)
  );
}
