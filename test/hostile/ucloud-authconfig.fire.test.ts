// ucloud-authconfig under fire (issue 15), on the built bundle with step debug off and on:
// - a job cancelled while the output file's temporary sibling exists (SIGINT, then SIGTERM, as the
//   runner cancels; or SIGKILL), then the post step: no temporary file survives. The moment is held
//   open by ucloud-authconfig.freeze.ts, which stops the process just before the rename;
// - domains differing only in case are one domain, asked for once;
// - an all-domains answer over the response cap fails telling the user to narrow it with `domain`;
// - a 2,500-domain answer registers each distinct secret once: one `::add-mask::` line per value.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  manyAuthConfigs,
  paramsOf,
  startUcloudEmulator,
  type UcloudEmulator,
  type UcloudEmulatorOptions,
} from '@cloudcreds/emulators/ucloud';
import {
  createWorkspace,
  findLeaks,
  NO_LEAKS,
  type RunOptions,
  type RunResult,
  runAction,
  runPostAfter,
} from '@cloudcreds/harness';
import { describe, expect, it } from 'vitest';
import { mebibytes, record, recordRun, seconds } from './report.ts';

const ACTION = 'ucloud-authconfig';
const DEBUG_MODES = [false, true];

interface Fire {
  emulator: UcloudEmulator;
  run(inputs?: Record<string, string>, options?: Partial<RunOptions>): Promise<RunResult>;
  close(): Promise<void>;
}

async function underFire(options: UcloudEmulatorOptions, debug: boolean): Promise<Fire> {
  const emulator = await startUcloudEmulator(options);
  return {
    emulator,
    run: (inputs = {}, runOptions = {}) =>
      runAction({
        action: ACTION,
        inputs: {
          'public-key': emulator.publicKey,
          'private-key': emulator.privateKey,
          region: 'cn-bj2',
          zone: 'cn-bj2-04',
          'base-url': emulator.url,
          timeout: '10',
          'max-attempts': '2',
          ...inputs,
        },
        secrets: [emulator.privateKey],
        debug,
        killAfterMs: 60_000,
        ...runOptions,
      }),
    close: () => emulator.close(),
  };
}

/** Nothing secret visible after masking, none in state, none in an error line. */
function expectNoLeaks(result: RunResult, emulator: UcloudEmulator): void {
  const secrets = [emulator.privateKey, ...emulator.secrets];
  expect(findLeaks(result, secrets)).toEqual(NO_LEAKS);
  expect(result.errors.join('\n')).not.toContain(emulator.privateKey);
}

const suffix = (debug: boolean): string => (debug ? ' (debug)' : '');

const FREEZE = fileURLToPath(new URL('ucloud-authconfig.freeze.ts', import.meta.url));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Resolves once the process has stopped itself before the rename: its pid is in the marker, and
 * /proc says it is stopped (`T`). From outside, that is the moment a cancel is dangerous.
 */
async function frozen(marker: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const pid = existsSync(marker) ? readFileSync(marker, 'utf8') : '';
    const stat = pid && existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
    if (/\) T /.test(stat)) return;
    await sleep(10);
  }
  throw new Error('the bundle never reached the rename of its temporary output file');
}

/** The row of a run a signal ended: recordRun would only see its missing exit code. */
function recordEnded(name: string, result: RunResult, requests: number): void {
  record({
    action: ACTION,
    case: name,
    outcome: result.signal ? `ended by ${result.signal}` : `exit code ${result.exitCode}`,
    seconds: seconds(result.durationMs),
    requests,
    peakRssMiB: mebibytes(result.peakRssBytes),
  });
}

/** A temporary sibling of the output file, as the action names them. */
const TEMPORARY = /^\.ucdn\.json\.[0-9a-f-]{36}\.tmp$/;

interface Held {
  main: RunResult;
  /** What the output directory holds once main has ended. */
  afterMain: string[];
  /** Runs post with main's state; returns it and what the output directory holds after it. */
  post(): Promise<{ post: RunResult; afterPost: string[] }>;
}

/**
 * Main with output-file, held at the rename and sent `signals` there (the freeze is lifted with a
 * SIGCONT after them: a real process would simply have gone on running); post is run on demand.
 */
