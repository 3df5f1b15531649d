export { bodySnippet, isObject, type JsonResult, parseJson, stringField } from './body.ts';
export { type Clock, systemClock } from './clock.ts';
export { info, warning } from './commands.ts';
export {
  ConfigError,
  describeServiceFailure,
  NetworkError,
  oneLine,
  ServiceError,
  type ServiceFailure,
} from './errors.ts';
export {
  baseUrl,
  boolean,
  commonInputs,
  type Environment,
  type InputDefinition,
  type InputValues,
  inputVariable,
  integer,
  list,
  optional,
  pattern,
  rawInput,
  readInputs,
  required,
  text,
} from './inputs.ts';
export { type Publication, publish, type SummaryContent, warnIfPlainHttp, writeSummary } from './results.ts';
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
export { type MaskFunction, maskBasicAuth, maskBearer, maskSecret, setMaskFunction } from './secrets.ts';
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
