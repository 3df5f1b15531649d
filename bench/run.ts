// npm run bench [-- --runs 20] [-- --counts 3] [-- --peer docker-login=/path/to/login-action/dist/index.js]
//                [-- --dist /path/to/another/dist]
//
// For every bundle in dist/, on the Node 24 that runs this script (the runner's node24):
// instructions (valgrind callgrind) and median wall time of (a) a run with no inputs and (b) the
// happy path against its emulator; bundle bytes; peak RSS; and an empty script as the floor.
// swr-login's main step is compared with docker's own `docker login` on the same registry, and
// with a peer's published bundle when its path is given (peers are never kept in this repository).
// Prints a table, writes bench/results.json and the table between the bench markers of README.md.
// `--dist` measures another build instead (an earlier commit's dist/, for a before/after table);
// it only prints, since results.json and README.md describe this repository's dist/.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '@cloudcreds/harness';
import {
  type Command,
  exitCodeOf,
  instructions,
  medianPeakRssBytes,
  medianWallMs,
  medianWallMsOf,
} from './measure.ts';
import { bundleDirectory, bundlePath, happyPaths, noInputs, runnerEnvironment } from './scenarios.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    // Callgrind runs per count: V8's background threads move one count by a few percent.
    counts: { type: 'string', default: '3' },
    peer: { type: 'string', multiple: true, default: [] },
    dist: { type: 'string' },
  },
});
const dist = bundleDirectory(values.dist);
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive whole number');
const counts = Number(values.counts);
if (!Number.isInteger(counts) || counts < 1) throw new Error('--counts must be a positive whole number');
try {
  execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
} catch {
  throw new Error('valgrind is not installed: run `bash scripts/install.sh` (README line 1)');
}

interface Row {
  subject: string;
  scenario: string;
  instructions: number;
  medianMs: number;
  peakRssMiB: number;
  bytes?: number;
}

const rows: Row[] = [];
const comparisons: Array<{ what: string; medianMs: number }> = [];

async function measure(
  subject: string,
  scenario: string,
  prepare: () => Promise<Command>,
  expectedExit: number,
  bytes?: number,
): Promise<void> {
  const probe = await prepare();
  const check = await exitCodeOf(probe);
  if (check.code !== expectedExit) {
    throw new Error(
      `${subject} ${scenario} exited ${check.code}, expected ${expectedExit}:\n${check.stdout}${check.stderr}`,
    );
  }
  const countsSeen: number[] = [];
  for (let run = 0; run < counts; run++) {
    const counted = await instructions(await prepare());
    if (counted.code !== expectedExit) {
      throw new Error(
        `${subject} ${scenario} exited ${counted.code} under callgrind, expected ${expectedExit}`,
      );
    }
    countsSeen.push(counted.count);
  }
  countsSeen.sort((a, b) => a - b);
  rows.push({
    subject,
    scenario,
    instructions: countsSeen[Math.floor(countsSeen.length / 2)] as number,
    medianMs: await medianWallMs(prepare, runs),
    peakRssMiB: (await medianPeakRssBytes(prepare, Math.min(runs, 9))) / 1024 / 1024,
    ...(bytes === undefined ? {} : { bytes }),
  });
  const row = rows.at(-1) as Row;
  console.error(
    `${subject} ${scenario}: ${(row.instructions / 1e6).toFixed(0)} M instructions, ${row.medianMs.toFixed(0)} ms`,
  );
}

const empty = join(tmpdir(), 'bench-empty.mjs');
writeFileSync(empty, '');
await measure('empty Node script', 'floor', async () => ({ args: [empty], env: runnerEnvironment() }), 0);

