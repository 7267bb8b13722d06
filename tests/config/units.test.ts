import { describe, expect, it } from 'vitest';
import { UnitError, formatDuration, formatSize, parseDuration, parseSize } from '../../machine/config/units.js';

function unitError(f: () => unknown): UnitError {
  try {
    f();
  } catch (err) {
    if (err instanceof UnitError) return err;
    throw err;
  }
  throw new Error('no UnitError');
}

describe('parseSize', () => {
  it.each([
    [4096, 4096],
    ['4096', 4096],
    ['512B', 512],
    ['640KiB', 640 * 1024],
    ['128MiB', 128 * 1024 * 1024],
    ['128 MiB', 128 * 1024 * 1024],
    ['1.5GiB', 1.5 * 1024 ** 3],
    ['4GiB', 4 * 1024 ** 3],
  ] as const)('%s → %d', (input, bytes) => expect(parseSize(input)).toBe(bytes));

  it.each([
    ['128MB', 'Write 128MiB'],
    ['128mb', 'Write 128MiB'],
    ['128M', 'Write 128MiB'],
    ['64kb', 'Write 64KiB'],
    ['2G', 'Write 2GiB'],
    ['128mib', 'Write 128MiB'],
    ['12 parsecs', 'Use one of B, KiB, MiB, GiB'],
    ['lots', 'e.g. 128MiB'],
    ['1.5B', 'smaller unit'],
  ])('refuses %s (%s)', (input, hint) => {
    expect(unitError(() => parseSize(input)).hint).toContain(hint);
  });

  it('refuses fractional and negative numbers of bytes', () => {
    expect(() => parseSize(1.5)).toThrow(UnitError);
    expect(() => parseSize(-1)).toThrow(UnitError);
  });

  it('formats sizes back', () => {
    expect(formatSize(128 * 1024 * 1024)).toBe('128MiB');
    expect(formatSize(1536)).toBe('1.5KiB');
    expect(formatSize(100)).toBe('100B');
  });
});

describe('parseDuration', () => {
  it.each([
    ['5s', 5e9],
    ['250ms', 250e6],
    ['1.5s', 1.5e9],
    ['1.1s', 1.1e9],
    ['100us', 100e3],
    ['100µs', 100e3],
    ['20ns', 20],
    ['2min', 120e9],
    [' 3 ms ', 3e6],
    ['0', 0],
    ['.5s', 0.5e9],
  ] as const)('%s → %d ns', (input, ns) => expect(parseDuration(input)).toBe(ns));

  it.each([
    ['5', 'Write 5s, 5ms, 5us or 5ns'],
    ['5sec', 'Write 5s'],
    ['5 seconds', 'Write 5s'],
    ['250MS', 'Write 250ms'],
    ['5m', '5min for minutes or 5ms'],
    ['5 fortnights', 'Use one of ns, us, ms, s, min, h'],
    ['1.5ns', 'Durations resolve to 1 ns'],
    ['-5s', 'Write a number followed by a unit'],
    ['soon', 'e.g. 5s or 250ms'],
  ])('refuses %s (%s)', (input, hint) => {
    const err = unitError(() => parseDuration(input));
    expect(err.hint).toContain(hint);
    expect(err.message).toContain(input);
  });

  it('formats durations back', () => {
    expect(formatDuration(1.5e9)).toBe('1.5s');
    expect(formatDuration(250e6)).toBe('250ms');
    expect(formatDuration(20)).toBe('20ns');
  });
});
