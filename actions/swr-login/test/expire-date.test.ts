// expire_date has no documented format: only an RFC 3339 time with a zone becomes expires-at;
// everything else is reported verbatim (made printable), never guessed.
import { EXPIRE_DATE_STYLES, formatExpireDate } from '@cloudcreds/emulators/swr';
import { describe, expect, it } from 'vitest';
import { readExpireDate } from '../src/enterprise/expire-date.ts';

describe('expire_date', () => {
  it.each([
    ['2026-03-19T07:47:21Z', '2026-03-19T07:47:21.000Z'],
    ['2026-03-19t07:47:21z', '2026-03-19T07:47:21.000Z'],
    ['2026-03-19 07:47:21Z', '2026-03-19T07:47:21.000Z'],
    ['2026-03-19T15:47:21+08:00', '2026-03-19T07:47:21.000Z'],
    ['2026-03-19T02:17:21-05:30', '2026-03-19T07:47:21.000Z'],
    ['2026-03-19T07:47:21+00:00', '2026-03-19T07:47:21.000Z'],
    ['2026-03-19T07:47:21.5Z', '2026-03-19T07:47:21.500Z'],
    ['2026-03-19T07:47:21.123456789Z', '2026-03-19T07:47:21.123Z'],
    ['2026-03-20T00:30:00+01:00', '2026-03-19T23:30:00.000Z'],
    ['2024-02-29T12:00:00Z', '2024-02-29T12:00:00.000Z'],
    ['0099-01-01T00:00:00Z', '0099-01-01T00:00:00.000Z'],
  ])('reads %s as the instant %s', (value, expiresAt) => {
    expect(readExpireDate(value)).toEqual({ kind: 'instant', expiresAt });
  });

  it.each([
    ['a time without a zone', '2026-03-19T07:47:21'],
    ['a space-separated time without a zone', '2026-03-19 07:47:21'],
    ['a date alone', '2026-03-19'],
    ['epoch seconds as text', '1773906441'],
    ['an offset without a colon', '2026-03-19T15:47:21+0800'],
    ['30 February', '2025-02-30T00:00:00Z'],
    ['29 February of a common year', '2025-02-29T00:00:00Z'],
    ['month 13', '2026-13-01T00:00:00Z'],
    ['hour 24', '2026-03-19T24:00:00Z'],
    ['a leap second (a real RFC 3339 value, but placing it would be a guess)', '2016-12-31T23:59:60Z'],
    ['an offset of 24 hours', '2026-03-19T07:47:21+24:00'],
    ['leading whitespace', ' 2026-03-19T07:47:21Z'],
    ['words', 'tomorrow'],
  ])('reports %s verbatim', (_what, value) => {
    expect(readExpireDate(value)).toEqual({ kind: 'unreadable', raw: value.trim() });
  });

  it('reports a JSON number as its text, and absent, null or empty as absent', () => {
    expect(readExpireDate(1773906441)).toEqual({ kind: 'unreadable', raw: '1773906441' });
    for (const value of [undefined, null, '']) expect(readExpireDate(value)).toEqual({ kind: 'absent' });
  });

  it('makes a hostile value printable and short before anyone can print it', () => {
    const result = readExpireDate(`::error::forged\n##[group]x${'y'.repeat(200)}`);
    expect(result.kind).toBe('unreadable');
    const raw = result.kind === 'unreadable' ? result.raw : '';
    expect(raw).not.toContain('::error::');
    expect(raw).not.toContain('##[');
    expect(raw).not.toContain('\n');
    expect(raw.length).toBeLessThanOrEqual(80);
  });

  it.each(EXPIRE_DATE_STYLES.map((style) => [style]))(
    "reads the emulator's %s style exactly when it carries a zone",
    (style) => {
      const at = Date.UTC(2026, 2, 19, 7, 47, 21);
      const written = formatExpireDate(at, style);
      const read = readExpireDate(written);
      if (style.startsWith('rfc3339-'))
        expect(read).toEqual({ kind: 'instant', expiresAt: new Date(at).toISOString() });
      else if (style === 'absent') expect(read).toEqual({ kind: 'absent' });
      else expect(read).toEqual({ kind: 'unreadable', raw: written });
    },
  );
});
