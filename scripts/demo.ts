// npm run demo — the first thing to run after install. Starts the emulators (and a real registry
// when docker-registry is installed) on 127.0.0.1, runs each BUILT action (dist/) the way the
// GitHub runner does, and prints what a user would see on GitHub: the step header, the log masked
// as the runner masks it, the outputs (masked values as ***), the exported variables and the job
// summary as plain text. Exits 0 only if all three actions worked.
//
// --secrets-file <path> writes every secret the demo handed out (JSON, mode 0600) so a test can
// prove that none of them was printed.
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startSwrEmulator } from '@cloudcreds/emulators/swr';
import {
  createWorkspace,
  decodeCommandValue,
  findLeaks,
  type LeakReport,
  maskText,
  type RunResult,
  runAction,
  runPostAfter,
  startRegistry,
  type Workspace,
} from '@cloudcreds/harness';
import {
  type EmulatorStack,
  SWR_REGION,
  startEmulatorStack,
  UCLOUD_REGION,
  UCLOUD_ZONE,
} from './emulator-stack.ts';

const { values: options } = parseArgs({ options: { 'secrets-file': { type: 'string' } } });

const color = process.stdout.isTTY === true && !process.env['NO_COLOR'];
const bold = (text: string): string => (color ? `\x1b[1m${text}\x1b[22m` : text);
const dim = (text: string): string => (color ? `\x1b[2m${text}\x1b[22m` : text);
const INDENT = '    ';

/** What one action's run must prove, besides exit 0 and no leak. */
interface Check {
  ok: boolean;
  what: string;
}

interface Demo {
  name: string;
  title: string;
  /** Inputs as a workflow's `with:`; the names in `fromSecrets` would come from `secrets.*`. */
  inputs: Record<string, string>;
  fromSecrets: string[];
}

const stack = await startEmulatorStack();
const workspaces: Workspace[] = [];
/** Secrets per action, including the ones only the action's own outputs reveal (tokens). */
const handedOut: Record<string, string[]> = {};
const failures: string[] = [];

try {
  emit(intro());
  await swrLogin(stack);
  await swrLoginEnterprise();
  await cseToken(stack);
  await ucloudAuthconfig(stack);
} finally {
  await stack.stop();
  for (const workspace of workspaces) rmSync(workspace.root, { recursive: true, force: true });
  if (options['secrets-file']) {
    writeFileSync(options['secrets-file'], JSON.stringify(handedOut), { mode: 0o600 });
  }
}

if (failures.length > 0) {
  emit(`\n${bold('Demo failed:')}\n${failures.map((failure) => `${INDENT}✘ ${failure}`).join('\n')}\n`);
  process.exitCode = 1;
} else {
  emit(`\n${bold('All three actions worked.')} Next: README.md (quick start), actions/<name>/README.md.\n`);
}

function intro(): string {
  const login = stack.registry
    ? `swr-login runs a real \`docker login\` to a local registry (${stack.registry.host}).`
    : `swr-login runs with \`login: false\`: ${stack.missingForLogin.join(', ')} missing (bash scripts/install.sh).`;
  return [
    bold('cloudcreds-actions demo'),
    dim('The built bundles in dist/ run as the GitHub runner runs them (Node 24, INPUT_* variables,'),
    dim('file commands), against emulators on 127.0.0.1. Everything below is what the job page would'),
    dim('show: the log masked as the runner masks it, outputs, exported variables, the job summary.'),
    dim('Inputs shown as *** would come from `secrets.*`.'),
    dim(login),
    '',
  ].join('\n');
}

async function swrLogin({ swr, registry }: EmulatorStack): Promise<void> {
  const workspace = createWorkspace();
  workspaces.push(workspace);
  // Under RUNNER_TEMP, as the README recommends: a directory in the workspace earns a warning.
  const configDir = join(workspace.runnerTemp, 'docker-config');
  const demo: Demo = {
    name: 'swr-login',
    title: 'Huawei Cloud SWR: a temporary docker login, logged out at job end',
    inputs: {
      region: SWR_REGION,
      endpoint: swr.url,
      'access-key-id': swr.accessKeyId,
      'access-key-secret': swr.secretAccessKey,
      ...(registry ? { 'docker-config-dir': configDir } : { login: 'false' }),
    },
    fromSecrets: ['access-key-id', 'access-key-secret'],
  };
  await swrLoginRun(demo, workspace, configDir, swr.registry, registry?.host, () => stack.secrets().swr);
}

