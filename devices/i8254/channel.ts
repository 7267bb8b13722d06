// One 8254 counter: its programmed mode and access mode, the count register, output latch and
// status latch, GATE, and the counting element described analytically (counting.ts).
//
// Every method takes `k`, the number of the last input-clock edge at the current machine time
// (clock.ts). Whatever the guest does takes effect from the next edge: a count written now is
// loaded into the CE on edge k+1 (datasheet: "loaded on the next CLK pulse"), which is also when
// the null-count flag clears.
import type { Level } from '../../bus/device.js';
import { decodeCount, encodeCount, modulusOf } from './clock.js';
import {
  cycleReload, nextChangeAt, outAt, pause, resume, risingEdgesIn, valueAt, type Mode, type Segment,
} from './counting.js';
import type { ChannelState } from './state.js';

export interface Reporter {
  guestError(message: string, fields?: Record<string, unknown>): void;
}

/** Access mode of a control word (RW1..RW0); 0 is the counter latch command. */
export type Access = 1 | 2 | 3;

export class Channel {
  constructor(
    readonly index: number,
    private readonly report: Reporter,
    public state: ChannelState,
  ) {}

  /** Modes 6 and 7 are 2 and 3 with a don't-care M2 bit (datasheet; v86 does the same, QEMU does not). */
  get mode(): Mode {
    const m = this.state.modeBits;
    return (m > 5 ? m & 3 : m) as Mode;
  }

  private get modulus(): number {
    return modulusOf(this.state.bcd);
  }

  /** The segment in force at edge k (the scheduled load, once its edge has come). */
  private segAt(k: number): Segment {
    const { seg, next } = this.state;
    return next !== null && k >= next.at ? next.seg : seg;
  }

  /** Apply a scheduled load whose edge has come. Time never runs backwards, so this is safe at any k. */
  settle(k: number): void {
    const s = this.state;
    if (s.next !== null && k >= s.next.at) {
      s.seg = s.next.seg;
      s.next = null;
      s.nullCount = false;
    }
  }

  out(k: number): Level {
    return outAt(this.segAt(k), this.mode, this.modulus, k);
  }

  /** CE contents at edge k as the 16 bits a read returns. */
  count(k: number): number {
    return encodeCount(valueAt(this.segAt(k), this.mode, this.modulus, k), this.state.bcd);
  }

  nullCountAt(k: number): boolean {
    const { next, nullCount } = this.state;
    return next !== null && k >= next.at ? false : nullCount;
  }

  /** First edge after k at which OUT changes; Infinity if it never will without guest action. */
  nextChange(k: number): number {
    const { seg, next } = this.state;
    const mode = this.mode;
    const m = this.modulus;
    if (next !== null && k < next.at) {
      const first = nextChangeAt(seg, mode, m, k);
      if (first < next.at) return first;
      if (outAt(next.seg, mode, m, next.at) !== outAt(seg, mode, m, k)) return next.at;
      return nextChangeAt(next.seg, mode, m, next.at);
    }
    return nextChangeAt(this.segAt(k), mode, m, k);
  }

  /** Rising edges of OUT at edges j with a < j ≤ b, across a scheduled load between them. */
  risingEdges(a: number, b: number): number {
    if (!(b > a)) return 0;
    const { seg, next } = this.state;
    const mode = this.mode;
    const m = this.modulus;
    if (next === null || next.at > b) return risingEdgesIn(seg, mode, m, a, b);
    if (next.at <= a) return risingEdgesIn(next.seg, mode, m, a, b);
    const at = next.at;
    const switched = this.out(at - 1) === 0 && this.out(at) === 1 ? 1 : 0;
    return risingEdgesIn(seg, mode, m, a, at - 1) + switched + risingEdgesIn(next.seg, mode, m, at, b);
  }

