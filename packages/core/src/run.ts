// The one wrapper around every entry point: whatever goes wrong becomes exactly one
// `::error::` line; the stack appears only with step debug on. It writes the commands itself
// (commands.ts), so that a run failing on its inputs never loads @actions/core.
import { isDebug, issueCommand, setFailed, warning } from './commands.ts';
import { ConfigError, NetworkError, ServiceError, sentence, ToolError } from './errors.ts';
import { oneLine } from './text.ts';

export function failureMessage(error: unknown): string {
  if (
    error instanceof ConfigError ||
    error instanceof ServiceError ||
    error instanceof NetworkError ||
    error instanceof ToolError
  ) {
    return sentence(oneLine(error.message));
  }
  const message = error instanceof Error ? error.message : String(error);
  return sentence(oneLine(`Unexpected failure: ${message}`));
}

/** Runs a main step; a failure sets the step failed with one line. */
export async function runMain(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    setFailed(failureMessage(error));
    if (isDebug() && error instanceof Error && error.stack) issueCommand('debug', error.stack);
  }
}

/** Runs a post (cleanup) step: a failure is a warning, never a failed job. */
export async function runPost(post: () => Promise<void>): Promise<void> {
  try {
    await post();
  } catch (error) {
    warning(failureMessage(error));
    if (isDebug() && error instanceof Error && error.stack) issueCommand('debug', error.stack);
  }
}
