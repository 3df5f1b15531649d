// Everything an action's work touches outside its own memory, in one bag with one shape for all
// three actions: tests build their own (a recording exec, a clock that does not sleep, a logger
// that remembers) instead of mocking modules. This module loads the HTTP stack, so only the
// heavy half of an action imports it (packages/core/README.md, "Light and heavy halves").
import type { ExecOptions, ExecOutput } from '@actions/exec';
import { type Clock, systemClock } from './clock.ts';
import { type Logger, runnerLogger } from './commands.ts';
import type { Environment } from './inputs.ts';
import { createHttpTransport, type Transport, type TransportConfig } from './transport.ts';

/** `@actions/exec`'s getExecOutput: runs a tool, never through a shell. */
export type Exec = (tool: string, args: string[], options: ExecOptions) => Promise<ExecOutput>;

/** A GitHub OIDC ID token for an audience (`core.getIDToken`). */
export type IdTokenSource = (audience: string | undefined) => Promise<string>;

export interface Deps {
  /** The step's environment: what tools run with, and where DOCKER_CONFIG, RUNNER_TEMP and the like come from. */
  env: Environment;
  /** Where relative paths in inputs are resolved (the step's working directory). */
  workingDirectory: string;
  transport: Transport;
  clock: Clock;
  exec: Exec;
  logger: Logger;
  getIdToken: IdTokenSource;
}

// @actions/exec and the OIDC half of @actions/core load only when an action really runs a tool or
// asks for an ID token; webpackMode "eager" keeps them in the one bundle file and defers evaluation.
const exec: Exec = async (tool, args, options) => {
  const { getExecOutput } = await import(/* webpackMode: "eager" */ '@actions/exec');
  return getExecOutput(tool, args, options);
};

const getIdToken: IdTokenSource = async (audience) => {
  const { getIDToken } = await import(/* webpackMode: "eager" */ '@actions/core');
  return getIDToken(audience);
};

/** The real thing: the runner's environment, HTTP with `transport` settings, the system clock. */
export function runnerDeps(transport: TransportConfig, env: Environment = process.env): Deps {
  return {
    env,
    workingDirectory: process.cwd(),
    transport: createHttpTransport(transport),
    clock: systemClock,
    exec,
    logger: runnerLogger,
    getIdToken,
  };
}
