// Bundles every action entry point (actions/<name>/src/{main,post}.ts) into one self-contained
// ESM file, dist/<name>/<entry>.mjs. ncc writes index.js plus a package.json beside it; the
// explicit .mjs extension makes the bundle independent of any package.json in a distribution copy.
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const ncc = join(root, 'node_modules/@vercel/ncc/dist/ncc/cli.js');
const only = process.argv.slice(2);
const actions = readdirSync(join(root, 'actions')).filter((name) => only.length === 0 || only.includes(name));

for (const action of actions) {
  if (!existsSync(join(root, 'actions', action, 'src', 'main.ts'))) continue;
  const outDir = join(root, 'dist', action);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  for (const entry of ['main', 'post']) {
    const source = join(root, 'actions', action, 'src', `${entry}.ts`);
    if (!existsSync(source)) continue;
    const work = mkdtempSync(join(tmpdir(), `build-${action}-${entry}-`));
    execFileSync(
      process.execPath,
      [
        ncc,
        'build',
        source,
        '-o',
        work,
        '--minify',
        // Type-checking is `npm run typecheck`; without this ncc type-checks every file tsconfig
        // includes, so a half-written test elsewhere could break the build of a bundle.
        '--transpile-only',
        '--target',
        'es2022',
        '--license',
        'licenses.txt',
        '--quiet',
      ],
      {
        stdio: 'inherit',
      },
    );
    const emitted = readdirSync(work).filter((file) => file.endsWith('.js'));
    if (emitted.length !== 1 || emitted[0] !== 'index.js') {
      throw new Error(
        `${action}/${entry}: expected one self-contained index.js, ncc emitted ${emitted.join(', ')}`,
      );
    }
    renameSync(join(work, 'index.js'), join(outDir, `${entry}.mjs`));
    // One licenses.txt for the action, a section per bundle: main and post carry different packages.
    appendFileSync(
      join(outDir, 'licenses.txt'),
      `# Packages bundled in ${entry}.mjs\n\n${readFileSync(join(work, 'licenses.txt'), 'utf8')}\n`,
    );
    rmSync(work, { recursive: true, force: true });
    console.log(`dist/${action}/${entry}.mjs`);
  }
}

await import('./sync-root-action.ts');
