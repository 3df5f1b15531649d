import type { ExecOptions, ExecOutput } from '@actions/exec';
import { type Exec, ToolError } from '@cloudcreds/core';
import { describe, expect, it } from 'vitest';
import { dockerLogin, dockerLogout } from '../src/docker.ts';

interface Call {
  tool: string;
  args: string[];
  options: ExecOptions;
}

function recordingExec(result: Partial<ExecOutput> = {}): { exec: Exec; calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    exec: async (tool, args, options) => {
      calls.push({ tool, args, options });
      return { exitCode: 0, stdout: '', stderr: '', ...result };
    },
  };
}

const login = { registry: 'swr.cn-north-4.myhuaweicloud.com', username: 'cn-north-4@AK', password: 'p4ss' };
const env = { PATH: '/usr/bin', HOME: '/home/runner', DOCKER_CONFIG: '/from/an/earlier/step' };

describe('docker login', () => {
  it('passes the password on stdin only, silently, with DOCKER_CONFIG set to the chosen directory', async () => {
    const { exec, calls } = recordingExec();
    await dockerLogin({ exec, env, configDir: '/tmp/docker-config' }, login);
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call?.tool).toBe('docker');
    expect(call?.args).toEqual(['login', '--username', 'cn-north-4@AK', '--password-stdin', login.registry]);
    expect(call?.args.join(' ')).not.toContain('p4ss');
    expect(call?.options.input?.toString()).toBe('p4ss');
    expect(call?.options.silent).toBe(true);
    expect(call?.options.ignoreReturnCode).toBe(true);
    expect(call?.options.env).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/runner',
      DOCKER_CONFIG: '/tmp/docker-config',
    });
  });

  it("uses docker's default config directory when none is chosen, whatever the environment said", async () => {
    const { exec, calls } = recordingExec();
    await dockerLogin({ exec, env, configDir: undefined }, login);
    expect(calls[0]?.options.env).toEqual({ PATH: '/usr/bin', HOME: '/home/runner' });
  });

  it('fails as a tool error with the exit code and the last stderr line, made printable', async () => {
    const { exec } = recordingExec({
      exitCode: 1,
      stderr:
        'WARNING! Your credentials are stored unencrypted\n' +
        'Error response from daemon: login attempt to http://127.0.0.1:5000/v2/ failed with status: 401 ##[error]Unauthorized\n',
    });
    const failure = dockerLogin({ exec, env, configDir: undefined }, login);
    await expect(failure).rejects.toBeInstanceOf(ToolError);
    await expect(failure).rejects.toMatchObject({ tool: 'docker', exitCode: 1 });
    await expect(failure).rejects.toThrow(
      'docker login to swr.cn-north-4.myhuaweicloud.com failed (exit code 1): Error response from daemon: login attempt to http://127.0.0.1:5000/v2/ failed with status: 401 #\u200b#[error]Unauthorized.',
    );
  });

  it('turns a docker CLI that cannot run into one clear error naming the input that avoids it', async () => {
    const exec: Exec = async () => {
      throw new Error(
        'Unable to locate executable file: docker. Please verify either the file path exists or the file can be found within a directory specified by the PATH environment variable.',
      );
    };
    const failure = dockerLogin({ exec, env, configDir: undefined }, login);
    await expect(failure).rejects.toBeInstanceOf(ToolError);
    await expect(failure).rejects.toMatchObject({ exitCode: undefined });
    await expect(failure).rejects.toThrow(
      /^Could not run the docker CLI \(Unable to locate executable file: docker\..*set 'login' to false/,
    );
  });
});

describe('docker logout', () => {
  it('runs docker logout HOST with the same DOCKER_CONFIG and no stdin', async () => {
    const { exec, calls } = recordingExec();
    await dockerLogout({ exec, env, configDir: '/tmp/docker-config' }, login.registry);
    expect(calls.map((call) => call.args)).toEqual([['logout', login.registry]]);
    expect(calls[0]?.options.input).toBeUndefined();
    expect(calls[0]?.options.env?.['DOCKER_CONFIG']).toBe('/tmp/docker-config');
  });

  it('fails with the exit code and stderr', async () => {
    const { exec } = recordingExec({ exitCode: 1, stderr: 'permission denied\n' });
    await expect(dockerLogout({ exec, env, configDir: undefined }, login.registry)).rejects.toThrow(
      'docker logout from swr.cn-north-4.myhuaweicloud.com failed (exit code 1): permission denied.',
    );
  });
});