  /** Status byte of the read-back command: OUT, NULL COUNT, RW1..0, M2..0, BCD. */
  statusByte(k: number): number {
    const s = this.state;
    return (this.out(k) << 7) | ((this.nullCountAt(k) ? 1 : 0) << 6) | (s.access << 4) | (s.modeBits << 1) | (s.bcd ? 1 : 0);
  }

  /**
   * Control word for this counter (RW != 0). The datasheet: all control logic is reset, OUT goes to
   * its initial state (low in mode 0, high otherwise), the CE stops until a count is written, and
   * NULL COUNT is set. Latches are dropped too (QEMU keeps a pending count latch; the datasheet's
   * "control logic reset" includes the output latch state).
   */
  program(modeBits: number, access: Access, bcd: boolean, k: number): void {
    this.settle(k);
    const s = this.state;
    const held = valueAt(s.seg, this.mode, this.modulus, k);
    s.modeBits = modeBits & 7;
    s.access = access;
    s.bcd = bcd;
    s.seg = { kind: 'idle', value: held % this.modulus, out: this.mode === 0 ? 0 : 1 };
    s.next = null;
    s.crValid = false;
    s.nullCount = true;
    s.writeMsbNext = false;
    s.readMsbNext = false;
    s.latch = null;
    s.status = null;
  }

  /** Counter latch command (or the COUNT part of read-back): ignored while a latch is unread. */
  latchCount(k: number): void {
    const s = this.state;
    if (s.latch !== null) return;
    const bytes: Array<'lsb' | 'msb'> = s.access === 1 ? ['lsb'] : s.access === 2 ? ['msb'] : ['lsb', 'msb'];
    s.latch = { value: this.count(k), bytes };
  }

  /** STATUS part of read-back: ignored while a status byte is unread. */
  latchStatus(k: number): void {
    if (this.state.status === null) this.state.status = this.statusByte(k);
  }

  /** A read of the counter's port: latched status, then latched count, else the live CE. */
  read(k: number): number {
    this.settle(k);
    const s = this.state;
    if (s.writeMsbNext) {
      this.report.guestError(`counter ${this.index} read between the LSB and MSB of a count write`, { channel: this.index });
    }
    if (s.status !== null) {
      const status = s.status;
      s.status = null;
      return status;
    }
    if (s.latch !== null) {
      const { value, bytes } = s.latch;
      const which = bytes.shift();
      if (bytes.length === 0) s.latch = null;
      return which === 'msb' ? value >> 8 : value & 0xff;
    }
    const value = this.count(k);
    if (s.access === 1) return value & 0xff;
    if (s.access === 2) return value >> 8;
    const msb = s.readMsbNext;
    s.readMsbNext = !msb;
    return msb ? value >> 8 : value & 0xff;
  }

  /** A write to the counter's port: one byte of a count, per the access mode. */
  write(byte: number, k: number): void {
    this.settle(k);
    const s = this.state;
    if (s.readMsbNext || (s.latch !== null && s.latch.bytes.length === 1 && s.access === 3)) {
      this.report.guestError(`counter ${this.index} written between the LSB and MSB of a read`, { channel: this.index });
    }
    byte &= 0xff;
    if (s.access === 1) return this.countWritten(byte, k);
    if (s.access === 2) return this.countWritten(byte << 8, k);
    if (!s.writeMsbNext) {
      s.crLsb = byte;
      s.writeMsbNext = true;
      // Mode 0: "writing the first byte disables counting; OUT is set low immediately".
      if (this.mode === 0) {
        s.seg = { kind: 'idle', value: valueAt(s.seg, 0, this.modulus, k), out: 0 };
        s.next = null;
      }
      return;
    }
    s.writeMsbNext = false;
    this.countWritten(s.crLsb | (byte << 8), k);
  }

