// Inputs are read once, at the door: the raw text from `INPUT_<NAME>` (or an env fallback) is
// masked if secret, checked for smuggled lines, parsed by a zod schema into a typed value, and
// from then on only typed values travel inward. A failure names the input, never its value.
import * as z from 'zod/mini';
import { warning } from './commands.ts';
import { ConfigError } from './errors.ts';
import { maskSecret } from './secrets.ts';

/** What an input needs of its schema: zod's safeParse of the raw text. */
export interface InputSchema<T> {
  safeParse(
    value: string,
  ): { success: true; data: T } | { success: false; error: { issues: ReadonlyArray<{ message: string }> } };
}

/**
 * A zod schema built on its first use. Most inputs of a run are absent, and building every
 * schema when the bundle starts is a cost each run pays, a run that fails on its inputs most of
 * all (bench/README.md).
 */
export class LazySchema<T> implements InputSchema<T> {
  readonly #build: () => z.ZodMiniType<T, string>;
  #built: z.ZodMiniType<T, string> | undefined;

  constructor(build: () => z.ZodMiniType<T, string>) {
    this.#build = build;
  }

  get zod(): z.ZodMiniType<T, string> {
    this.#built ??= this.#build();
    return this.#built;
  }

  safeParse(value: string): ReturnType<InputSchema<T>['safeParse']> {
    return this.zod.safeParse(value) as ReturnType<InputSchema<T>['safeParse']>;
  }
}

export const lazy = <T>(build: () => z.ZodMiniType<T, string>): LazySchema<T> => new LazySchema(build);

export interface InputDefinition<T> {
  readonly name: string;
  readonly schema: InputSchema<T>;
  readonly required: boolean;
  readonly fallback?: T;
  readonly env: readonly string[];
  readonly secret: boolean;
  /** Part of a credential: `if-no-credentials: skip` skips only when every such input is empty. */
  readonly credential: boolean;
  readonly multiline: boolean;
}

interface InputOptions<T> {
  /** Environment variables read, in order, when the input is empty. */
  env?: readonly string[];
  secret?: boolean;
  /** Counts as a credential for `if-no-credentials` (default: the same as `secret`). */
  credential?: boolean;
  /** Allow newlines (PEM text, lists). Other control characters are always refused. */
  multiline?: boolean;
  /** Value when the input and its env fallbacks are empty. */
  default?: T;
}

export function required<T>(
  name: string,
  schema: InputSchema<T>,
  options: InputOptions<T> = {},
): InputDefinition<T> {
  return define(name, schema, true, options);
}

export function optional<T>(
  name: string,
  schema: InputSchema<T>,
  options: InputOptions<T> & { default: T },
): InputDefinition<T>;
export function optional<T>(
  name: string,
  schema: InputSchema<T>,
  options?: InputOptions<T>,
): InputDefinition<T | undefined>;
export function optional<T>(
  name: string,
  schema: InputSchema<T>,
  options: InputOptions<T> = {},
): InputDefinition<T | undefined> {
  return define(name, schema, false, options);
}

function define<T>(
  name: string,
  schema: InputSchema<T>,
  isRequired: boolean,
  options: InputOptions<T>,
): InputDefinition<T> {
  return {
    name,
    schema,
    required: isRequired,
    ...(options.default !== undefined ? { fallback: options.default } : {}),
    env: options.env ?? [],
    secret: options.secret ?? false,
    credential: options.credential ?? options.secret ?? false,
    multiline: options.multiline ?? false,
  };
}

export type Environment = Readonly<Record<string, string | undefined>>;

export type InputValues<D extends Record<string, InputDefinition<unknown>>> = {
  [K in keyof D]: D[K] extends InputDefinition<infer T> ? T : never;
};

/** The variable the runner sets for an input: spaces become `_`, upper case, hyphens kept. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/** Reads the raw (trimmed) text of an input, or of its first non-empty env fallback. */
export function rawInput(
  definition: Pick<InputDefinition<unknown>, 'name' | 'env'>,
  env: Environment,
): string {
  const direct = (env[inputVariable(definition.name)] ?? '').trim();
  if (direct !== '') return direct;
  for (const variable of definition.env) {
    const fallback = (env[variable] ?? '').trim();
    if (fallback !== '') return fallback;
  }
  return '';
}

const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const LINE_BREAKS = /[\r\n]/;

/**
 * Reads every input in definition order. Secrets are masked as soon as their text is known,
 * before any check can fail. The first problem stops the read with a ConfigError.
 */
export function parseInputs<D extends Record<string, InputDefinition<unknown>>>(
  definitions: D,
  env: Environment = process.env,
): InputValues<D> {
  const values: Record<string, unknown> = {};
  for (const [key, definition] of Object.entries(definitions)) {
    values[key] = readOne(definition, env);
  }
  return values as InputValues<D>;
}

function readOne<T>(definition: InputDefinition<T>, env: Environment): T | undefined {
  const raw = rawInput(definition, env);
  const label = describeSource(definition);
  if (raw === '') {
    if (definition.required) {
      const secretsHint = definition.credential ? ` ${SECRETS_HINT}` : '';
      throw new ConfigError(`${label} is required${fallbackHint(definition)}.${secretsHint}`);
    }
    return definition.fallback;
  }
  if (definition.secret) {
    maskSecret(raw);
    warnIfShort(definition, raw);
  }
  if (
    CONTROL_CHARACTERS.test(raw) ||
    (!definition.multiline && (LINE_BREAKS.test(raw) || raw.includes('\t')))
  ) {
    throw new ConfigError(`${label} must be a single line without control characters`);
  }
  const parsed = definition.schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`${label} ${issue?.message ?? 'is invalid'}`);
  }
  return parsed.data;
}

