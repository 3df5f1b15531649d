// `npm run release` in a clean clone, as a maintainer runs it: each per-action tree must be a
// complete action repository (action.yml at its root pointing inside the tree, the bundles, a
// README whose uses: lines name that repository, CHANGELOG, SECURITY.md, LICENSE); its bundles
// must run from there, main and post, with no node_modules anywhere above them; and the
// publish.sh it writes must push, release vX.Y.Z and move the plain vX tag — here against local
// bare repositories and a gh that only records what it was asked.
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { readActionMetadata, requireTools, runAction, runPostAfter } from '@cloudcreds/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseNotes } from '../scripts/distribution/changelog.ts';
import { generatedDifferences } from '../scripts/distribution/fresh-build.ts';
import { rewriteLinks, rewriteOrg } from '../scripts/distribution/tree.ts';
import {
  type EmulatorStack,
  SWR_REGION,
  startEmulatorStack,
  UCLOUD_REGION,
  UCLOUD_ZONE,
} from '../scripts/emulator-stack.ts';
import { cleanClone, git } from './clean-clone.ts';

const ORG = 'example-org';
const { skip: noDocker } = requireTools(['docker', 'docker-registry', 'htpasswd']);
/** The machine's PATH without any node_modules/.bin: `npm run` must bring the project's Node itself. */
const plainPath = (process.env['PATH'] ?? '')
  .split(':')
  .filter((dir) => !dir.includes('node_modules'))
  .join(':');

let clone = '';
let out = '';
let actions: string[] = [];
let release: SpawnSyncReturns<string> | undefined;

