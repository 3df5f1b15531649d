// The one wrapper around every entry point: whatever goes wrong becomes exactly one
// `::error::` line; the stack appears only with step debug on.
import * as core from '@actions/core';
import { ConfigError, NetworkError, oneLine, ServiceError } from './errors.ts';

export function failureMessage(error: unknown): string {
  if (error instanceof ConfigError || error instanceof ServiceError || error instanceof NetworkError) {
    return oneLine(error.message);
  }
  const message = error instanceof Error ? error.message : String(error);
  return oneLine(`Unexpected failure: ${message}`);
}

/** Runs a main step; a failure sets the step failed with one line. */
export async function runMain(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    core.setFailed(failureMessage(error));
    if (core.isDebug() && error instanceof Error && error.stack) core.debug(error.stack);
  }
}

/** Runs a post (cleanup) step: a failure is a warning, never a failed job. */
export async function runPost(post: () => Promise<void>): Promise<void> {
  try {
    await post();
  } catch (error) {
    core.warning(failureMessage(error));
    if (core.isDebug() && error instanceof Error && error.stack) core.debug(error.stack);
  }
}
