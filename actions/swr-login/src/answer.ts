// Who answered, and how: the facts every Huawei Cloud failure line starts with (core's
// ServiceError renders them). Huawei's API gateway names each request in X-Request-Id.
import type { HttpResponse, ServiceFailure } from '@cloudcreds/core';

export function answerOf(service: string, response: HttpResponse, host: string | undefined): ServiceFailure {
  const requestId = response.header('x-request-id');
  return {
    service,
    ...(host ? { host } : {}),
    status: response.status,
    ...(requestId ? { requestId } : {}),
  };
}
