// Workflow commands (`::error::…`, `::add-mask::…`) written exactly as @actions/core writes them
// (its command.ts: `::name::`, the message with `%`, CR and LF escaped, os.EOL, on stdout), without
// loading @actions/core: it imports @actions/http-client, and through it node:http/https/tls, for
// OIDC alone. A run that fails on its inputs would pay ~115 M instructions for that just to print
// one line (bench/README.md). Outputs, exported variables, state and the summary still go through
// @actions/core only (results.ts): they need its random heredoc delimiters.
import { EOL } from 'node:os';

export type CommandName = 'error' | 'warning' | 'debug' | 'add-mask';

/** @actions/core's escaping of a command's data: no message can end the command line early. */
export function escapeData(message: string): string {
  return message.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function issueCommand(name: CommandName, message: string): void {
  process.stdout.write(`::${name}::${escapeData(message)}${EOL}`);
}

/** `core.info`: a plain log line. */
export function info(message: string): void {
  process.stdout.write(`${message}${EOL}`);
}

/** `core.warning` without annotation properties. */
export function warning(message: string): void {
  issueCommand('warning', message);
}

/** Whether step debug is on, read as `core.isDebug()` reads it. */
export function isDebug(): boolean {
  return process.env['RUNNER_DEBUG'] === '1';
}

/** `core.setFailed`: one `::error::` line and exit code 1, without ending the process. */
export function setFailed(message: string): void {
  process.exitCode = 1;
  issueCommand('error', message);
}
