// Workflow commands (`::error::…`, `::add-mask::…`) written exactly as @actions/core writes them
// (its command.ts: `::name::`, the message with `%`, CR and LF escaped, os.EOL, on stdout), without
// loading @actions/core: it imports @actions/http-client, and through it node:http/https/tls, for
// OIDC alone. A run that fails on its inputs would pay for all of that just to print
// one line (bench/README.md). Outputs, exported variables, state and the summary still go through
// @actions/core only (results.ts): they need its random heredoc delimiters.
import { EOL } from 'node:os';

export type CommandName = 'error' | 'warning' | 'notice' | 'debug' | 'add-mask';

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

/** `core.notice` without annotation properties. */
export function notice(message: string): void {
  issueCommand('notice', message);
}

/** `core.debug`: shown only with step debug on. */
export function debug(message: string): void {
  issueCommand('debug', message);
}

/** Where an action's log lines go; tests pass a recorder instead. */
export interface Logger {
  info(message: string): void;
  warning(message: string): void;
  notice(message: string): void;
  debug(message: string): void;
  isDebug(): boolean;
}

/** The runner's log, through workflow commands. */
export const runnerLogger: Logger = { info, warning, notice, debug, isDebug };

/** Whether step debug is on, read as `core.isDebug()` reads it. */
export function isDebug(): boolean {
  return process.env['RUNNER_DEBUG'] === '1';
}

/** `core.setFailed`: one `::error::` line and exit code 1, without ending the process. */
export function setFailed(message: string): void {
  process.exitCode = 1;
  issueCommand('error', message);
}
