// The repository's own workflows: least privilege, third-party actions pinned by commit, the
// README's commands in CI, and a self-test job that really works — its steps are run here, the
// way the runner would run them, against scripts/serve-emulators.ts.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  findLeaks,
  NO_LEAKS,
  parseFileCommands,
  type RunResult,
  readActionMetadata,
  repoRoot,
  requireTools,
  runAction,
  runPostAfter,
} from '@cloudcreds/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string | number | boolean>;
  env?: Record<string, string>;
}
interface Job {
  'runs-on': string;
  permissions?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  permissions?: Record<string, string> | string;
  jobs: Record<string, Job>;
}

const workflowDir = join(repoRoot, '.github/workflows');
const workflowFiles = readdirSync(workflowDir).filter((file) => /\.ya?ml$/.test(file));
const workflows = new Map(
  workflowFiles.map((file) => [file, parse(readFileSync(join(workflowDir, file), 'utf8')) as Workflow]),
);
const ci = workflows.get('ci.yml') as Workflow;
const allSteps = [...workflows.values()].flatMap((workflow) =>
  Object.values(workflow.jobs).flatMap((job) => job.steps),
);

/** `./actions/<name>` → `<name>`, `./` → `.` (the root action), as readActionMetadata names them. */
function localAction(uses: string): string | undefined {
  if (uses === './' || uses === '.') return '.';
  return /^\.\/actions\/([a-z-]+)$/.exec(uses)?.[1];
}

