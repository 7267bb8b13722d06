// The core of an example *user* device: a Motorola MC146818 real-time clock with its CMOS RAM, as
// the PC/AT has it at ports 0x70 (index) and 0x71 (data), interrupting on IRQ8.
//
// Like the built-in cores it is a plain object: no I/O, no host clock, no timers. Machine time
// comes from ctx.now() (ns); the chip's 32.768 kHz divider chain is a grid of numbered edges in
// that time, so every event (periodic-interrupt taps, the once-a-second update) is a pure function
// of machine time. Nothing ticks: every access first brings the chip up to now (sync), and
// nextDeadline() names the next machine time at which the IRQ line would rise, so the bus only
// calls advance() when something the guest can see without polling is due.
import { z } from 'zod';
import type { AccessSize, DeviceContext, DeviceCore, DeviceState, Level } from '../../../bus/device.js';

// ---- registers ---------------------------------------------------------------------------------

/** Region indices, in the order the module declares them. */
export const REGION_INDEX = 0;
export const REGION_DATA = 1;

/** Register numbers (the index written to port 0x70, bits 6..0). */
export const REG = {
  SECONDS: 0x00,
  SECONDS_ALARM: 0x01,
  MINUTES: 0x02,
  MINUTES_ALARM: 0x03,
  HOURS: 0x04,
  HOURS_ALARM: 0x05,
  DAY_OF_WEEK: 0x06,
  DAY_OF_MONTH: 0x07,
  MONTH: 0x08,
  YEAR: 0x09,
  A: 0x0a,
  B: 0x0b,
  C: 0x0c,
  D: 0x0d,
  /** Century, by PC/AT convention (IBM's BIOS, QEMU, the ACPI FADT CENTURY field). */
  CENTURY: 0x32,
} as const;

/** Bytes behind port 0x71: 14 clock registers and 114 bytes of RAM (the PC's 128-byte CMOS). */
export const CMOS_SIZE = 128;
/** First byte of plain CMOS RAM. */
export const RAM_START = 0x0e;

/** Bit 7 of the byte written to port 0x70: NMI disable on the PC (the chip never sees it). */
export const NMI_DISABLE = 0x80;

export const REG_A = {
  /** Update in progress (read-only). */
  UIP: 0x80,
  /** DV2..DV0: divider / time-base select. */
  DV_MASK: 0x70,
  /** 010: 32.768 kHz time base, divider running. */
  DV_32KHZ: 0x20,
  /** 11x: divider chain held in reset. */
  DV_RESET: 0x60,
  /** RS3..RS0: periodic rate select. */
  RS_MASK: 0x0f,
} as const;

export const REG_B = {
  SET: 0x80,
  PIE: 0x40,
  AIE: 0x20,
  UIE: 0x10,
  SQWE: 0x08,
  /** Data mode: 1 = binary, 0 = BCD. */
  DM: 0x04,
  /** 1 = 24-hour mode, 0 = 12-hour mode (hours bit 7 = PM). */
  H24: 0x02,
  DSE: 0x01,
} as const;

export const REG_C = { IRQF: 0x80, PF: 0x40, AF: 0x20, UF: 0x10 } as const;

/** Register D bit 7: valid RAM and time (the battery is fine). */
export const REG_D_VRT = 0x80;

/** An alarm byte whose two top bits are set matches every value ("don't care"). */
export const DONT_CARE = 0xc0;

// ---- the 32.768 kHz time base --------------------------------------------------------------------

export const RTC_HZ = 32_768;
const NS_PER_S = 1_000_000_000;
/** The update cycle ends on this phase of the 1 Hz tap (500 ms after the divider leaves reset). */
const HALF_SECOND = RTC_HZ / 2;
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
function boundariesIn(a: number, b: number, o: number, m: number): number {
  return Math.floor((b - o) / m) - Math.floor((a - o) / m);
}

/** The first edge o + k*m strictly after a. */
function nextBoundary(a: number, o: number, m: number): number {
  return o + (Math.floor((a - o) / m) + 1) * m;
}

const mod = (a: number, m: number): number => ((a % m) + m) % m;

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