/**
 * Why a credential can be missing although the workflow names it: GitHub passes no secrets to runs
 * for pull requests from forks or for Dependabot (docs/specs/runner.md §4: an unregistered secret is empty).
 */
export const SECRETS_NOT_PASSED =
  'GitHub passes no secrets to workflows run for a pull request from a fork or by Dependabot';

/** The end of every "credential missing" error, in every action. */
export const SECRETS_HINT = `${SECRETS_NOT_PASSED}; set 'if-no-credentials: skip' to let such runs succeed without doing anything.`;

/** Below this the runner's masking of the value starts hiding ordinary words all over the log. */
export const SHORT_SECRET_LENGTH = 8;

function warnIfShort(definition: InputDefinition<unknown>, raw: string): void {
  if (raw.length >= SHORT_SECRET_LENGTH) return;
  warning(
    `${describeSource(definition)} is only ${raw.length} character${raw.length === 1 ? '' : 's'} long: the runner replaces every occurrence of it in the log with ***, so unrelated text will be hidden too; use a longer secret`,
  );
}

function describeSource(definition: InputDefinition<unknown>): string {
  return `Input '${definition.name}'`;
}

function fallbackHint(definition: InputDefinition<unknown>): string {
  if (definition.env.length === 0) return '';
  return ` (or set ${definition.env.join(' or ')})`;
}

// ---- Schemas shared by the actions. Each turns the raw text into a typed value. ----

export const text = (): LazySchema<string> => lazy(() => z.string());

export function pattern(regex: RegExp, message: string): LazySchema<string> {
  return lazy(() => z.string().check(z.regex(regex, message)));
}

const BOOLEAN_WORDS: Record<string, boolean> = {
  true: true,
  True: true,
  TRUE: true,
  false: false,
  False: false,
  FALSE: false,
};

/** The YAML 1.2 core-schema booleans, as `core.getBooleanInput` accepts them. */
export const boolean = (): LazySchema<boolean> =>
  lazy(() =>
    z.pipe(
      z.string().check(z.refine((value) => value in BOOLEAN_WORDS, 'must be true or false')),
      z.transform((value: string) => BOOLEAN_WORDS[value] as boolean),
    ),
  );

export function integer(min: number, max: number): LazySchema<number> {
  return lazy(() =>
    z.pipe(
      z.string().check(z.regex(/^\d+$/, 'must be a whole number')),
      z.pipe(
        z.transform((value: string) => Number(value)),
        z
          .number()
          .check(z.refine((value) => value >= min && value <= max, `must be between ${min} and ${max}`)),
      ),
    ),
  );
}

/** An http(s) base URL without credentials, query or fragment. */
export const baseUrl = (): LazySchema<URL> =>
  lazy(() =>
    z.pipe(
      z.string().check(
        z.refine((value) => URL.canParse(value), 'must be an absolute URL such as https://host[:port]'),
        z.refine(
          (value) => !URL.canParse(value) || ['http:', 'https:'].includes(new URL(value).protocol),
          'must start with https:// (or http://)',
        ),
        z.refine(
          (value) =>
            !URL.canParse(value) || (new URL(value).username === '' && new URL(value).password === ''),
          'must not carry credentials',
        ),
        z.refine(
          (value) => !URL.canParse(value) || (new URL(value).search === '' && new URL(value).hash === ''),
          'must not have a query or fragment',
        ),
      ),
      z.transform((value: string) => new URL(value)),
    ),
  );

/** Comma- or newline-separated items, trimmed, empty items dropped. */
export function list<T>(item: LazySchema<T>, itemName: string): LazySchema<T[]> {
  return lazy(() =>
    z.pipe(
      z.transform((value: string) =>
        value
          .split(/[,\n]/)
          .map((part) => part.trim())
          .filter((part) => part !== ''),
      ),
      z.array(item.zod).check(z.minLength(1, `must name at least one ${itemName}`)),
    ),
  );
}

/**
 * Plain http:// is allowed (loopback tests, private networks), never silently: the warning for an
 * input's URLs, one line however many there are, or undefined when all use https.
 */
export function plainHttpWarning(input: string, urls: readonly URL[]): string | undefined {
  const hosts = urls.filter((url) => url.protocol === 'http:').map((url) => url.host);
  if (hosts.length === 0) return undefined;
  const listed =
    hosts.length > 4 ? `${hosts.slice(0, 3).join(', ')} and ${hosts.length - 3} more` : hosts.join(', ');
  return `Input '${input}' uses plain http:// for ${listed}: credentials and tokens travel unencrypted`;
}

/** One of a fixed set of words. */
export function oneOf<const W extends string>(...words: W[]): LazySchema<W> {
  return lazy(
    () =>
      z
        .string()
        .check(
          z.refine((value) => (words as string[]).includes(value), `must be ${words.join(' or ')}`),
        ) as unknown as z.ZodMiniType<W, string>,
  );
}

/** `max-attempts`, `timeout` and `if-no-credentials`, which every action takes. */
export const commonInputs = {
  maxAttempts: optional('max-attempts', integer(1, 10), { default: 3 }),
  timeoutSeconds: optional('timeout', integer(1, 600), { default: 30 }),
  ifNoCredentials: optional('if-no-credentials', oneOf('fail', 'skip'), { default: 'fail' }),
};