describe('repository workflows', () => {
  it('parse, and include ci.yml', () => {
    expect(workflowFiles).toContain('ci.yml');
  });

  it.each(workflowFiles)('%s grants only contents: read, at the top and in every job', (file) => {
    const workflow = workflows.get(file) as Workflow;
    expect(workflow.permissions).toEqual({ contents: 'read' });
    for (const [name, job] of Object.entries(workflow.jobs)) {
      for (const level of Object.values(job.permissions ?? {}))
        expect(level, `${file} ${name}`).not.toBe('write');
    }
  });

  it('pins every third-party action to a full commit SHA', () => {
    const remote = allSteps
      .map((step) => step.uses)
      .filter((uses): uses is string => !!uses && !uses.startsWith('./'));
    expect(remote.length).toBeGreaterThan(0);
    for (const uses of remote) expect(uses).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
  });

  it('never lets checkout keep the token in .git/config', () => {
    for (const step of allSteps.filter((s) => s.uses?.startsWith('actions/checkout@'))) {
      expect(step.with?.['persist-credentials']).toBe(false);
    }
  });

  it('runs every job on ubuntu-latest with the Node of .node-version (24)', () => {
    expect(readFileSync(join(repoRoot, '.node-version'), 'utf8').trim()).toMatch(/^24\./);
    for (const job of Object.values(ci.jobs)) {
      expect(job['runs-on']).toBe('ubuntu-latest');
      const setup = job.steps.find((step) => step.uses?.startsWith('actions/setup-node@'));
      expect(setup?.with?.['node-version-file']).toBe('.node-version');
    }
  });

  it("runs the README's two commands in the test job", () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8').split('\n');
    const commands = readme.slice(1, 3).map((line) => line.replace(/\s+#.*$/, '').trim());
    expect(commands).toEqual(['bash scripts/install.sh', 'npm test']);
    const runs = (ci.jobs['test']?.steps ?? []).map((step) => step.run?.trim());
    for (const command of commands) expect(runs).toContain(command);
  });

  it('checks that the committed dist/ matches a fresh build, new files included', () => {
    const script = (ci.jobs['check-dist']?.steps ?? []).map((step) => step.run ?? '').join('\n');
    expect(script).toContain('rm -rf dist && npm run build');
    expect(script).toContain('git status --porcelain -- dist action.yml');
  });

  it('self-test runs every action (and the root action) with inputs that exist in its action.yml', () => {
    const actionNames = readdirSync(join(repoRoot, 'actions')).filter((name) =>
      existsSync(join(repoRoot, 'actions', name, 'action.yml')),
    );
    const used = (ci.jobs['self-test']?.steps ?? []).filter((step) => step.uses && localAction(step.uses));
    expect(used.map((step) => localAction(step.uses ?? '')).sort()).toEqual(['.', ...actionNames].sort());
    for (const step of used) {
      const inputs = readActionMetadata(localAction(step.uses ?? '') ?? '').inputs;
      for (const name of Object.keys(step.with ?? {}))
        expect(inputs, `${step.uses} with ${name}`).toHaveProperty(name);
    }
  });

  it('has Dependabot for npm and github-actions', () => {
    const dependabot = parse(readFileSync(join(repoRoot, '.github/dependabot.yml'), 'utf8')) as {
      updates: Array<{ 'package-ecosystem': string }>;
    };
    expect(dependabot.updates.map((update) => update['package-ecosystem']).sort()).toEqual([
      'github-actions',
      'npm',
    ]);
  });
});

// ---- The self-test job, run locally -----------------------------------------------------------

const { skip: skipJob } = requireTools(['docker', 'docker-registry', 'htpasswd', 'jq', 'curl']);

describe.skipIf(skipJob)('the self-test job, run step by step as the runner would', () => {
  const steps = ci.jobs['self-test']?.steps ?? [];
  const serveIndex = steps.findIndex((step) => step.run?.includes('scripts/serve-emulators.ts'));
  const runnerTemp = mkdtempSync(join(tmpdir(), 'self-test-runner-temp-'));
  const jobEnv: Record<string, string> = {};
  const outputs: Record<string, Record<string, string>> = {};
  const mains: Array<{ action: string; result: RunResult }> = [];
  const log: string[] = [];
  let serverPid = 0;

  afterAll(() => {
    if (serverPid > 0) process.kill(serverPid, 'SIGTERM');
  });

  /** The expressions this job uses: env.*, runner.temp, steps.<id>.outputs.*. Anything else fails. */
  function evaluate(text: string): string {
    return text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expression: string) => {
      if (expression === 'runner.temp') return runnerTemp;
      const env = /^env\.(\w+)$/.exec(expression);
      if (env?.[1]) return jobEnv[env[1]] ?? '';
      const output = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(expression);
      if (output?.[1] && output[2]) return outputs[output[1]]?.[output[2]] ?? '';
      throw new Error(`this test does not evaluate \${{ ${expression} }}`);
    });
  }

  async function runScript(step: Step): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const envFile = join(mkdtempSync(join(runnerTemp, 'step-')), 'env');
    writeFileSync(envFile, '');
    const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, evaluate(v)]));
    const child = spawn(
      'bash',
      ['--noprofile', '--norc', '-eo', 'pipefail', '-c', evaluate(step.run ?? '')],
      {
        cwd: repoRoot,
        env: { ...process.env, ...jobEnv, ...stepEnv, RUNNER_TEMP: runnerTemp, GITHUB_ENV: envFile },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    // The background server inherits no pipe of ours (its output goes to a file), so 'exit' is enough.
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    Object.assign(jobEnv, parseFileCommands(readFileSync(envFile, 'utf8')));
    return { code, stdout, stderr };
  }

  beforeAll(async () => {
    const serve = steps[serveIndex];
    if (!serve) throw new Error('the self-test job has no step running scripts/serve-emulators.ts');
    const result = await runScript(serve);
    const ready = join(runnerTemp, 'emulators.ready');
    if (existsSync(ready)) serverPid = Number(readFileSync(ready, 'utf8').trim());
    expect(result.code, result.stdout + result.stderr).toBe(0);
    log.push(result.stdout);
  }, 60_000);

  it('the server step exports every variable the job reads, and masks the secrets among them', () => {
    const read = new Set(
      [...JSON.stringify(steps).matchAll(/env\.(\w+)|\$(\w+_EMULATOR_\w+|EMULATOR_\w+)/g)].map(
        (m) => m[1] ?? m[2],
      ),
    );
    expect(read.size).toBeGreaterThan(5);
    for (const name of read) expect(jobEnv, name).toHaveProperty(name as string);
    const masks = log.join('\n').match(/^::add-mask::.*$/gm) ?? [];
    for (const name of ['SWR_EMULATOR_SK', 'CSE_EMULATOR_PASSWORD', 'UCLOUD_EMULATOR_PRIVATE_KEY']) {
      expect(masks, name).toContain(`::add-mask::${jobEnv[name]}`);
    }
  });

  it('every later step succeeds; the post steps then leave no docker login behind', async () => {
    const secrets = ['SWR_EMULATOR_SK', 'CSE_EMULATOR_PASSWORD', 'UCLOUD_EMULATOR_PRIVATE_KEY'].map(
      (name) => jobEnv[name] ?? '',
    );
    for (const step of steps.slice(serveIndex + 1)) {
      const label = step.name ?? step.id ?? step.uses ?? step.run ?? '';
      const action = step.uses ? localAction(step.uses) : undefined;
      if (action) {
        const inputs = Object.fromEntries(
          Object.entries(step.with ?? {}).map(([name, value]) => [name, evaluate(String(value))]),
        );
        const result = await runAction({ action, inputs, env: jobEnv, secrets, killAfterMs: 30_000 });
        expect(result.errors, label).toEqual([]);
        expect(result.exitCode, label).toBe(0);
        expect(findLeaks(result, secrets), label).toEqual(NO_LEAKS);
        Object.assign(jobEnv, result.exported);
        if (step.id) outputs[step.id] = result.outputs;
        mains.push({ action, result });
      } else {
        const result = await runScript(step);
        expect(result.code, `${label}\n${result.stdout}${result.stderr}`).toBe(0);
      }
    }
    // Post steps run at job end, last registered first (runner.md §5).
    for (const { action, result } of mains.reverse()) {
      if (!readActionMetadata(action).runs.post) continue;
      const post = await runPostAfter(result, { action, env: jobEnv, secrets, killAfterMs: 30_000 });
      expect(post.exitCode, action).toBe(0);
      expect(post.errors, action).toEqual([]);
    }
    const config = JSON.parse(readFileSync(join(runnerTemp, 'docker-config', 'config.json'), 'utf8')) as {
      auths?: Record<string, unknown>;
    };
    expect(config.auths ?? {}).toEqual({});
  }, 120_000);
});