/**
 * An SWR Enterprise Edition instance: its own emulator (ShowInstance, temp-credential) and, when
 * the tools exist, its own registry whose htpasswd holds the instance's temporary user_id.
 */
async function swrLoginEnterprise(): Promise<void> {
  const credential = {
    userId: `demo-ee-${randomBytes(4).toString('hex')}`,
    authToken: randomBytes(24).toString('hex'),
  };
  const registry = stack.registry
    ? await startRegistry({ username: credential.userId, password: credential.authToken })
    : undefined;
  const instance = { id: randomUUID(), name: 'octo-ee' };
  const swr = await startSwrEmulator({
    region: SWR_REGION,
    instances: [{ ...instance, ...(registry ? { accessAddress: registry.host } : {}) }],
    tempCredential: credential,
  });
  try {
    const workspace = createWorkspace();
    workspaces.push(workspace);
    const configDir = join(workspace.runnerTemp, 'docker-config');
    const demo: Demo = {
      name: 'swr-login',
      title: 'SWR Enterprise Edition: the temporary credential of an instance, logged out at job end',
      inputs: {
        region: SWR_REGION,
        endpoint: swr.url,
        'access-key-id': swr.accessKeyId,
        'access-key-secret': swr.secretAccessKey,
        'instance-id': instance.id,
        'project-id': swr.projectId,
        ...(registry ? { 'docker-config-dir': configDir } : { login: 'false' }),
      },
      fromSecrets: ['access-key-id', 'access-key-secret'],
    };
    const secrets = [
      swr.secretAccessKey,
      credential.authToken,
      `${credential.userId}:${credential.authToken}`,
      Buffer.from(`${credential.userId}:${credential.authToken}`).toString('base64'),
    ];
    const expected = swr.instances[0]?.accessAddress ?? '';
    await swrLoginRun(demo, workspace, configDir, expected, registry?.host, () => secrets);
  } finally {
    await swr.close();
    await registry?.stop();
  }
}

/** main → (docker config) → post, with the checks every swr-login demo must pass. */
async function swrLoginRun(
  demo: Demo,
  workspace: Workspace,
  configDir: string,
  expectedRegistry: string,
  registryHost: string | undefined,
  known: () => string[],
): Promise<void> {
  const main = await runAction({
    action: 'swr-login',
    inputs: demo.inputs,
    workspace,
    secrets: known(),
    killAfterMs: 60_000,
  });
  const loginCommand = main.outputs['login-command'];
  const secrets = [...known(), ...(loginCommand ? [loginCommand] : [])];
  handedOut['swr-login'] = [...(handedOut['swr-login'] ?? []), ...secrets];
  const checks: Check[] = [
    { ok: main.exitCode === 0 && main.errors.length === 0, what: 'main step exits 0 without an error' },
    { ok: main.outputs['registry'] === expectedRegistry, what: `output registry is ${expectedRegistry}` },
    { ok: Boolean(main.outputs['password']), what: 'output password is set' },
  ];
  const sections = stepSections(demo, main, 'Run');
  if (registryHost) {
    const loggedIn = dockerAuths(configDir).includes(registryHost);
    checks.push({ ok: loggedIn, what: `docker config holds a login for ${registryHost}` });
    sections.push(
      labelled('docker config after main', [`auths: ${dockerAuths(configDir).join(', ') || '(none)'}`]),
    );
  }
  emit(header(demo) + sections.join(''));

  const post = await runPostAfter(main, { action: 'swr-login', inputs: demo.inputs, secrets: known() });
  checks.push({
    ok: post.exitCode === 0 && post.errors.length === 0,
    what: 'post step exits 0 without an error',
  });
  const postSections = stepSections(demo, post, 'Post Run', { withInputs: false });
  if (registryHost) {
    const left = dockerAuths(configDir);
    checks.push({ ok: !left.includes(registryHost), what: `post step logs out of ${registryHost}` });
    postSections.push(labelled('docker config after post', [`auths: ${left.join(', ') || '(none)'}`]));
  }
  emit(postSections.join(''));
  finish(demo, [main, post], checks, secrets);
}

