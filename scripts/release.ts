// Builds one self-contained distribution tree per action, ready to push to its own repository
// (`uses: <org>/<name>@v1` needs action.yml at a repository root), and prints the tag commands.
// Usage: node scripts/release.ts [--out release] [--org cloudcreds]
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('..', import.meta.url).pathname;
const { values } = parseArgs({
  options: { out: { type: 'string', default: 'release' }, org: { type: 'string', default: 'cloudcreds' } },
});
const outRoot = resolve(values.out ?? 'release');
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
const major = version.split('.')[0];

const actions = readdirSync(join(root, 'actions')).filter((name) =>
  existsSync(join(root, 'actions', name, 'action.yml')),
);
for (const action of actions) {
  const tree = join(outRoot, action);
  rmSync(tree, { recursive: true, force: true });
  mkdirSync(join(tree, 'dist'), { recursive: true });
  const bundles = join(root, 'dist', action);
  for (const file of readdirSync(bundles)) copyFileSync(join(bundles, file), join(tree, 'dist', file));
  const metadata = readFileSync(join(root, 'actions', action, 'action.yml'), 'utf8');
  writeFileSync(join(tree, 'action.yml'), metadata.replaceAll(`../../dist/${action}/`, 'dist/'));
  copyFileSync(join(root, 'actions', action, 'README.md'), join(tree, 'README.md'));
  copyFileSync(join(root, 'LICENSE'), join(tree, 'LICENSE'));
  console.log(`# ${values.org}/${action} v${version}: ${tree}`);
  console.log(
    `git -C ${tree} init -q -b main && git -C ${tree} add -A && git -C ${tree} commit -qm "${action} v${version}"`,
  );
  console.log(`git -C ${tree} tag -a v${version} -m "v${version}" && git -C ${tree} tag -f v${major}`);
  console.log(`git -C ${tree} push origin main v${version} && git -C ${tree} push -f origin v${major}`);
  console.log('');
}
console.log(`# v${major} is a plain moving tag (no release), so it can move even with immutable releases.`);
