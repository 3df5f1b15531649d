// `tokenExpirationTime` is a Go duration that service-center parses with `time.ParseDuration` and
// accepts only between 15m and 24h (its pkg/validate/token_expiration_time_checker.go). Checking it here, with Go's exact rules, means a
// typo costs no request at all. The arithmetic follows the Go source step by step (uint64
// nanoseconds, float64 only for fractions), so values at the edges round as the server rounds them.

const NANOSECONDS_PER_UNIT: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n, // U+00B5 micro sign
  μs: 1_000n, // U+03BC Greek small letter mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const TWO_TO_63 = 1n << 63n;
const MAX_INT64 = TWO_TO_63 - 1n;

export const MIN_TOKEN_EXPIRATION_NS = 15n * NANOSECONDS_PER_UNIT['m']!;
export const MAX_TOKEN_EXPIRATION_NS = 24n * NANOSECONDS_PER_UNIT['h']!;

export type DurationResult = { ok: true; nanoseconds: bigint } | { ok: false; reason: string };

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/** Go's `time.ParseDuration`: a signed sequence of `<number><unit>`, e.g. `1h30m`, `1.5h`, `-90s`. */
export function parseGoDuration(text: string): DurationResult {
  const invalid: DurationResult = { ok: false, reason: 'is malformed' };
  let s = text;
  let negative = false;
  if (s[0] === '-' || s[0] === '+') {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return { ok: true, nanoseconds: 0n };
  if (s === '') return invalid;

  let total = 0n;
  while (s !== '') {
    if (!(s[0] === '.' || isDigit(s[0]))) return invalid;
    // Integer part: more than 2^63 is an overflow.
    let whole = 0n;
    let i = 0;
    for (; isDigit(s[i]); i++) {
      if (whole > TWO_TO_63 / 10n) return invalid;
      whole = whole * 10n + BigInt(s[i]!);
      if (whole > TWO_TO_63) return invalid;
    }
    const hasWhole = i > 0;
    s = s.slice(i);
    // Fraction part: digits beyond what fits are consumed and ignored, as Go does.
    let fraction = 0n;
    let scale = 1;
    let hasFraction = false;
    if (s[0] === '.') {
      s = s.slice(1);
      let j = 0;
      let overflow = false;
      for (; isDigit(s[j]); j++) {
        if (overflow) continue;
        if (fraction > MAX_INT64 / 10n) {
          overflow = true;
          continue;
        }
        const next = fraction * 10n + BigInt(s[j]!);
        if (next > TWO_TO_63) {
          overflow = true;
          continue;
        }
        fraction = next;
        scale *= 10;
      }
      hasFraction = j > 0;
      s = s.slice(j);
    }
    if (!hasWhole && !hasFraction) return invalid;
    // Unit: everything up to the next digit or dot.
    let k = 0;
    while (k < s.length && !(s[k] === '.' || isDigit(s[k]))) k++;
    if (k === 0) return { ok: false, reason: 'has a number without a unit (ns, us, ms, s, m or h)' };
    const unitName = s.slice(0, k);
    s = s.slice(k);
    const unit = NANOSECONDS_PER_UNIT[unitName];
    if (unit === undefined) {
      return {
        ok: false,
        reason: `has unknown unit '${unitName}' (units are ns, us, ms, s, m, h: no d, lower case)`,
      };
    }
    if (whole > TWO_TO_63 / unit) return invalid;
    let value = whole * unit;
    if (fraction > 0n) {
      // float64(f) * (float64(unit) / scale), truncated toward zero, exactly as Go computes it.
      value += BigInt(Math.trunc(Number(fraction) * (Number(unit) / scale)));
      if (value > TWO_TO_63) return invalid;
    }
    total += value;
    if (total > TWO_TO_63) return invalid;
  }
  if (negative) return { ok: true, nanoseconds: -total };
  if (total > MAX_INT64) return invalid;
  return { ok: true, nanoseconds: total };
}

/** Why a `tokenExpirationTime` would be refused by service-center, or undefined when it is accepted. */
export function tokenExpirationProblem(text: string): string | undefined {
  const parsed = parseGoDuration(text);
  if (!parsed.ok) return `must be a Go duration such as 90m, 1h30m or 12h: '${text}' ${parsed.reason}`;
  if (parsed.nanoseconds < MIN_TOKEN_EXPIRATION_NS || parsed.nanoseconds > MAX_TOKEN_EXPIRATION_NS) {
    return `must be between 15m and 24h inclusive (service-center refuses other values): '${text}' is not`;
  }
  return undefined;
}