async function cseToken({ serviceCenter, caFile }: EmulatorStack): Promise<void> {
  const demo: Demo = {
    name: 'cse-token',
    title: 'CSE exclusive engine (ServiceComb service-center): a bearer token over verified TLS',
    inputs: {
      endpoint: serviceCenter.url,
      username: serviceCenter.username,
      password: serviceCenter.password,
      'ca-cert': caFile,
      'token-expiration': '8h',
    },
    fromSecrets: ['password'],
  };
  const known = stack.secrets().serviceCenter;
  const main = await runAction({
    action: 'cse-token',
    inputs: demo.inputs,
    secrets: known,
    killAfterMs: 60_000,
  });
  workspaces.push(main.workspace);
  const token = main.outputs['token'];
  handedOut['cse-token'] = [...known, ...(token ? [token, `Bearer ${token}`] : [])];
  const checks: Check[] = [
    { ok: main.exitCode === 0 && main.errors.length === 0, what: 'exits 0 without an error' },
    {
      ok: Boolean(token) && main.exported['CSE_TOKEN'] === token,
      what: 'token output and CSE_TOKEN are set',
    },
    { ok: main.outputs['account'] === serviceCenter.username, what: `account is ${serviceCenter.username}` },
  ];
  emit(header(demo) + stepSections(demo, main, 'Run').join(''));
  finish(demo, [main], checks, handedOut['cse-token']);
}

async function ucloudAuthconfig({ ucloud }: EmulatorStack): Promise<void> {
  const domain = ucloud.domains[0] ?? '';
  const demo: Demo = {
    name: 'ucloud-authconfig',
    title: 'UCloud UCDN: the URL-authentication keys of a CDN domain',
    inputs: {
      'base-url': ucloud.url,
      'public-key': ucloud.publicKey,
      'private-key': ucloud.privateKey,
      region: UCLOUD_REGION,
      zone: UCLOUD_ZONE,
      domain,
      type: 'pkey',
    },
    fromSecrets: ['public-key', 'private-key'],
  };
  const known = stack.secrets().ucloud;
  handedOut['ucloud-authconfig'] = known;
  const main = await runAction({
    action: 'ucloud-authconfig',
    inputs: demo.inputs,
    secrets: known,
    killAfterMs: 60_000,
  });
  workspaces.push(main.workspace);
  const checks: Check[] = [
    { ok: main.exitCode === 0 && main.errors.length === 0, what: 'exits 0 without an error' },
    { ok: main.outputs['domains'] === domain, what: `domains is ${domain}` },
    { ok: Boolean(main.outputs['key']), what: 'output key is set' },
  ];
  emit(header(demo) + stepSections(demo, main, 'Run').join(''));
  finish(demo, [main], checks, known);
}

// ---- Rendering -------------------------------------------------------------------------------

function header(demo: Demo): string {
  const title = ` ${demo.name} · ${demo.title} `;
  return `\n${bold(`━━${title}${'━'.repeat(Math.max(4, 100 - title.length))}`)}\n`;
}

/** The step as the job page shows it: `Run <action>` with its inputs, then the log, outputs, … */
function stepSections(
  demo: Demo,
  result: RunResult,
  verb: 'Run' | 'Post Run',
  { withInputs = true } = {},
): string[] {
  const masks = result.log.masks;
  const sections: string[] = [`\n${bold(`▶ ${verb} ./actions/${demo.name}`)}\n`];
  if (withInputs) {
    const shown = Object.entries(demo.inputs).map(
      ([name, value]) => `${name}: ${demo.fromSecrets.includes(name) ? '***' : value}`,
    );
    sections.push(labelled('with', shown));
  }
  const stderr = maskText(result.stderr, masks).split('\n').filter(Boolean);
  sections.push(labelled('log', [...githubLog(result.log.text), ...stderr]));
  if (verb === 'Run') {
    sections.push(labelled('outputs', keyValues(result.outputs, masks)));
    sections.push(labelled('exported variables', keyValues(result.exported, masks)));
    sections.push(labelled('job summary', summaryText(maskText(result.summary, masks))));
  }
  return sections;
}

function labelled(label: string, lines: string[]): string {
  const body = lines.length > 0 ? lines : [dim('(none)')];
  return `  ${bold(label)}\n${body.map((line) => (line === '' ? '' : `${INDENT}${line}`)).join('\n')}\n`;
}

function keyValues(values: Record<string, string>, masks: string[]): string[] {
  const width = Math.max(0, ...Object.keys(values).map((name) => name.length));
  return Object.entries(values).map(([name, value]) => `${name.padEnd(width)}  ${maskText(value, masks)}`);
}

