import { describe, expect, it } from 'vitest';
import { parseGoDuration, tokenExpirationProblem } from '../src/duration.ts';

const ns = (value: bigint) => ({ ok: true, nanoseconds: value });

describe('parseGoDuration (Go time.ParseDuration)', () => {
  it.each([
    // Cases from Go's own time_test.go parseDurationTests.
    ['0', 0n],
    ['5s', 5_000_000_000n],
    ['30s', 30_000_000_000n],
    ['1478s', 1_478_000_000_000n],
    ['-5s', -5_000_000_000n],
    ['+5s', 5_000_000_000n],
    ['-0', 0n],
    ['+0', 0n],
    ['5.0s', 5_000_000_000n],
    ['5.6s', 5_600_000_000n],
    ['5.s', 5_000_000_000n],
    ['.5s', 500_000_000n],
    ['1.0s', 1_000_000_000n],
    ['1.00s', 1_000_000_000n],
    ['1.004s', 1_004_000_000n],
    ['1.0040s', 1_004_000_000n],
    ['100.00100s', 100_001_000_000n],
    ['10ns', 10n],
    ['11us', 11_000n],
    ['12µs', 12_000n],
    ['12μs', 12_000n],
    ['13ms', 13_000_000n],
    ['14s', 14_000_000_000n],
    ['15m', 900_000_000_000n],
    ['16h', 57_600_000_000_000n],
    ['3h30m', 12_600_000_000_000n],
    ['10.5s4m', 250_500_000_000n],
    ['-2m3.4s', -123_400_000_000n],
    ['1h2m3s4ms5us6ns', 3_723_004_005_006n],
    ['39h9m14.425s', 140_954_425_000_000n],
    ['52763797000ns', 52_763_797_000n],
    ['0.3333333333333333333h', 1_200_000_000_000n],
    ['9007199254740993ns', 9_007_199_254_740_993n],
    ['9223372036854775807ns', 9_223_372_036_854_775_807n],
    ['9223372036854775.807us', 9_223_372_036_854_775_807n],
    ['9223372036s854ms775us807ns', 9_223_372_036_854_775_807n],
    ['-9223372036854775808ns', -9_223_372_036_854_775_808n],
    ['0.100000000000000000000h', 360_000_000_000n],
    ['0.830103483285477580700h', 2_988_372_539_827n],
  ])('%s', (text, value) => {
    expect(parseGoDuration(text)).toEqual(ns(value));
  });

  it.each([
    '',
    '3',
    '-',
    's',
    '.',
    '-.',
    '.s',
    '+.s',
    '1d',
    '\x85\x85',
    '\xffff',
    'hello \xffff world',
    '9223372036854775808ns',
    '9223372036854775.808us',
    '9223372036854ms775us808ns',
    '12H',
    '12 h',
    ' 12h',
  ])('refuses %j', (text) => {
    expect(parseGoDuration(text).ok).toBe(false);
  });
});

describe('tokenExpirationProblem (15m ≤ d ≤ 24h)', () => {
  it.each(['15m', '90m', '1h30m', '1.5h', '12h', '24h', '900s', '86400s', '0.25h', '1440m'])(
    'accepts %s',
    (text) => {
      expect(tokenExpirationProblem(text)).toBeUndefined();
    },
  );

  it.each([
    ['10m', 'must be between 15m and 24h'],
    ['14m59.999999999s', 'must be between 15m and 24h'],
    ['24h1s', 'must be between 15m and 24h'],
    ['24h0.000000001s', 'must be between 15m and 24h'],
    ['25h', 'must be between 15m and 24h'],
    ['10s', 'must be between 15m and 24h'],
    ['-1h', 'must be between 15m and 24h'],
    ['0', 'must be between 15m and 24h'],
    ['1d', "has unknown unit 'd'"],
    ['12H', "has unknown unit 'H'"],
    ['12 h', "has unknown unit ' h'"],
    ['12', 'has a number without a unit'],
    ['twelve hours', 'is malformed'],
  ])('refuses %s', (text, reason) => {
    expect(tokenExpirationProblem(text)).toContain(reason);
    expect(tokenExpirationProblem(text)).toContain(`'${text}'`);
  });
});
