// The error-voice test's unit: one failure template, rendered as runMain renders it.
import { failureMessage } from '@cloudcreds/core';

export interface ErrorLine {
  template: string;
  line: string;
}

/** The line `fail` ends with; a template whose code does not fail is itself an error. */
export async function rendered(template: string, fail: () => unknown): Promise<ErrorLine> {
  try {
    await fail();
  } catch (error) {
    return { template, line: failureMessage(error) };
  }
  throw new Error(`${template}: the code did not fail`);
}
