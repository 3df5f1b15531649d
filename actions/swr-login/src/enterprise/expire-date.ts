// The Enterprise temporary credential's `expire_date` has no documented format (docs/specs/swr.md §10). Only
// an RFC 3339 date-time WITH a zone (`Z` or `±hh:mm`) names one instant; a time without a zone, a
// bare number or anything else could be read several ways, so it is reported verbatim and
// `expires-at` stays unset rather than guessed wrong. Each field is range-checked by hand because
// Date.parse rolls impossible dates over (`2025-02-30` becomes 2 March) and accepts `24:00`.
import { printable } from '@cloudcreds/core';

export type ExpireDate =
  /** An unambiguous instant, as ISO-8601 UTC with milliseconds. */
  | { kind: 'instant'; expiresAt: string }
  /** Present but not an RFC 3339 time with a zone: the raw value, made printable, for a warning. */
  | { kind: 'unreadable'; raw: string }
  | { kind: 'absent' };

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** Reads `expire_date` as the answer carries it (any JSON value). */
export function readExpireDate(value: unknown): ExpireDate {
  if (value === undefined || value === null || value === '') return { kind: 'absent' };
  const raw = typeof value === 'string' ? value : JSON.stringify(value);
  const instant = typeof value === 'string' ? rfc3339Instant(value) : undefined;
  return instant === undefined
    ? { kind: 'unreadable', raw: printable(raw, 80) }
    : { kind: 'instant', expiresAt: new Date(instant).toISOString() };
}

/** Epoch milliseconds of an RFC 3339 date-time with a zone, or undefined. Fractions below 1 ms are cut. */
export function rfc3339Instant(text: string): number | undefined {
  const match = RFC3339.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const [, , , , , , , fraction = '', utc, sign, offsetHours = '0', offsetMinutes = '0'] = match;
  // Second 60 (a leap second) is valid RFC 3339, but turning it into an instant would be a guess.
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  if (Number(offsetHours) > 23 || Number(offsetMinutes) > 59) return undefined;
  const millis = Number(fraction.padEnd(3, '0').slice(0, 3));
  // setUTCFullYear, because Date.UTC maps years 0–99 to 1900–1999.
  const local =
    new Date(0).setUTCFullYear(year, month - 1, day) + ((hour * 60 + minute) * 60 + second) * 1000 + millis;
  if (utc !== undefined) return local;
  const offset = (Number(offsetHours) * 60 + Number(offsetMinutes)) * 60_000;
  return sign === '+' ? local - offset : local + offset;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