function runRelease(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync('npm', ['run', '--silent', 'release', '--', ...args], {
    cwd: clone,
    encoding: 'utf8',
    env: { ...process.env, PATH: plainPath },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

beforeAll(() => {
  clone = cleanClone();
  out = mkdtempSync(join(tmpdir(), 'release-out-'));
  actions = readdirSync(join(clone, 'actions'))
    .filter((name) => existsSync(join(clone, 'actions', name, 'action.yml')))
    .sort();
  release = spawnSync('npm', ['run', '--silent', 'release', '--', '--org', ORG, '--out', out], {
    cwd: clone,
    encoding: 'utf8',
    env: { ...process.env, PATH: plainPath },
  });
}, 300_000);

afterAll(() => {
  for (const dir of [clone, out]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('npm run release in a clean clone', () => {
  it("runs with the project's own Node and names each tree", () => {
    expect(release?.stderr).toBe('');
    expect(release?.status).toBe(0);
    for (const action of actions)
      expect(release?.stdout).toContain(`${ORG}/${action} v1.0.0: ${join(out, action)}`);
    expect(existsSync(join(out, 'publish.sh'))).toBe(true);
  });

  it('writes trees where no node_modules lies above them (as in their own repositories)', () => {
    for (let dir = out; dir !== dirname(dir); dir = dirname(dir)) {
      expect(existsSync(join(dir, 'node_modules')), dir).toBe(false);
    }
  });
});

describe.each(['swr-login', 'cse-token', 'ucloud-authconfig'])('the tree of %s', (action) => {
  const tree = (): string => join(out, action);
  const read = (file: string): string => readFileSync(join(tree(), file), 'utf8');

  it('holds action.yml with entries inside the tree, the bundles, and the documents', () => {
    for (const file of [
      'action.yml',
      'README.md',
      'CHANGELOG.md',
      'SECURITY.md',
      'LICENSE',
      'dist/main.mjs',
    ]) {
      expect(existsSync(join(tree(), file)), file).toBe(true);
    }
    const source = readActionMetadata(join(clone, 'actions', action));
    const released = readActionMetadata(tree());
    expect(released.inputs).toEqual(source.inputs);
    expect(released.outputs).toEqual(source.outputs);
    expect(released.runs.main).toBe('dist/main.mjs');
    if (source.runs.post) expect(released.runs.post).toBe('dist/post.mjs');
    for (const file of readdirSync(join(clone, 'dist', action))) {
      expect(
        readFileSync(join(tree(), 'dist', file)).equals(readFileSync(join(clone, 'dist', action, file))),
        file,
      ).toBe(true);
    }
    expect(read('LICENSE')).toBe(readFileSync(join(clone, 'LICENSE'), 'utf8'));
    expect(read('SECURITY.md')).toBe(
      rewriteOrg(readFileSync(join(clone, 'SECURITY.md'), 'utf8'), 'SECURITY.md', ORG),
    );
  });

  it(`shows one uses: form, ${ORG}/<name>@v1, and no placeholder`, () => {
    const uses = [...read('README.md').matchAll(/^\s*(?:- )?uses:\s*(\S+)/gm)].map((match) => match[1] ?? '');
    const ours = uses.filter((target) => actions.includes(target.split('@')[0]?.split('/').pop() ?? ''));
    expect(ours.length).toBeGreaterThan(0);
    for (const target of ours) expect(target).toBe(`${ORG}/${action}@v1`);
    for (const file of ['README.md', 'CHANGELOG.md', 'SECURITY.md'])
      expect(read(file), file).not.toContain('<org>');
  });

  it("carries the action's own CHANGELOG", () => {
    const source = readFileSync(join(clone, 'actions', action, 'CHANGELOG.md'), 'utf8');
    expect(read('CHANGELOG.md')).toBe(rewriteOrg(source, 'CHANGELOG.md', ORG));
    expect(releaseNotes(read('CHANGELOG.md'), '1.0.0')).toBeTruthy();
  });

  it('links only to files inside the tree, or to the sources at the release tag', () => {
    for (const file of ['README.md', 'CHANGELOG.md', 'SECURITY.md']) {
      const links = [...read(file).matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1] ?? '');
      for (const link of links.filter(
        (target) => !/^[a-z][a-z\d+.-]*:/i.test(target) && !target.startsWith('#'),
      )) {
        const path = posix.normalize(link.split('#')[0] ?? '');
        expect(path.startsWith('..'), `${file} → ${link}`).toBe(false);
        expect(existsSync(join(tree(), path)), `${file} → ${link}`).toBe(true);
      }
      for (const link of links.filter((target) => target.startsWith('https://github.com/'))) {
        if (link.includes('/blob/')) expect(link, `${file} → ${link}`).toMatch(/\/blob\/v1\.0\.0\//);
      }
    }
  });
});

describe('each tree runs as its own repository, main then post, against the emulators', () => {
  let stack: EmulatorStack;
  beforeAll(async () => {
    stack = await startEmulatorStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function mainThenPost(action: string, inputs: Record<string, string>, secrets: () => string[]) {
    const main = await runAction({
      action: join(out, action),
      inputs,
      secrets: secrets(),
      killAfterMs: 60_000,
    });
    expect(main.errors, `${action} main`).toEqual([]);
    expect(main.exitCode, `${action} main`).toBe(0);
    const post = readActionMetadata(join(out, action)).runs.post
      ? await runPostAfter(main, {
          action: join(out, action),
          inputs,
          secrets: secrets(),
          killAfterMs: 60_000,
        })
      : undefined;
    if (post) {
      expect(post.errors, `${action} post`).toEqual([]);
      expect(post.exitCode, `${action} post`).toBe(0);
    }
    return { main, post };
  }

  it.skipIf(noDocker)('swr-login logs docker in, and its post step out again', async () => {
    const { swr, registry } = stack;
    if (!registry) throw new Error(`no local registry: ${stack.missingForLogin.join(', ')} missing`);
    const configDir = mkdtempSync(join(tmpdir(), 'release-docker-config-'));
    const { main, post } = await mainThenPost(
      'swr-login',
      {
        region: SWR_REGION,
        endpoint: swr.url,
        'access-key-id': swr.accessKeyId,
        'access-key-secret': swr.secretAccessKey,
        'docker-config-dir': configDir,
        timeout: '10',
      },
      () => stack.secrets().swr,
    );
    expect(main.outputs['registry']).toBe(registry.host);
    expect(post).toBeDefined();
    const auths = (JSON.parse(readFileSync(join(configDir, 'config.json'), 'utf8')) as { auths?: object })
      .auths;
    rmSync(configDir, { recursive: true, force: true });
    expect(auths ?? {}).toEqual({});
  });

  it('cse-token hands over a token from the engine', async () => {
    const { serviceCenter, caFile } = stack;
    const { main } = await mainThenPost(
      'cse-token',
      {
        endpoint: serviceCenter.url,
        username: serviceCenter.username,
        password: serviceCenter.password,
        'ca-cert': caFile,
        timeout: '10',
      },
      () => stack.secrets().serviceCenter,
    );
    expect(main.outputs['account']).toBe(serviceCenter.username);
    expect(main.exported['CSE_TOKEN']).toBe(main.outputs['token']);
  });

  it('ucloud-authconfig fetches the key of a domain', async () => {
    const { ucloud } = stack;
    const domain = ucloud.domains[0] ?? '';
    const { main } = await mainThenPost(
      'ucloud-authconfig',
      {
        'base-url': ucloud.url,
        'public-key': ucloud.publicKey,
        'private-key': ucloud.privateKey,
        region: UCLOUD_REGION,
        zone: UCLOUD_ZONE,
        domain,
        type: 'pkey',
        timeout: '10',
      },
      () => stack.secrets().ucloud,
    );
    expect(main.outputs['domains']).toBe(domain);
    expect(main.outputs['key']).toBeTruthy();
  });
});

describe('publish.sh, against local bare repositories', () => {
  const remotes = mkdtempSync(join(tmpdir(), 'release-remotes-'));
  const fakeBin = mkdtempSync(join(tmpdir(), 'release-fake-gh-'));
  const ghLog = join(fakeBin, 'calls');
  const bare = (name: string): string => join(remotes, ORG, `${name}.git`);
  let published: SpawnSyncReturns<string> | undefined;

  beforeAll(() => {
    for (const name of ['cloudcreds-actions', ...actions]) {
      mkdirSync(bare(name), { recursive: true });
      git(bare(name), ['init', '-q', '--bare', '-b', 'main']);
    }
    // swr-login already had a release: the new one must continue its history and move its v1.
    const earlier = mkdtempSync(join(tmpdir(), 'release-earlier-'));
    git(earlier, ['init', '-q', '-b', 'main']);
    writeFileSync(join(earlier, 'action.yml'), 'name: an earlier release\n');
    git(earlier, ['add', '-A']);
    git(earlier, ['commit', '-q', '-m', 'swr-login v0.9.0']);
    git(earlier, ['tag', 'v0']);
    git(earlier, ['push', '-q', bare('swr-login'), 'main', 'v0']);
    git(bare('swr-login'), ['tag', 'v1', 'main']);
    rmSync(earlier, { recursive: true, force: true });

    writeFileSync(join(fakeBin, 'gh'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${ghLog}'\n`);
    chmodSync(join(fakeBin, 'gh'), 0o755);
    published = spawnSync('bash', [join(out, 'publish.sh')], {
      encoding: 'utf8',
      env: {
        ...process.env,
        PATH: `${fakeBin}:${process.env['PATH'] ?? ''}`,
        // Every https://github.com/ URL in the script leads to the local bare repositories.
        GIT_CONFIG_COUNT: '3',
        GIT_CONFIG_KEY_0: `url.file://${remotes}/.insteadOf`,
        GIT_CONFIG_VALUE_0: 'https://github.com/',
        GIT_CONFIG_KEY_1: 'commit.gpgsign',
        GIT_CONFIG_VALUE_1: 'false',
        GIT_CONFIG_KEY_2: 'tag.gpgsign',
        GIT_CONFIG_VALUE_2: 'false',
        GIT_AUTHOR_NAME: 'Release Test',
        GIT_AUTHOR_EMAIL: 'release-test@example.invalid',
        GIT_COMMITTER_NAME: 'Release Test',
        GIT_COMMITTER_EMAIL: 'release-test@example.invalid',
      },
    });
  }, 120_000);

  afterAll(() => {
    for (const dir of [remotes, fakeBin]) rmSync(dir, { recursive: true, force: true });
  });

  it('runs to the end', () => {
    expect(published?.stderr).toBe('');
    expect(published?.status).toBe(0);
  });

  it('tags the sources v1.0.0 with a release, and moves no tag there', () => {
    expect(git(bare('cloudcreds-actions'), ['rev-parse', 'v1.0.0^{commit}']).trim()).toBe(
      git(clone, ['rev-parse', 'HEAD']).trim(),
    );
    expect(git(bare('cloudcreds-actions'), ['tag']).trim()).toBe('v1.0.0');
  });

  it.each(['swr-login', 'cse-token', 'ucloud-authconfig'])(
    '%s: main is the tree, v1.0.0 an annotated tag, v1 a plain tag on the same commit',
    (action) => {
      const repo = bare(action);
      expect(git(repo, ['ls-tree', '-r', '--name-only', 'main']).split('\n')).toEqual(
        expect.arrayContaining([
          'action.yml',
          'README.md',
          'CHANGELOG.md',
          'SECURITY.md',
          'LICENSE',
          'dist/main.mjs',
        ]),
      );
      expect(git(repo, ['log', '-1', '--format=%s', 'main']).trim()).toBe(`${action} v1.0.0`);
      expect(git(repo, ['cat-file', '-t', 'v1.0.0']).trim()).toBe('tag');
      expect(git(repo, ['cat-file', '-t', 'v1']).trim()).toBe('commit');
      expect(git(repo, ['rev-parse', 'v1']).trim()).toBe(git(repo, ['rev-parse', 'v1.0.0^{commit}']).trim());
      expect(git(repo, ['rev-parse', 'main']).trim()).toBe(git(repo, ['rev-parse', 'v1']).trim());
    },
  );

  it("continues a repository's history, and moves its v1 off the earlier release", () => {
    expect(git(bare('swr-login'), ['log', '--format=%s', 'main']).trim().split('\n')).toEqual([
      'swr-login v1.0.0',
      'swr-login v0.9.0',
    ]);
    expect(git(bare('swr-login'), ['rev-parse', 'v0']).trim()).not.toBe(
      git(bare('swr-login'), ['rev-parse', 'v1']).trim(),
    );
  });

  it('creates each release with gh, from its own CHANGELOG section', () => {
    const calls = readFileSync(ghLog, 'utf8').trim().split('\n');
    expect(calls[0]).toBe('auth setup-git');
    for (const name of ['cloudcreds-actions', ...actions]) {
      const notes = join(out, 'notes', `${name}.md`);
      expect(calls).toContain(
        `release create v1.0.0 --repo ${ORG}/${name} --verify-tag --title v1.0.0 --notes-file ${notes}`,
      );
      const changelog = name === 'cloudcreds-actions' ? 'CHANGELOG.md' : `actions/${name}/CHANGELOG.md`;
      const section = releaseNotes(readFileSync(join(clone, changelog), 'utf8'), '1.0.0') ?? '';
      expect(readFileSync(notes, 'utf8')).toBe(`${section.replaceAll('<org>/', `${ORG}/`)}\n`);
    }
  });
});

describe('npm run release refuses', () => {
  it('uncommitted changes, naming them', () => {
    writeFileSync(join(clone, 'stray.txt'), 'not committed\n');
    try {
      const run = runRelease(['--org', ORG, '--out', join(out, 'refused')]);
      expect(run.status).toBe(1);
      expect(run.stderr.trim().split('\n')).toEqual([
        'release: uncommitted changes (?? stray.txt): a release is built from a commit, so commit them first',
      ]);
    } finally {
      rmSync(join(clone, 'stray.txt'));
    }
  });

  it("a version that is not package.json's", () => {
    const run = runRelease(['--org', ORG, '--version', '1.0.1']);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^release: --version 1\.0\.1 is not package\.json's 1\.0\.0: bump/);
  });

  it('a missing --org, an unknown option, in one line each (exit 2)', () => {
    for (const [args, message] of [
      [[], 'release: --org <org> is required (see --help)'],
      [['--org', 'not/an/owner'], "release: --org 'not/an/owner' is not a GitHub owner name (see --help)"],
      [['--org', ORG, '--bogus'], "release: Unknown option '--bogus' (see --help)"],
    ] as const) {
      const run = runRelease([...args]);
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stderr.trim().split('\n'), args.join(' ')).toEqual([message]);
    }
  });

  it('nothing for --help: it prints the usage, no stack trace', () => {
    const run = runRelease(['--help']);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^Usage: npm run release -- --org <org>/);
    expect(run.stdout).not.toMatch(/\bat .+:\d+:\d+\)?$/m);
  });
});

describe('release helpers', () => {
  const target = { action: 'swr-login', org: 'o', repo: 'mono', version: '1.2.3' };

  it.each([
    ['[docs](../../README.md#security)', '[docs](https://github.com/o/mono/blob/v1.2.3/README.md#security)'],
    ['[yml](action.yml)', '[yml](action.yml)'],
    ['[self](./README.md#inputs)', '[self](README.md#inputs)'],
    ['[licence](../../LICENSE)', '[licence](LICENSE)'],
    ['[policy](../../SECURITY.md)', '[policy](SECURITY.md)'],
    ['[changes](CHANGELOG.md#100)', '[changes](CHANGELOG.md#100)'],
    ['[src](src/main.ts)', '[src](https://github.com/o/mono/blob/v1.2.3/actions/swr-login/src/main.ts)'],
    ['[peer](../cse-token)', '[peer](https://github.com/o/mono/blob/v1.2.3/actions/cse-token)'],
    ['[ext](https://example.com/a)', '[ext](https://example.com/a)'],
    ['[anchor](#outputs)', '[anchor](#outputs)'],
    ['[ref]: ../../CHANGELOG.md', '[ref]: https://github.com/o/mono/blob/v1.2.3/CHANGELOG.md'],
  ])('rewrites the README link %s for the tree', (link, expected) => {
    expect(rewriteLinks(link, 'actions/swr-login/README.md', target)).toBe(expected);
  });

  it('rewrites links of a root document by its own place', () => {
    expect(rewriteLinks('[readme](README.md#permissions)', 'SECURITY.md', target)).toBe(
      '[readme](https://github.com/o/mono/blob/v1.2.3/README.md#permissions)',
    );
  });

  it('makes the placeholder org real, and refuses any other use of it', () => {
    expect(rewriteOrg('uses: <org>/swr-login@v1', 'README.md', 'acme')).toBe('uses: acme/swr-login@v1');
    expect(() => rewriteOrg('a\nrun with --org <org>', 'README.md', 'acme')).toThrow(
      'README.md:2 uses <org> other than as <org>/<name>',
    );
  });

  it('finds the notes of one version only', () => {
    const changelog = '# Changelog\n\n## [Unreleased]\n\n## [1.1.0]\n\n- b\n\n## [1.0.0]\n\n- a\n';
    expect(releaseNotes(changelog, '1.1.0')).toBe('- b');
    expect(releaseNotes(changelog, '1.0.0')).toBe('- a');
    expect(releaseNotes(changelog, '2.0.0')).toBeUndefined();
  });

  it('names every generated file a fresh build would change, add or drop', () => {
    const committed = mkdtempSync(join(tmpdir(), 'release-committed-'));
    const fresh = mkdtempSync(join(tmpdir(), 'release-fresh-'));
    const put = (root: string, file: string, text: string): void => {
      mkdirSync(dirname(join(root, file)), { recursive: true });
      writeFileSync(join(root, file), text);
    };
    put(committed, 'dist/a/main.mjs', 'same');
    put(fresh, 'dist/a/main.mjs', 'same');
    put(committed, 'dist/a/post.mjs', 'old');
    put(fresh, 'dist/a/post.mjs', 'new');
    put(committed, 'dist/b/main.mjs', 'stale');
    put(fresh, 'dist/c/main.mjs', 'new action');
    put(committed, 'action.yml', 'name: a');
    put(fresh, 'action.yml', 'name: b');
    expect(generatedDifferences(committed, fresh)).toEqual([
      'action.yml (differs)',
      'dist/a/post.mjs (differs)',
      'dist/b/main.mjs (not produced by a fresh build)',
      'dist/c/main.mjs (missing)',
    ]);
    expect(generatedDifferences(committed, committed)).toEqual([]);
    for (const dir of [committed, fresh]) rmSync(dir, { recursive: true, force: true });
  });
});
