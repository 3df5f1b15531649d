// A test that expects a service to refuse wants the ServiceError itself, to assert on its status,
// code and line; any other outcome is the test's failure.
import { ServiceError } from '@cloudcreds/core';

/** The ServiceError `promise` rejects with. */
export async function rejectedServiceError(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ServiceError) return error;
    throw error;
  }
  throw new Error('expected a ServiceError');
}

/** The ServiceError `run` throws. */
export function thrownServiceError(run: () => unknown): ServiceError {
  try {
    run();
  } catch (error) {
    if (error instanceof ServiceError) return error;
    throw error;
  }
  throw new Error('expected a ServiceError');
}
