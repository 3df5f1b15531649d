// docker login/logout through an injected exec (@actions/exec in the action, a recorder in tests).
// The password travels on stdin only: argv is visible to every process on the machine.
import type { ExecOutput } from '@actions/exec';
import { type Environment, type Exec, oneLine, printable, ToolError } from '@cloudcreds/core';

export interface DockerContext {
  exec: Exec;
  /** The environment docker runs with (the step's own). */
  env: Environment;
  /** DOCKER_CONFIG for docker; undefined = docker's default (~/.docker), whatever the env says. */
  configDir: string | undefined;
}

export async function dockerLogin(
  context: DockerContext,
  login: { registry: string; username: string; password: string },
): Promise<void> {
  const result = await runDocker(
    context,
    ['login', '--username', login.username, '--password-stdin', login.registry],
    Buffer.from(login.password, 'utf8'),
  );
  if (result.exitCode !== 0) {
    throw new ToolError(
      'docker',
      result.exitCode,
      `docker login to ${printable(login.registry, 300)} failed (exit code ${result.exitCode}): ${lastLine(result.stderr)}`,
    );
  }
}

export async function dockerLogout(context: DockerContext, registry: string): Promise<void> {
  const result = await runDocker(context, ['logout', registry]);
  if (result.exitCode !== 0) {
    throw new ToolError(
      'docker',
      result.exitCode,
      `docker logout from ${printable(registry, 300)} failed (exit code ${result.exitCode}): ${lastLine(result.stderr)}`,
    );
  }
}

async function runDocker(context: DockerContext, args: string[], input?: Buffer): Promise<ExecOutput> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(context.env)) {
    if (value !== undefined && name !== 'DOCKER_CONFIG') env[name] = value;
  }
  if (context.configDir !== undefined) env['DOCKER_CONFIG'] = context.configDir;
  try {
    // silent: no `[command]docker …` echo and no docker chatter in the log; stderr is read below.
    return await context.exec('docker', args, {
      env,
      silent: true,
      ignoreReturnCode: true,
      ...(input ? { input } : {}),
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ToolError(
      'docker',
      undefined,
      `Could not run the docker CLI (${printable(oneLine(reason), 200)}): install docker on the runner, or set 'login' to false to only get the outputs`,
    );
  }
}

/**
 * The last informative stderr line, made printable (it repeats what the registry answered):
 * docker prints notices (unencrypted store, endpoint fallbacks) before the cause.
 */
function lastLine(stderr: string): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  return printable(lines.at(-1) ?? 'no message', 300);
}
