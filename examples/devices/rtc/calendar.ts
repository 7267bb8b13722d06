// Time base and calendar of the MC146818 example device: the 32.768 kHz divider chain as a grid
// of numbered edges in machine time, the proleptic Gregorian calendar, and the BCD / 12-hour
// register encodings. Pure functions, used by rtc.ts.

// ---- the 32.768 kHz time base --------------------------------------------------------------------

export const RTC_HZ = 32_768;
const NS_PER_S = 1_000_000_000;
/** The update cycle ends on this phase of the 1 Hz tap (500 ms after the divider leaves reset). */
export const HALF_SECOND = RTC_HZ / 2;
/**
 * UIP is high for t_BUC + t_UC = 244 µs + 1984 µs before each update ends: 73 edges of the
 * 32.768 kHz clock (2227.8 µs). Reading UIP = 0 promises at least 244 µs of stable registers.
 */
export const UIP_TICKS = 73;

/** Number of the last 32.768 kHz edge at or before machine time `t` (ns). */
export function tickAt(t: number): number {
  const ns = Math.floor(t);
  const s = Math.floor(ns / NS_PER_S);
  const r = ns - s * NS_PER_S; // 0..1e9-1, so r * 32768 < 2^53
  return s * RTC_HZ + Math.floor((r * RTC_HZ) / NS_PER_S);
}

/** The first whole nanosecond at which edge `tick` has happened (tickAt(result) === tick). */
export function timeOfTick(tick: number): number {
  const s = Math.floor(tick / RTC_HZ);
  const r = tick - s * RTC_HZ;
  // r * 1e9 / 32768 = r * 30517.578125 is exact in a double, so ceil() is exact too.
  return s * NS_PER_S + Math.ceil((r * NS_PER_S) / RTC_HZ);
}

/**
 * Period of the periodic interrupt in 32.768 kHz edges for rate select `rs` (register A bits
 * 3..0): 32768 >> (rs - 1) Hz for rs >= 3; rs 1 and 2 give 256 and 128 Hz like rs 8 and 9 (the
 * datasheet's table for the 32.768 kHz time base); 0 turns it off.
 */
export function periodTicks(rs: number): number {
  if (rs === 0) return 0;
  const r = rs <= 2 ? rs + 7 : rs;
  return 1 << (r - 1);
}

/** Frequency in Hz of rate select `rs`; 0 when off. */
export function rateHz(rs: number): number {
  const p = periodTicks(rs);
  return p === 0 ? 0 : RTC_HZ / p;
}

/** Rate select for a frequency of 2..8192 Hz (a power of two), 0 for 0 Hz. */
export function rateSelectFor(hz: number): number {
  if (hz === 0) return 0;
  return 16 - Math.log2(hz);
}

/** How many of the edges o + k*m (any integer k) lie in (a, b]. */
export function boundariesIn(a: number, b: number, o: number, m: number): number {
  return Math.floor((b - o) / m) - Math.floor((a - o) / m);
}

/** The first edge o + k*m strictly after a. */
export function nextBoundary(a: number, o: number, m: number): number {
  return o + (Math.floor((a - o) / m) + 1) * m;
}

export const mod = (a: number, m: number): number => ((a % m) + m) % m;

// ---- the calendar ----------------------------------------------------------------------------------

/** The clock registers as binary numbers (hours 0..23), whatever the data mode shows the guest. */
export interface ClockFields {
  sec: number;
  min: number;
  hour: number;
  /** Day of week 1..7, Sunday = 1: a counter of its own, advanced at midnight. */
  dow: number;
  dom: number;
  month: number;
  /** Two digits; the hundreds live in `century` (CMOS 0x32). */
  year: number;
  century: number;
}

export const SECONDS_PER_DAY = 86_400;

/** Days since 1970-01-01 of a proleptic Gregorian date (month 1..12). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400; // 0..399
  const mp = (month + 9) % 12; // March = 0
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** The date `days` after 1970-01-01. */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/**
 * Seconds since 1970 of what the registers say. Out-of-range values (a guest wrote day 31 in
 * February) carry into the next field, so the clock goes on from a real date at the next update.
 */