const actions = readdirSync(dist).filter((name) => name in happyPaths);
for (const action of actions) {
  const bytes = readdirSync(join(dist, action))
    .filter((file) => file.endsWith('.mjs'))
    .reduce((sum, file) => sum + statSync(join(dist, action, file)).size, 0);
  await measure(action, 'no inputs', noInputs(action), 1, statSync(bundlePath(action)).size);
  const happy = await (happyPaths[action] as () => ReturnType<(typeof happyPaths)[string]>)();
  try {
    await measure(action, 'happy path', happy.prepare, 0, bytes);
    if (happy.dockerLogin) {
      comparisons.push({
        what: `${action} main step (API call + docker login)`,
        medianMs: rows.at(-1)?.medianMs ?? 0,
      });
      comparisons.push({
        what: '`docker login` alone, same registry',
        medianMs: await medianWallMsOf('docker', happy.dockerLogin, runs),
      });
    }
    for (const peer of values.peer) {
      const [name, path] = peer.split('=');
      if (!name || !path) throw new Error('--peer takes name=/path/to/bundle.js');
      if (name === 'docker-login' && happy.registry) {
        const registry = happy.registry;
        const login = async (): Promise<Command> => ({
          args: [path],
          env: {
            ...runnerEnvironment(),
            DOCKER_CONFIG: join(tmpdir(), `bench-peer-${Math.random().toString(36).slice(2)}`),
            INPUT_REGISTRY: registry.host,
            INPUT_USERNAME: registry.username,
            INPUT_PASSWORD: registry.password,
            INPUT_LOGOUT: 'false',
            INPUT_ECR: 'false',
          },
        });
        await measure(`peer ${name}`, 'login, same registry', login, 0, statSync(path).size);
        comparisons.push({
          what: `peer ${name}: main step (login only)`,
          medianMs: rows.at(-1)?.medianMs ?? 0,
        });
      }
    }
  } finally {
    await happy.stop();
  }
}
for (const peer of values.peer) {
  const [name, path] = peer.split('=') as [string, string];
  await measure(
    `peer ${name}`,
    'no inputs',
    async () => ({ args: [path], env: runnerEnvironment() }),
    1,
    statSync(path).size,
  );
}

const mega = (n: number): string => `${(n / 1e6).toFixed(0)} M`;

/** A Markdown table padded as the formatter (biome) writes it, so README.md stays formatted. */
function markdownTable(header: string[], rightAligned: boolean[], body: string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(3, title.length, ...body.map((cells) => (cells[column] ?? '').length)),
  );
  const line = (cells: string[]): string =>
    `| ${cells
      .map((cell, column) =>
        rightAligned[column] ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
      )
      .join(' | ')} |`;
  const rule = widths.map((width, column) =>
    rightAligned[column] ? `${'-'.repeat(width - 1)}:` : '-'.repeat(width),
  );
  return [line(header), line(rule), ...body.map(line)].join('\n');
}

const table = [
  markdownTable(
    ['bundle', 'scenario', 'instructions', 'median wall (ms)', 'peak RSS (MiB)', 'bytes'],
    [false, false, true, true, true, true],
    rows.map((row) => [
      row.subject,
      row.scenario,
      mega(row.instructions),
      row.medianMs.toFixed(0),
      row.peakRssMiB.toFixed(1),
      row.bytes === undefined ? '' : String(row.bytes),
    ]),
  ),
  ...(comparisons.length > 0
    ? [
        '',
        markdownTable(
          ['comparison', 'median wall (ms)'],
          [false, true],
          comparisons.map((c) => [c.what, c.medianMs.toFixed(0)]),
        ),
      ]
    : []),
].join('\n');
const context = `Node ${process.versions.node}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${runs} runs per median, ${new Date().toISOString().slice(0, 10)}`;
console.log(`${table}\n\n${context}`);
if (values.dist !== undefined) process.exit(0);

writeFileSync(
  join(repoRoot, 'bench', 'results.json'),
  `${JSON.stringify({ context, node: process.versions.node, runs, rows, comparisons }, null, 2)}\n`,
);
const readmePath = join(repoRoot, 'README.md');
const readme = readFileSync(readmePath, 'utf8');
const marked = /<!-- bench:start -->[\s\S]*<!-- bench:end -->/;
if (marked.test(readme)) {
  writeFileSync(
    readmePath,
    readme.replace(marked, `<!-- bench:start -->\n${table}\n\n${context}\n<!-- bench:end -->`),
  );
}
