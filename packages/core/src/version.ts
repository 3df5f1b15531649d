/** The suite's name and version, as sent in every User-Agent (a test keeps it equal to package.json). */
export const SUITE_NAME = 'cloudcreds-actions';
export const SUITE_VERSION = '1.0.0';

export function userAgent(action: string): string {
  return `${SUITE_NAME}/${SUITE_VERSION} (${action}; node/${process.versions.node})`;
}
