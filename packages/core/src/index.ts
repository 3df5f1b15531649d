export { bodySnippet, isObject, type JsonResult, parseJson, stringField } from './body.ts';
export { type Clock, systemClock } from './clock.ts';
export { debug, info, isDebug, type Logger, notice, runnerLogger, warning } from './commands.ts';
export { type Deps, type Exec, type IdTokenSource, runnerDeps } from './deps.ts';
export {
  ConfigError,
  describeServiceFailure,
  NetworkError,
  ServiceError,
  type ServiceFailure,
  sentence,
  ToolError,
} from './errors.ts';
export {
  baseUrl,
  boolean,
  commonInputs,
  type Environment,
  type InputDefinition,
  type InputSchema,
  type InputValues,
  inputVariable,
  integer,
  LazySchema,
  lazy,
  list,
  oneOf,
  optional,
  parseInputs,
  pattern,
  plainHttpWarning,
  rawInput,
  required,
  SECRETS_HINT,
  SECRETS_NOT_PASSED,
  SHORT_SECRET_LENGTH,
  text,
} from './inputs.ts';
export { type Publication, publish, type SummaryContent, writeSummary } from './results.ts';
export {
  type Backoff,
  backoffDelay,
  DEFAULT_BACKOFF,
  defaultRetryPolicy,
  type Outcome,
  parseRetryAfter,
  RETRYABLE_STATUSES,
  type RetryDecision,
  type RetryPolicy,
  type SendOptions,
  send,
} from './retry.ts';
export { failureMessage, runMain, runPost } from './run.ts';
export {
  type MaskFunction,
  maskBasicAuth,
  maskBearer,
  maskSecret,
  maskValue,
  setMaskFunction,
} from './secrets.ts';
export { skipIfNoCredentials } from './skip.ts';
export { oneLine, printable } from './text.ts';
export {
  type AttemptOptions,
  createHttpTransport,
  DEFAULT_MAX_RESPONSE_BYTES,
  explainNetworkError,
  type HttpRequest,
  type HttpResponse,
  proxyFor,
  responseOf,
  type Transport,
  type TransportConfig,
} from './transport.ts';
export { SUITE_NAME, SUITE_VERSION, userAgent } from './version.ts';