  /** A complete count reached the count register at edge k. */
  private countWritten(raw: number, k: number): void {
    const s = this.state;
    const mode = this.mode;
    const m = this.modulus;
    const { count: n, ok } = decodeCount(raw, s.bcd);
    if (!ok) this.report.guestError(`counter ${this.index}: BCD count 0x${raw.toString(16)} has a digit above 9`, { channel: this.index, count: raw });
    if (n === 1 && (mode === 2 || mode === 3)) {
      this.report.guestError(`counter ${this.index}: count 1 is illegal in mode ${mode}`, { channel: this.index });
    }
    s.cr = raw;
    s.crValid = true;
    s.nullCount = true;
    const at = k + 1;
    switch (mode) {
      case 0:
        // OUT low at once; the CE is loaded on the next clock and counts while GATE is high.
        s.seg = { kind: 'idle', value: valueAt(s.seg, mode, m, k), out: 0 };
        s.next = { at, seg: this.loaded(n, at, 0) };
        break;
      case 4:
        // OUT unaffected; the new count is loaded on the next clock (restarting the strobe countdown).
        s.next = { at, seg: this.loaded(n, at, 1) };
        break;
      case 1:
      case 5:
        // Loaded only by a GATE trigger. A trigger already waiting for its clock picks up this count.
        if (s.next !== null) s.next = { at: s.next.at, seg: { kind: 'count', start: s.next.at, value: n % m, fired: false } };
        break;
      case 2:
      case 3:
        if (s.seg.kind === 'cycle') {
          // Counting (so GATE is high): the current period (mode 2) or half-cycle (mode 3)
          // finishes with the old count, then the new one takes over.
          const seg = cycleReload(s.seg, mode, k, n);
          s.next = { at: seg.start, seg };
        } else if (s.next !== null) {
          // A load (first count, or a GATE trigger) is already waiting for its clock: it loads this count.
          s.next = { at: s.next.at, seg: { kind: 'cycle', start: s.next.at, n, phase: 0 } };
        } else if (s.gate === 1) {
          s.next = { at, seg: { kind: 'cycle', start: at, n, phase: 0 } };
        }
        // GATE low: the count waits for the rising edge, which loads it.
        break;
    }
  }

  /** Modes 0/4: the segment that starts when a count n is loaded at edge `at`, given GATE. */
  private loaded(n: number, at: number, out: Level): Segment {
    const value = n % this.modulus;
    return this.state.gate === 1
      ? { kind: 'count', start: at, value, fired: false }
      : { kind: 'hold', value, out, fired: false };
  }

  /**
   * GATE input. Modes 0 and 4: low suspends counting, high resumes it. Modes 2 and 3: low stops
   * counting and forces OUT high at once; a rising edge reloads the CE on the next clock. Modes 1
   * and 5: only a rising edge matters (trigger: load on the next clock, retriggerable).
   * QEMU ignores GATE in modes 0/4 ("XXX") and keeps counting with GATE low in modes 2/3.
   */
  setGate(level: Level, k: number): void {
    this.settle(k);
    const s = this.state;
    if (s.gate === level) return;
    s.gate = level;
    const mode = this.mode;
    const m = this.modulus;
    if (mode === 0 || mode === 4) {
      if (level === 0) {
        s.seg = pause(s.seg, mode, m, k);
        if (s.next !== null) s.next = { at: s.next.at, seg: pause(s.next.seg, mode, m, s.next.at) };
      } else {
        s.seg = resume(s.seg, k);
        if (s.next !== null) s.next = { at: s.next.at, seg: resume(s.next.seg, s.next.at) };
      }
      return;
    }
    if (level === 0) {
      if (mode === 2 || mode === 3) {
        s.seg = { kind: 'idle', value: valueAt(s.seg, mode, m, k), out: 1 };
        s.next = null; // the count register is loaded by the next rising edge instead
      }
      return;
    }
    if (!s.crValid) return; // nothing written since the control word: nothing to load
    const n = decodeCount(s.cr, s.bcd).count;
    const at = k + 1;
    s.next = mode === 2 || mode === 3
      ? { at, seg: { kind: 'cycle', start: at, n, phase: 0 } }
      : { at, seg: { kind: 'count', start: at, value: n % m, fired: false } };
  }
}