const SECONDS_PER_DAY = 86_400;

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
function daysInMonth(year: number, month: number): number {
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
function decodeByte(raw: number, binary: boolean): { value: number; ok: boolean } {
  if (binary) return { value: raw, ok: true };
  const hi = raw >> 4;
  const lo = raw & 0x0f;
  return { value: hi * 10 + lo, ok: hi <= 9 && lo <= 9 };
}

function encodeByte(value: number, binary: boolean): number {
  if (binary) return value & 0xff;
  const v = mod(value, 100);
  return (Math.floor(v / 10) << 4) | (v % 10);
}

/** Hours 0..23 as the hours register shows them: 12-hour mode is 1..12 with bit 7 = PM. */
function encodeHours(hour: number, binary: boolean, h24: boolean): number {
  if (h24) return encodeByte(hour, binary);
  const h12 = hour % 12 === 0 ? 12 : hour % 12;
  return encodeByte(h12, binary) | (hour >= 12 ? 0x80 : 0);
}

/** An hours byte to 0..23; `ok` false when the guest wrote something the chip would not count. */
function decodeHours(raw: number, binary: boolean, h24: boolean): { value: number; ok: boolean } {
  if (h24) {
    const { value, ok } = decodeByte(raw, binary);
    return { value, ok: ok && value <= 23 };
  }
  const { value, ok } = decodeByte(raw & 0x7f, binary);
  return { value: (value % 12) + (raw & 0x80 ? 12 : 0), ok: ok && value >= 1 && value <= 12 };
}

/** The clock registers that count, with their field and valid range (hours are special). */
const CLOCK_REGISTERS: ReadonlyMap<number, { field: keyof ClockFields; name: string; min: number; max: number }> = new Map([
  [REG.SECONDS, { field: 'sec', name: 'seconds', min: 0, max: 59 }],
  [REG.MINUTES, { field: 'min', name: 'minutes', min: 0, max: 59 }],
  [REG.HOURS, { field: 'hour', name: 'hours', min: 0, max: 23 }],
  [REG.DAY_OF_WEEK, { field: 'dow', name: 'day of week', min: 1, max: 7 }],
  [REG.DAY_OF_MONTH, { field: 'dom', name: 'day of month', min: 1, max: 31 }],
  [REG.MONTH, { field: 'month', name: 'month', min: 1, max: 12 }],
  [REG.YEAR, { field: 'year', name: 'year', min: 0, max: 99 }],
  [REG.CENTURY, { field: 'century', name: 'century', min: 0, max: 99 }],
]);

const hex = (v: number): string => `0x${v.toString(16).padStart(2, '0')}`;

// ---- state -----------------------------------------------------------------------------------------

const byte = z.number().int().min(0).max(0xff);
const edge = z.number().int();

/** Snapshot schema, version 1. */
export const rtcStateSchema = z.object({
  version: z.literal(1),
  /** Register selected through port 0x70 (bits 6..0). */
  index: z.number().int().min(0).max(CMOS_SIZE - 1),
  /** Bit 7 of the last index write. */
  nmiDisabled: z.boolean(),
  /** Register A without UIP (UIP is a function of time). */
  a: byte,
  b: byte,
  /** Register C's flag bits (PF, AF, UF); IRQF is derived from them and B. */
  flags: byte,
  time: z.object({ sec: byte, min: byte, hour: byte, dow: byte, dom: byte, month: byte, year: byte, century: byte }),
  /** The 128 CMOS bytes; the clock registers 0x00-0x0D and 0x32 are kept elsewhere (alarms 1/3/5 are here). */
  ram: z.array(byte).length(CMOS_SIZE),
  /** Edge at which the divider chain last left reset: periodic taps are origin + k*period, updates end at origin + 0.5 s + k s. */
  origin: edge,
  /** Edge up to which events have been processed. */
  cursor: edge,
  /** Level driven on the irq pin. */
  line: z.union([z.literal(0), z.literal(1)]),
});

export type RtcSnapshot = z.infer<typeof rtcStateSchema>;

/** What the module hands the core (parsed from the YAML options). */
export interface RtcSettings {
  /** The clock's reading at machine time 0, in seconds since 1970. */
  readonly startSeconds: number;
  /** Register A rate select at power-on (the BIOS's 0x26 has 6: 1024 Hz). */
  readonly rateSelect: number;
}

/** Register B as a PC BIOS leaves it: 24-hour, BCD, no interrupts. */
export const POWER_ON_B = REG_B.H24;

// ---- the chip --------------------------------------------------------------------------------------

export class Mc146818 implements DeviceCore {
  private index = 0;
  private nmiDisabled = false;
  private a: number;
  private b: number = POWER_ON_B;
  private flags = 0;
  private time: ClockFields;
  private ram = new Array<number>(CMOS_SIZE).fill(0);
  /** The power-on divider started half a second before machine time 0: updates end on whole seconds. */
  private origin = -HALF_SECOND;
  private cursor: number;
  private line: Level = 0;

  constructor(private readonly ctx: DeviceContext, settings: RtcSettings) {
    this.a = REG_A.DV_32KHZ | (settings.rateSelect & REG_A.RS_MASK);
    // Created at machine time t (a restart after a crash): the clock reads start + t.
    this.cursor = Math.max(0, tickAt(ctx.now()));
    this.time = fieldsOf(settings.startSeconds + boundariesIn(0, this.cursor, HALF_SECOND + this.origin, RTC_HZ));
  }

  // ---- ports -------------------------------------------------------------------------------------

  read(region: number, offset: number, _size: AccessSize): number {
    this.sync();
    if (region === REGION_INDEX && offset === 0) return 0xff; // the index register is write-only
    if (region === REGION_DATA && offset === 0) return this.readRegister(this.index);
    this.ctx.guestError('read outside the MC146818 regions', { region, offset });
    return 0xff;
  }

  write(region: number, offset: number, _size: AccessSize, value: number): void {
    this.sync();
    const v = value & 0xff;
    if (region === REGION_INDEX && offset === 0) this.writeIndex(v);
    else if (region === REGION_DATA && offset === 0) this.writeRegister(this.index, v);
    else this.ctx.guestError('write outside the MC146818 regions', { region, offset, value: v });
    this.updateIrq();
  }

  // ---- time --------------------------------------------------------------------------------------

  /** Process the divider edges between the last access and now; machine time may have jumped far. */
  advance(): void {
    this.sync();
  }

  /**
   * The next machine time at which the irq line would rise: a periodic tap (PIE), an update end
   * (UIE) or the update at which the alarm matches (AIE). While the line is high nothing more can
   * be seen without an access (the line is a level until register C is read), and flags that no
   * enable bit routes to the line are worked out lazily by the next access: no deadline for them.
   */
  nextDeadline(): number {
    if (this.line === 1 || !this.dividerRunning()) return Infinity;
    let best = Infinity;
    const period = periodTicks(this.a & REG_A.RS_MASK);
    if (this.b & REG_B.PIE && period > 0) best = nextBoundary(this.cursor, this.origin, period);
    if (!(this.b & REG_B.SET) && this.b & (REG_B.UIE | REG_B.AIE)) {
      const update = this.nextUpdate();
      if (this.b & REG_B.UIE) best = Math.min(best, update);
      if (this.b & REG_B.AIE) {
        const wait = this.secondsToAlarm(mod(secondsOf(this.time), SECONDS_PER_DAY));
        if (wait !== Infinity) best = Math.min(best, update + (wait - 1) * RTC_HZ);
      }
    }
    return best === Infinity ? Infinity : timeOfTick(best);
  }

  private dividerRunning(): boolean {
    return (this.a & REG_A.DV_MASK) === REG_A.DV_32KHZ;
  }

  /** Edge at which the next update cycle ends (after the cursor). */
  private nextUpdate(): number {
    return nextBoundary(this.cursor, this.origin + HALF_SECOND, RTC_HZ);
  }

  /** The 32.768 kHz edge of now; an access stamped before one already processed counts as then. */
  private tick(): number {
    const k = tickAt(this.ctx.now());
    return k > this.cursor ? k : this.cursor;
  }

  /** Bring flags and clock from the cursor up to now. Several periods at once set PF once. */
  private sync(): void {
    const k = this.tick();
    if (k === this.cursor) return;
    if (this.dividerRunning()) {
      const period = periodTicks(this.a & REG_A.RS_MASK);
      if (period > 0 && boundariesIn(this.cursor, k, this.origin, period) > 0) this.flags |= REG_C.PF;
      if (!(this.b & REG_B.SET)) {
        const updates = boundariesIn(this.cursor, k, this.origin + HALF_SECOND, RTC_HZ);
        if (updates > 0) {
          const before = secondsOf(this.time);
          if (this.secondsToAlarm(mod(before, SECONDS_PER_DAY)) <= updates) this.flags |= REG_C.AF;
          this.addSeconds(before, updates);
          this.flags |= REG_C.UF;
        }
      }
    }
    this.cursor = k;
    this.updateIrq();
  }

  /** Count `n` updates: the calendar carries, the day of week counts the midnights passed. */
  private addSeconds(before: number, n: number): void {
    const after = before + n;
    const midnights = Math.floor(after / SECONDS_PER_DAY) - Math.floor(before / SECONDS_PER_DAY);
    const dow = mod(this.time.dow - 1 + midnights, 7) + 1;
    this.time = { ...fieldsOf(after), dow };
  }

  /**
   * Seconds from second-of-day `sod` to the next second (1..86400 later) whose hours, minutes and
   * seconds match the alarm bytes; Infinity if none can (an alarm byte out of range).
   */
  private secondsToAlarm(sod: number): number {
    const binary = (this.b & REG_B.DM) !== 0;
    const h24 = (this.b & REG_B.H24) !== 0;
    const values = (raw: number, count: number, decode: (raw: number) => { value: number; ok: boolean }): number[] => {
      if ((raw & DONT_CARE) === DONT_CARE) return Array.from({ length: count }, (_, i) => i);
      const { value, ok } = decode(raw);
      return ok && value < count ? [value] : [];
    };
    const hours = values(this.ram[REG.HOURS_ALARM], 24, (r) => decodeHours(r, binary, h24));
    const minutes = values(this.ram[REG.MINUTES_ALARM], 60, (r) => decodeByte(r, binary));
    const seconds = values(this.ram[REG.SECONDS_ALARM], 60, (r) => decodeByte(r, binary));
    if (hours.length === 0 || minutes.length === 0 || seconds.length === 0) return Infinity;
    for (let day = 0; day < 2; day++) {
      for (const h of hours) {
        const hourStart = day * SECONDS_PER_DAY + h * 3600;
        if (hourStart + 3599 <= sod) continue;
        for (const m of minutes) {
          const minuteStart = hourStart + m * 60;
          if (minuteStart + 59 <= sod) continue;
          for (const s of seconds) if (minuteStart + s > sod) return minuteStart + s - sod;
        }
      }
    }
    return Infinity;
  }

  /** Drive the irq pin with IRQF: a level that stays until register C is read. */
  private updateIrq(): void {
    const level: Level = this.irqf() ? 1 : 0;
    if (level === this.line) return;
    this.line = level;
    this.ctx.setOutput(0, level);
    this.ctx.trace('rtc.irq', { level, flags: hex(this.flags) });
  }

  private irqf(): boolean {
    const f = this.flags;
    const b = this.b;
    return ((f & REG_C.PF) !== 0 && (b & REG_B.PIE) !== 0)
      || ((f & REG_C.AF) !== 0 && (b & REG_B.AIE) !== 0)
      || ((f & REG_C.UF) !== 0 && (b & REG_B.UIE) !== 0);
  }

  // ---- registers ---------------------------------------------------------------------------------

  private writeIndex(v: number): void {
    this.index = v & 0x7f;
    const nmiDisabled = (v & NMI_DISABLE) !== 0;
    if (nmiDisabled !== this.nmiDisabled) {
      this.nmiDisabled = nmiDisabled;
      this.ctx.trace('rtc.nmi', { disabled: nmiDisabled });
    }
  }

  private readRegister(r: number): number {
    const binary = (this.b & REG_B.DM) !== 0;
    const clock = CLOCK_REGISTERS.get(r);
    if (clock) {
      if (r === REG.HOURS) return encodeHours(this.time.hour, binary, (this.b & REG_B.H24) !== 0);
      return encodeByte(this.time[clock.field], binary);
    }
    switch (r) {
      case REG.A: return this.a | (this.updateInProgress() ? REG_A.UIP : 0);
      case REG.B: return this.b;
      case REG.C: return this.readC();
      case REG.D: return REG_D_VRT;
      default: return this.ram[r]; // alarms and plain CMOS RAM
    }
  }

  /** Register C: the flags and IRQF, all cleared by the read, which also drops the irq line. */
  private readC(): number {
    const value = this.flags | (this.irqf() ? REG_C.IRQF : 0);
    this.flags = 0;
    this.updateIrq();
    return value;
  }

  private updateInProgress(): boolean {
    if (!this.dividerRunning() || this.b & REG_B.SET) return false;
    return this.nextUpdate() - this.cursor <= UIP_TICKS;
  }

  private writeRegister(r: number, v: number): void {
    const clock = CLOCK_REGISTERS.get(r);
    if (clock) return this.writeClock(r, clock, v);
    switch (r) {
      case REG.A: return this.writeA(v);
      case REG.B: return this.writeB(v);
      case REG.C:
      case REG.D:
        this.ctx.guestError(`write to read-only MC146818 register ${r === REG.C ? 'C' : 'D'}`, { index: hex(r), value: hex(v) });
        return;
      default:
        this.ram[r] = v; // alarms and plain CMOS RAM
    }
  }

  private writeClock(r: number, clock: { field: keyof ClockFields; name: string; min: number; max: number }, v: number): void {
    const binary = (this.b & REG_B.DM) !== 0;
    const h24 = (this.b & REG_B.H24) !== 0;
    let decoded: { value: number; ok: boolean };
    if (r === REG.HOURS) decoded = decodeHours(v, binary, h24);
    else {
      const d = decodeByte(v, binary);
      decoded = { value: d.value, ok: d.ok && d.value >= clock.min && d.value <= clock.max };
    }
    if (!decoded.ok) {
      // The chip stores any byte and counts on from it; here the value carries into the next field
      // at the next update (see secondsOf).
      this.ctx.guestError(`invalid ${clock.name} value ${hex(v)} for the ${binary ? 'binary' : 'BCD'}${r === REG.HOURS ? (h24 ? ' 24-hour' : ' 12-hour') : ''} mode`, {
        index: hex(r), value: hex(v),
      });
    }
    this.time = { ...this.time, [clock.field]: decoded.value };
  }

  private writeA(v: number): void {
    const wasRunning = this.dividerRunning();
    this.a = v & ~REG_A.UIP & 0xff; // UIP is read-only
    const dv = this.a & REG_A.DV_MASK;
    if (dv !== REG_A.DV_32KHZ && (dv & REG_A.DV_RESET) !== REG_A.DV_RESET) {
      this.ctx.unimplemented('MC146818 time base other than 32.768 kHz: the clock stops', { value: hex(v) });
    }
    // Leaving reset: the chain starts from zero now; the first update ends half a second later.
    if (!wasRunning && this.dividerRunning()) this.origin = this.cursor;
  }

  private writeB(v: number): void {
    // SET aborts any update and stops them until cleared; setting it also clears UIE (datasheet).
    this.b = v & REG_B.SET ? v & ~REG_B.UIE : v;
    if (v & REG_B.DSE) this.ctx.unimplemented('MC146818 daylight saving (DSE): the clock ignores it', { value: hex(v) });
  }

  // ---- snapshot ----------------------------------------------------------------------------------

  snapshot(): RtcSnapshot {
    return structuredClone({
      version: 1 as const,
      index: this.index,
      nmiDisabled: this.nmiDisabled,
      a: this.a,
      b: this.b,
      flags: this.flags,
      time: this.time,
      ram: this.ram,
      origin: this.origin,
      cursor: this.cursor,
      line: this.line,
    });
  }

  restore(state: DeviceState): void {
    const parsed = rtcStateSchema.safeParse(state);
    if (!parsed.success) throw new Error(`mc146818 ${this.ctx.name}: bad snapshot: ${parsed.error.message}`);
    const s = structuredClone(parsed.data);
    this.index = s.index;
    this.nmiDisabled = s.nmiDisabled;
    this.a = s.a;
    this.b = s.b;
    this.flags = s.flags;
    this.time = s.time;
    this.ram = s.ram;
    this.origin = s.origin;
    this.cursor = s.cursor;
    this.line = s.line;
    this.ctx.setOutput(0, this.line);
  }
}
