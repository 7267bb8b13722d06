// Sizes ("128MiB") and durations ("250ms") as people write them, parsed strictly: a unit that
// could mean two things (MB: 10^6 or 2^20?) is refused with the spelling that is accepted.

/** A size or duration that does not parse. `hint` says how to write it. */
export class UnitError extends Error {
  override readonly name = 'UnitError';
  constructor(message: string, readonly hint: string) {
    super(message);
  }
}

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

export const SIZE_UNITS: Readonly<Record<string, number>> = { B: 1, KiB, MiB, GiB, TiB: 1024 * GiB };

/** Spellings people use for the binary units, mapped to the one we accept. */
const SIZE_ALIASES: Readonly<Record<string, string>> = {
  b: 'B', byte: 'B', bytes: 'B',
  k: 'KiB', kb: 'KiB', kib: 'KiB', kbyte: 'KiB', kbytes: 'KiB',
  m: 'MiB', mb: 'MiB', mib: 'MiB', mbyte: 'MiB', mbytes: 'MiB',
  g: 'GiB', gb: 'GiB', gib: 'GiB', gbyte: 'GiB', gbytes: 'GiB',
  t: 'TiB', tb: 'TiB', tib: 'TiB',
};

const SIZE_RE = /^([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)$/;
const SIZE_UNIT_LIST = 'B, KiB, MiB, GiB';

/**
 * Bytes from a number of bytes or a string with a binary unit: "4096", "640KiB", "1.5GiB".
 * Throws UnitError for unknown units (with the accepted spelling), fractions of a byte, negatives.
 */
export function parseSize(input: string | number): number {
  if (typeof input === 'number') {
    if (!Number.isSafeInteger(input) || input < 0) {
      throw new UnitError(`${input} is not a whole number of bytes.`, `Write a whole number of bytes or a size such as 128MiB.`);
    }
    return input;
  }
  const text = input.trim();
  const m = SIZE_RE.exec(text);
  if (!m) {
    throw new UnitError(
      `"${input}" is not a size.`,
      `Write a number followed by one of ${SIZE_UNIT_LIST}, e.g. 128MiB.`,
    );
  }
  const [, digits, unitText] = m;
  const unit = unitText === '' ? 'B' : unitText;
  const factor = SIZE_UNITS[unit];
  if (factor === undefined) {
    const fixed = SIZE_ALIASES[unit.toLowerCase()];
    if (fixed) {
      throw new UnitError(
        `"${input}": unknown unit "${unit}".`,
        `Write ${digits}${fixed}: sizes use the binary units ${SIZE_UNIT_LIST} (1 MiB = 1024 KiB), so that there is no doubt between 1000 and 1024.`,
      );
    }
    throw new UnitError(`"${input}": unknown unit "${unit}".`, `Use one of ${SIZE_UNIT_LIST}, e.g. 128MiB.`);
  }
  const bytes = Number(digits) * factor;
  if (!Number.isSafeInteger(bytes)) {
    throw new UnitError(`"${input}" is not a whole number of bytes.`, `Use a smaller unit, e.g. ${Math.round(Number(digits) * (factor / 1024))}${smallerUnit(unit)}.`);
  }
  return bytes;
}

function smallerUnit(unit: string): string {
  return ({ KiB: 'B', MiB: 'KiB', GiB: 'MiB', TiB: 'GiB' } as Record<string, string>)[unit] ?? 'B';
}

/** "128MiB", "1.5GiB", "4096B": the shortest exact spelling of a byte count. */
export function formatSize(bytes: number): string {
  for (const unit of ['TiB', 'GiB', 'MiB', 'KiB']) {
    const f = SIZE_UNITS[unit];
    if (bytes >= f && bytes % (f / 4) === 0) return `${bytes / f}${unit}`;
  }
  return `${bytes}B`;
}

/** Duration units in ns. */
export const DURATION_UNITS: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  'µs': 1e3,
  'μs': 1e3,
  ms: 1e6,
  s: 1e9,
  min: 60e9,
  h: 3600e9,
};

const DURATION_ALIASES: Readonly<Record<string, string>> = {
  nsec: 'ns', nsecs: 'ns', nanosecond: 'ns', nanoseconds: 'ns',
  usec: 'us', usecs: 'us', microsecond: 'us', microseconds: 'us',
  msec: 'ms', msecs: 'ms', millisecond: 'ms', milliseconds: 'ms',
  sec: 's', secs: 's', second: 's', seconds: 's',
  mins: 'min', minute: 'min', minutes: 'min',
  hr: 'h', hrs: 'h', hour: 'h', hours: 'h',
};

const DURATION_RE = /^([0-9]+(?:\.[0-9]+)?|\.[0-9]+)\s*([A-Za-zµμ]*)$/;
const DURATION_UNIT_LIST = 'ns, us, ms, s, min, h';

/**
 * Nanoseconds from a duration such as "5s", "250ms", "1.5s", "100us", "20ns" ("0" alone is 0).
 * Throws UnitError when the unit is missing or unknown, or the result is not a whole ns.
 */
export function parseDuration(input: string): number {
  const text = input.trim();
  const m = DURATION_RE.exec(text);
  if (!m) {
    throw new UnitError(`"${input}" is not a duration.`, `Write a number followed by a unit (${DURATION_UNIT_LIST}), e.g. 5s or 250ms.`);
  }
  const [, digits, unit] = m;
  const value = Number(digits);
  if (unit === '') {
    if (value === 0) return 0;
    throw new UnitError(`"${input}" has no unit.`, `Write ${digits}s, ${digits}ms, ${digits}us or ${digits}ns.`);
  }
  let factor = DURATION_UNITS[unit];
  if (factor === undefined) {
    const lower = unit.toLowerCase();
    const fixed = DURATION_ALIASES[lower] ?? (DURATION_UNITS[lower] !== undefined ? lower : undefined);
    if (fixed) throw new UnitError(`"${input}": unknown unit "${unit}".`, `Write ${digits}${fixed}.`);
    if (lower === 'm') {
      throw new UnitError(`"${input}": unit "m" is ambiguous.`, `Write ${digits}min for minutes or ${digits}ms for milliseconds.`);
    }
    throw new UnitError(`"${input}": unknown unit "${unit}".`, `Use one of ${DURATION_UNIT_LIST}, e.g. 250ms.`);
  }
  const ns = value * factor;
  // 1.1s * 1e9 is 1100000000.0000002 in binary floating point: round what is within rounding error.
  const rounded = Math.round(ns);
  if (Math.abs(ns - rounded) > Math.max(1e-9, ns * 1e-12)) {
    throw new UnitError(`"${input}" is not a whole number of nanoseconds.`, `Durations resolve to 1 ns; write e.g. ${Math.round(ns)}ns.`);
  }
  if (!Number.isSafeInteger(rounded)) {
    throw new UnitError(`"${input}" is too long.`, `Durations go up to about 104 days (2^53 ns).`);
  }
  return rounded;
}

/** "1.5s", "250ms", "20ns": a short exact spelling of a duration in ns. */
export function formatDuration(ns: number): string {
  for (const unit of ['h', 'min', 's', 'ms', 'us']) {
    const f = DURATION_UNITS[unit];
    if (ns >= f && Number.isInteger((ns / f) * 1000)) return `${ns / f}${unit}`;
  }
  return `${ns}ns`;
}