export function secondsOf(f: ClockFields): number {
  const months = f.month - 1;
  const year = f.century * 100 + f.year + Math.floor(months / 12);
  const days = daysFromCivil(year, mod(months, 12) + 1, 1) + f.dom - 1;
  return days * SECONDS_PER_DAY + f.hour * 3600 + f.min * 60 + f.sec;
}

/** The registers for `seconds` since 1970; `dow` is computed (Sunday = 1). */
export function fieldsOf(seconds: number): ClockFields {
  const days = Math.floor(seconds / SECONDS_PER_DAY);
  const sod = seconds - days * SECONDS_PER_DAY;
  const { year, month, day } = civilFromDays(days);
  return {
    sec: sod % 60,
    min: Math.floor(sod / 60) % 60,
    hour: Math.floor(sod / 3600),
    dow: mod(days + 4, 7) + 1, // 1970-01-01 was a Thursday (5)
    dom: day,
    month,
    year: mod(year, 100),
    century: mod(Math.floor(year / 100), 100),
  };
}

const START_FORM = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?Z?$/;

/** Days in `month` (1..12) of `year`, proleptic Gregorian. */
export function daysInMonth(year: number, month: number): number {
  return daysFromCivil(month === 12 ? year + 1 : year, month === 12 ? 1 : month + 1, 1) - daysFromCivil(year, month, 1);
}

/** What is wrong with a `start` option, if anything ("YYYY-MM-DDTHH:MM[:SS[.fff]][Z]"). */
export function startProblem(iso: string): string | undefined {
  const m = START_FORM.exec(iso);
  if (!m) return `"${iso}" is not an ISO date-time without offset (YYYY-MM-DDTHH:MM:SS, optionally with Z).`;
  const [y, mo, d, h, mi, s] = m.slice(1).map((v) => (v === undefined ? 0 : Number(v)));
  if (mo < 1 || mo > 12) return `"${iso}": there is no month ${mo}.`;
  if (d < 1 || d > daysInMonth(y, mo)) return `"${iso}": month ${mo} of ${y} has no day ${d}.`;
  if (h > 23 || mi > 59 || s > 59) return `"${iso}": ${h}:${mi}:${s} is not a time of day.`;
  return undefined;
}

/**
 * Whole seconds since 1970 of the digits of an ISO date-time (Z or no offset: the registers show
 * those very digits; fractions of a second are dropped).
 */
export function parseStart(iso: string): number {
  const problem = startProblem(iso);
  if (problem) throw new Error(problem);
  const [y, mo, d, h, mi, s] = START_FORM.exec(iso)!.slice(1).map((v) => (v === undefined ? 0 : Number(v)));
  return daysFromCivil(y, mo, d) * SECONDS_PER_DAY + h * 3600 + mi * 60 + s;
}

// ---- BCD / binary, 12 / 24 hours -------------------------------------------------------------------

/** A register byte as a number in the current data mode; `ok` is false for a BCD digit A..F. */
export function decodeByte(raw: number, binary: boolean): { value: number; ok: boolean } {
  if (binary) return { value: raw, ok: true };
  const hi = raw >> 4;
  const lo = raw & 0x0f;
  return { value: hi * 10 + lo, ok: hi <= 9 && lo <= 9 };
}

export function encodeByte(value: number, binary: boolean): number {
  if (binary) return value & 0xff;
  const v = mod(value, 100);
  return (Math.floor(v / 10) << 4) | (v % 10);
}

/** Hours 0..23 as the hours register shows them: 12-hour mode is 1..12 with bit 7 = PM. */
export function encodeHours(hour: number, binary: boolean, h24: boolean): number {
  if (h24) return encodeByte(hour, binary);
  const h12 = hour % 12 === 0 ? 12 : hour % 12;
  return encodeByte(h12, binary) | (hour >= 12 ? 0x80 : 0);
}

/** An hours byte to 0..23; `ok` false when the guest wrote something the chip would not count. */
export function decodeHours(raw: number, binary: boolean, h24: boolean): { value: number; ok: boolean } {
  if (h24) {
    const { value, ok } = decodeByte(raw, binary);
    return { value, ok: ok && value <= 23 };
  }
  const { value, ok } = decodeByte(raw & 0x7f, binary);
  return { value: (value % 12) + (raw & 0x80 ? 12 : 0), ok: ok && value >= 1 && value <= 12 };
}

