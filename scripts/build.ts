// Bundles every action entry point (actions/<name>/src/entries/{main,post}.ts) into one self-contained
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
  rmSync,
  writeFileSync,
} from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const ncc = join(root, 'node_modules/@vercel/ncc/dist/ncc/cli.js');
const only = process.argv.slice(2);
const actions = readdirSync(join(root, 'actions')).filter((name) => only.length === 0 || only.includes(name));

for (const action of actions) {
  if (!existsSync(join(root, 'actions', action, 'src', 'entries', 'main.ts'))) continue;
  const outDir = join(root, 'dist', action);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  for (const entry of ['main', 'post']) {
    const source = join(root, 'actions', action, 'src', 'entries', `${entry}.ts`);
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
    const bundle = readFileSync(join(work, 'index.js'), 'utf8');
    writeFileSync(join(outDir, `${entry}.mjs`), lighten(bundle, `${action}/${entry}`));
    // One licenses.txt for the action, a section per bundle: main and post carry different packages.
    appendFileSync(
      join(outDir, 'licenses.txt'),
      `# Packages bundled in ${entry}.mjs\n\n${readFileSync(join(work, 'licenses.txt'), 'utf8')}\n`,
    );
    rmSync(work, { recursive: true, force: true });
    console.log(`dist/${action}/${entry}.mjs`);
  }
}

/**
 * Two rewrites of ncc's output that keep its meaning and lower every run's peak memory
 * (measured in bench/README.md): ncc reaches each Node built-in through
 * `createRequire(import.meta.url)(name)`, which resolves module paths for the bundle's location
 * on every call — `process.getBuiltinModule(name)` (Node >= 22.3; the runner's node24 has it)
 * returns the built-in directly; and V8 holds a source with any non-ASCII character as a two-byte
 * string, twice the bundle's size — `\uXXXX` escapes keep it one-byte, as esbuild's default
 * ASCII charset does (valid in strings, templates, regular expressions and identifiers alike).
 */
function lighten(code: string, name: string): string {
  let out = code;
  const header = /^import\{createRequire as ([\w$]+)\}from"module";/.exec(out);
  if (header?.[1]) {
    const alias = header[1].replace(/\$/g, '\\$');
    const call = new RegExp(`(?<![\\w$.])${alias}\\(import\\.meta\\.url\\)\\("([^"]+)"\\)`, 'g');
    out = out.replace(call, (_match, id: string) => {
      if (!isBuiltin(id))
        throw new Error(`${name}: ncc left a require of ${id}, which is not a Node built-in`);
      return `process.getBuiltinModule(${JSON.stringify(id)})`;
    });
    const stillUsed = new RegExp(`(?<![\\w$.])${alias}\\(import\\.meta\\.url\\)`).test(out);
    if (!stillUsed) out = out.slice(header[0].length);
  }
  return out.replace(/[^\x00-\x7f]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

await import('./sync-root-action.ts');