/** Workflow commands as the job page renders them without step debug. */
function githubLog(text: string): string[] {
  const lines: string[] = [];
  let depth = 0;
  for (const line of text.split('\n')) {
    const command = /^::([a-z-]+)(?: [^:]*)?::(.*)$/.exec(line);
    const pad = '  '.repeat(depth);
    if (!command) {
      if (line !== '') lines.push(pad + line.replace(/^\[command\]/, ''));
      continue;
    }
    const [, name = '', value = ''] = command;
    const message = decodeCommandValue(value);
    if (name === 'group') {
      lines.push(`${pad}▸ ${message}`);
      depth += 1;
    } else if (name === 'endgroup') {
      depth = Math.max(0, depth - 1);
    } else if (name === 'warning' || name === 'error' || name === 'notice') {
      lines.push(`${pad}${name[0]?.toUpperCase()}${name.slice(1)}: ${message}`);
    } else if (name !== 'debug') {
      lines.push(pad + line);
    }
  }
  return lines;
}

/** The job summary (HTML from @actions/core's summary, or markdown) as plain text. */
function summaryText(html: string): string[] {
  const text = html
    .replace(/<table>([\s\S]*?)<\/table>/g, (_, table: string) => `\n${tableText(table)}\n`)
    .replace(/<h[1-6][^>]*>([\s\S]*?)<\/h[1-6]>/g, (_, heading: string) => `\n${heading}\n`)
    .replace(/<li[^>]*>/g, '\n• ')
    .replace(/<br\s*\/?>|<\/p>|<\/li>/g, '\n')
    .replace(/<[^>]+>/g, '');
  const lines: string[] = [];
  for (const line of decodeEntities(text).split('\n')) {
    const trimmed = line.trimEnd();
    // One blank line between blocks, none at the start or the end.
    if (trimmed !== '' || (lines.length > 0 && lines.at(-1) !== '')) lines.push(trimmed);
  }
  while (lines.at(-1) === '') lines.pop();
  return lines;
}

function tableText(table: string): string {
  const rows = [...table.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...(row[1] ?? '').matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((cell) =>
      (cell[1] ?? '').replace(/<[^>]+>/g, ''),
    ),
  );
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, column) => {
      widths[column] = Math.max(widths[column] ?? 0, decodeEntities(cell).length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell + ' '.repeat((widths[column] ?? 0) - decodeEntities(cell).length))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function decodeEntities(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

// ---- Verdicts ----------------------------------------------------------------------------------

function finish(demo: Demo, runs: RunResult[], checks: Check[], secrets: string[]): void {
  const leaks = runs.map((run) => findLeaks(run, secrets));
  checks.push({ ok: leaks.every(isClean), what: 'no secret visible, printed before its mask, or in state' });
  const failed = checks.filter((check) => !check.ok);
  const timing = runs.map(
    (run, index) => `${index === 0 ? 'main' : 'post'} ${Math.round(run.durationMs)} ms`,
  );
  if (failed.length === 0) {
    emit(`${bold(`✔ ${demo.name} worked`)} ${dim(`(${timing.join(', ')})`)}\n`);
  } else {
    for (const check of failed) failures.push(`${demo.name}: ${check.what}`);
    emit(`${bold(`✘ ${demo.name} failed:`)} ${failed.map((check) => check.what).join('; ')}\n`);
  }
}

function isClean(report: LeakReport): boolean {
  return Object.values(report).every((found) => found.length === 0);
}

function dockerAuths(configDir: string): string[] {
  const file = join(configDir, 'config.json');
  if (!existsSync(file)) return [];
  const config = JSON.parse(readFileSync(file, 'utf8')) as { auths?: Record<string, unknown> };
  return Object.keys(config.auths ?? {});
}

/** The last line of defence: the demo refuses to print any secret it knows of, in any form. */
function emit(text: string): void {
  const secrets = [...stack.secrets().swr, ...stack.secrets().serviceCenter, ...stack.secrets().ucloud];
  for (const known of Object.values(handedOut)) secrets.push(...known);
  if (secrets.some((secret) => secret !== '' && text.includes(secret))) {
    failures.push('the demo was about to print a secret unmasked; it printed this part as *** instead');
    process.stdout.write(maskText(text, secrets));
    return;
  }
  process.stdout.write(text);
}
