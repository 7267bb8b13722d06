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
import type { AccessSize, DeviceContext, DeviceCore, DeviceState, Level } from 'actorpc/device';

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

export * from './calendar.js';
import { boundariesIn, decodeByte, decodeHours, encodeByte, encodeHours, fieldsOf, mod, nextBoundary, parseStart, periodTicks, secondsOf, tickAt, timeOfTick, UIP_TICKS, HALF_SECOND, RTC_HZ, SECONDS_PER_DAY, daysInMonth, type ClockFields } from './calendar.js';

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
    this.ctx.trace('rtc.irq', { state: level, flags: hex(this.flags) });
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
