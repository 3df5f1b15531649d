// The runner's secret masker, reduced to what decides whether a log line leaks: each registered
// value, each of its lines, and the encoded variants the runner registers with it (docs/specs/runner.md §4).

/** Decodes the `::add-mask::` escaping of @actions/core (`%25`, `%0D`, `%0A`). */
export function decodeCommandValue(value: string): string {
  return value.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

export function variantsOf(secret: string): string[] {
  const values = new Set<string>();
  const add = (value: string): void => {
    if (value.trim() !== '') values.add(value);
  };
  const lines = secret.split(/\r?\n|\r/).map((line) => line.trim());
  for (const value of [secret, ...lines]) {
    if (value === '') continue;
    add(value);
    const bytes = Buffer.from(value);
    add(bytes.toString('base64'));
    if (bytes.length > 1) add(bytes.subarray(1).toString('base64').replace(/=+$/, ''));
    if (bytes.length > 2) add(bytes.subarray(2).toString('base64').replace(/=+$/, ''));
    add(JSON.stringify(value).slice(1, -1));
    add(value.replace(/"/g, '\\"'));
    add(
      encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
    );
  }
  // Longest first, so a value is replaced before a shorter variant inside it.
  return [...values].sort((a, b) => b.length - a.length);
}

export interface RenderedLog {
  /** The log as the runner would display it. */
  text: string;
  /** Registered secrets, in registration order. */
  masks: string[];
  /** Secrets that appeared in raw output before their own add-mask line. */
  shownBeforeMask: string[];
}

/** Renders stdout as the runner would, given the secrets the test knows about. */
export function renderLog(raw: string, knownSecrets: string[], debug: boolean): RenderedLog {
  const masks: string[] = [];
  const variants: string[] = [];
  const shownBeforeMask: string[] = [];
  const out: string[] = [];
  // Longest first, so a mask inside a longer one cannot break it up; sorted once per run of
  // add-mask lines, not after each (thousands of masks would otherwise take a minute).
  let sorted = true;
  for (const line of raw.split('\n')) {
    const match = /^::add-mask::(.*)$/.exec(line);
    if (match) {
      const value = decodeCommandValue(match[1] ?? '');
      masks.push(value);
      variants.push(...variantsOf(value));
      sorted = false;
      if (debug) out.push('::add-mask::***');
      continue;
    }
    if (!sorted) {
      variants.sort((a, b) => b.length - a.length);
      sorted = true;
    }
    let masked = line;
    for (const variant of variants) masked = masked.split(variant).join('***');
    for (const secret of knownSecrets) {
      if (
        secret !== '' &&
        line.includes(secret) &&
        !masks.some((mask) => secret.includes(mask) || mask.includes(secret))
      ) {
        shownBeforeMask.push(secret);
      }
    }
    out.push(masked);
  }
  return { text: out.join('\n'), masks, shownBeforeMask };
}

/** Masks a whole text (stderr, files) with the final set of registered values. */
export function maskText(text: string, masks: string[]): string {
  const variants = masks.flatMap(variantsOf).sort((a, b) => b.length - a.length);
  let masked = text;
  for (const variant of variants) masked = masked.split(variant).join('***');
  return masked;
}