async function cancelAtTheRename(fire: Fire, signals: NodeJS.Signals[], debug: boolean): Promise<Held> {
  const workspace = createWorkspace();
  const out = join(workspace.root, 'out');
  const marker = join(workspace.root, 'frozen');
  const main = await fire.run(
    { 'output-file': 'out/ucdn.json' },
    {
      workspace,
      env: { NODE_OPTIONS: `--import=${FREEZE}`, FREEZE_BEFORE_RENAME_IN: out, FREEZE_MARKER: marker },
      interrupt: { at: () => frozen(marker), signals, gapMs: 200 },
    },
  );
  return {
    main,
    afterMain: readdirSync(out).sort(),
    post: async () => {
      const post = await runPostAfter(main, { action: ACTION, debug, secrets: [fire.emulator.privateKey] });
      return { post, afterPost: readdirSync(out).sort() };
    },
  };
}

// One case at a time: the 2,500-domain case keeps the harness busy for seconds, which would show
// in the other cases' timings.
describe('ucloud-authconfig under fire (built bundle)', () => {
  for (const debug of DEBUG_MODES) {
    it(`cancelled (SIGINT, then SIGTERM) between writing and renaming output-file, then post: no temporary file${suffix(debug)}`, async () => {
      const fire = await underFire({}, debug);
      try {
        const held = await cancelAtTheRename(fire, ['SIGINT', 'SIGTERM', 'SIGCONT'], debug);
        const { main, afterMain } = held;
        recordEnded(
          `cancelled at the output-file rename (SIGINT, SIGTERM)${suffix(debug)}`,
          main,
          fire.emulator.requests.length,
        );
        // The signals wait for the synchronous write-and-rename to end: the file is whole, and its
        // temporary sibling is gone before the process is.
        expect(afterMain).toEqual(['ucdn.json']);
        const file = join(main.workspace.root, 'out', 'ucdn.json');
        expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(fire.emulator.authConfigs);
        expect(statSync(file).mode & 0o777).toBe(0o600);
        expect(main.stderr).toBe('');
        // …and the cancel is not lost: the process ends by the signal, as it would have at once.
        expect(['SIGINT', 'SIGTERM']).toContain(main.signal);
        // Recorded before the file existed, though there was nothing left to clean up.
        expect(main.state['temporary-file']).toMatch(/\/out\/\.ucdn\.json\.[0-9a-f-]{36}\.tmp$/);
        expect(findLeaks(main, [fire.emulator.privateKey, ...fire.emulator.secrets])).toEqual(NO_LEAKS);

        const { post, afterPost } = await held.post();
        recordRun(ACTION, `post after a cancel at the rename${suffix(debug)}`, post, 0);
        expect(post.exitCode).toBe(0);
        expect(post.errors).toEqual([]);
        expect(post.warnings).toEqual([]);
        expect(post.log.text.trim()).toBe('');
        expect(afterPost).toEqual(['ucdn.json']);
      } finally {
        await fire.close();
      }
    });

    it(`killed (SIGKILL) between writing and renaming output-file, then post removes the temporary file${suffix(debug)}`, async () => {
      const fire = await underFire({}, debug);
      try {
        const held = await cancelAtTheRename(fire, ['SIGKILL'], debug);
        const { main, afterMain } = held;
        recordEnded(
          `killed at the output-file rename (SIGKILL)${suffix(debug)}`,
          main,
          fire.emulator.requests.length,
        );
        expect(main.signal).toBe('SIGKILL');
        expect(afterMain).toHaveLength(1);
        expect(afterMain[0]).toMatch(TEMPORARY);
        const leftover = join(main.workspace.root, 'out', afterMain[0] ?? '');
        // The state names it although the process died before it could finish anything.
        expect(main.state['temporary-file']).toBe(leftover);

        const { post, afterPost } = await held.post();
        recordRun(ACTION, `post after a kill at the rename${suffix(debug)}`, post, 0);
        expect(post.exitCode).toBe(0);
        expect(post.errors).toEqual([]);
        expect(post.warnings).toEqual([]);
        expect(post.log.text).toContain(
          `Removed ${leftover}, the temporary output file of a main step that did not finish`,
        );
        expect(afterPost).toEqual([]);
      } finally {
        await fire.close();
      }
    });

    it(`asks once, in lower case, for domains that differ only in case${suffix(debug)}`, async () => {
      const fire = await underFire({}, debug);
      try {
        const result = await fire.run({
          domain: 'Static.Example.COM\nstatic.example.com, STATIC.EXAMPLE.COM',
          type: 'pkey',
        });
        recordRun(
          ACTION,
          `domains differing only in case${suffix(debug)}`,
          result,
          fire.emulator.requests.length,
        );
        expect(result.errors).toEqual([]);
        expect(result.exitCode).toBe(0);
        expect(fire.emulator.requests.map((request) => paramsOf(request)?.['Domain'])).toEqual([
          'static.example.com',
        ]);
        expect(result.outputs['domains']).toBe('static.example.com');
        expect(result.outputs['key']).toBe(fire.emulator.authConfigs[0]?.Config[0]?.Keys[0]?.Key);
        expectNoLeaks(result, fire.emulator);
      } finally {
        await fire.close();
      }
    });

    it(`an all-domains answer over the 1 MiB cap fails naming 'domain'; naming domains works${suffix(debug)}`, async () => {
      // 4,000 domains: about 1.1 MiB of answer for all of them, a few hundred bytes for one.
      const fire = await underFire({ authConfigs: manyAuthConfigs(4000) }, debug);
      try {
        const everything = await fire.run();
        recordRun(
          ACTION,
          `all-domains answer over the size cap${suffix(debug)}`,
          everything,
          fire.emulator.requests.length,
        );
        expect(everything.exitCode).toBe(1);
        expect(everything.errors).toEqual([
          expect.stringMatching(
            /^127\.0\.0\.1:\d+ sent an answer larger than 1024 kB; it was not read\. The answer for all domains is too large: name the domains the workflow needs in 'domain' \(one request each\)\.$/,
          ),
        ]);
        expect(everything.stderr).toBe('');
        expect(everything.outputs).toEqual({});
        // Too large is final: retrying would fetch the same answer again.
        expect(fire.emulator.requests).toHaveLength(1);

        const named = await fire.run({ domain: 'd17.example.com,d3999.example.com' });
        recordRun(
          ACTION,
          `same account, two domains named${suffix(debug)}`,
          named,
          fire.emulator.requests.length - 1,
        );
        expect(named.errors).toEqual([]);
        expect(named.outputs['domains']).toBe('d17.example.com,d3999.example.com');
        expect(fire.emulator.requests).toHaveLength(3);
        expectNoLeaks(named, fire.emulator);
      } finally {
        await fire.close();
      }
    });

    // 120 s: the harness renders a log of 15,000 add-mask lines and sweeps it for 15,000 keys,
    // which can take it longer than its default minute on a busy machine.
    it(`a 2,500-domain answer registers each distinct value once, and every key is masked${suffix(debug)}`, async () => {
      const fire = await underFire({ authConfigs: manyAuthConfigs(2500) }, debug);
      try {
        const result = await fire.run();
        const masks = result.log.masks;
        record({
          action: ACTION,
          case: `2,500-domain answer, 15,000 keys${suffix(debug)}`,
          outcome:
            result.exitCode === 0
              ? `success: ${masks.length} add-mask lines, ${new Set(masks).size} distinct`
              : `error: ${result.errors[0] ?? `exit code ${result.exitCode}`}`,
          seconds: seconds(result.durationMs),
          requests: fire.emulator.requests.length,
          peakRssMiB: mebibytes(result.peakRssBytes),
        });
        expect(result.errors).toEqual([]);
        expect(fire.emulator.secrets).toHaveLength(15000);
        const registered = new Set(masks);
        expect(fire.emulator.secrets.filter((secret) => !registered.has(secret))).toEqual([]);
        // Each value once: no `::add-mask::` line repeats another (core keeps one registry per
        // process), and a key is registered as it is, without derived forms (core's maskValue):
        // one line per key, plus the private key's forms and the signature. The old code printed
        // 30,004 lines for this answer.
        expect(masks.length).toBe(registered.size);
        expect(masks.length).toBeLessThanOrEqual(fire.emulator.secrets.length + 6);
        expect(JSON.parse(result.outputs['auth-configs'] ?? '')).toHaveLength(2500);
        expectNoLeaks(result, fire.emulator);
      } finally {
        await fire.close();
      }
    }, 120_000);
  }
});
