// The 8254 PIT core, one test per behaviour of device-models.md §1.2 (plus the datasheet details
// the model chooses over v86/QEMU). Times are clock edges: edge k is at timeOfTick(k) ns; a count
// written at edge k is loaded into the counter at edge k+1.
import { describe, it, expect } from 'vitest';
import type { DeviceCore } from '../../bus/device.js';
import { i8254 } from '../../devices/i8254/module.js';
import { i8254Options } from '../../devices/i8254/options.js';
import { PIT_HZ, tickAt, timeOfTick } from '../../devices/i8254/clock.js';
import { FakeContext } from '../support/fake-context.js';

class Rig {
  readonly ctx = new FakeContext('pit');
  readonly core: DeviceCore;
  constructor(t0 = 0) {
    this.ctx.t = t0;
    this.core = i8254.create(this.ctx, {});
  }
  private static region = (port: number): [number, number] => (port === 0x61 ? [1, 0] : [0, port - 0x40]);
  outb(port: number, ...values: number[]): this {
    for (const v of values) this.core.write(...Rig.region(port), 1, v);
    return this;
  }
  inb(port: number): number { return this.core.read(...Rig.region(port), 1); }
  /** Control word `word`, then the 16-bit `count` to the counter it selects, at edge 0. */
  static with(word: number, count: number): Rig {
    return new Rig().outb(0x43, word).outb(0x40 + (word >> 6), count & 0xff, count >> 8);
  }
  at(tick: number): this { this.ctx.t = timeOfTick(tick); return this; }
  /** Counter latch command, then LSB and MSB. */
  latched(n: number): number {
    this.outb(0x43, n << 6);
    return this.inb(0x40 + n) | (this.inb(0x40 + n) << 8);
  }
  /** Read-back of counter n's status byte. */
  status(n: number): number {
    this.outb(0x43, 0xc0 | 0x20 | (2 << n));
    return this.inb(0x40 + n);
  }
  out0(): number { return this.ctx.level(0); }
  out2(): number { return (this.inb(0x61) >> 5) & 1; }
  deadline(): number { return this.core.nextDeadline!(); }
  /** Serve deadlines only (set ctx.t to each, advance) up to `end`; OUT0 edges seen on the way. */
  run(end: number): { rising: number[]; falling: number[] } {
    const from = this.ctx.outputHistory.length;
    for (let d = this.deadline(); d <= end; d = this.deadline()) {
      this.ctx.t = d;
      this.core.advance!();
    }
    this.ctx.t = end;
    const edges = (level: number): number[] =>
      this.ctx.outputHistory.slice(from).filter(([pin, l]) => pin === 0 && l === level).map(([, , t]) => t);
    return { rising: edges(1), falling: edges(0) };
  }
  guestErrors(): string[] { return this.ctx.tracesOf('guest_error').map((r) => String(r.fields.message)); }
}

const T = timeOfTick;
const PERIOD_65536_NS = (65536 * 1e9) / PIT_HZ; // 54 925 493.6 ns

describe('i8254 module', () => {
  it('declares the io and portb regions and the out0 pin', () => {
    expect(i8254.kind).toBe('i8254');
    expect(i8254.regions.map((r) => [r.name, r.base, r.size])).toEqual([['io', 0x40, 4], ['portb', 0x61, 1]]);
    expect(i8254.regions[0].names?.write).toEqual(['counter0', 'counter1', 'counter2', 'control']);
    expect(i8254.outputs).toEqual(['out0']);
    expect(i8254.inputs ?? []).toEqual([]);
    expect(i8254Options.safeParse({}).success).toBe(true);
    expect(i8254Options.safeParse({ hz: 1 }).success).toBe(false);
  });
});

describe('i8254 control word and access modes', () => {
  it('control word decode: channel, access mode, mode and BCD appear in the status byte', () => {
    const pit = new Rig();
    pit.outb(0x43, 0b01_11_010_1); // counter 1, LSB then MSB, mode 2, BCD
    expect(pit.status(1)).toBe(0x80 | 0x40 | 0x30 | (2 << 1) | 1);
    pit.outb(0x43, 0b10_01_100_0); // counter 2, LSB only, mode 4, binary
    expect(pit.status(2)).toBe(0x80 | 0x40 | 0x10 | (4 << 1));
  });

  it('command port reads return 0 (QEMU) and are logged', () => {
    const pit = new Rig();
    expect(pit.inb(0x43)).toBe(0);
    expect(pit.guestErrors()).toHaveLength(1);
  });

  it('LSB-only and MSB-only writes load the low or the high byte, and reads follow the access mode', () => {
    const pit = new Rig();
    pit.outb(0x43, 0x10).outb(0x40, 0x34); // counter 0, LSB only, mode 0
    expect(pit.at(1).inb(0x40)).toBe(0x34);
    expect(pit.inb(0x40)).toBe(0x34); // no flip-flop in LSB-only mode
    pit.outb(0x43, 0x20).outb(0x40, 0x12); // MSB only: count 0x1200
    expect(pit.at(2).inb(0x40)).toBe(0x12);
    expect(pit.at(2 + 0x100).inb(0x40)).toBe(0x11);
    expect(pit.at(2 + 0x101).inb(0x40)).toBe(0x10);
  });

  it('reload 0 means 65536', () => {
    const pit = Rig.with(0x30, 0); // mode 0, count 0
    expect(pit.at(1).latched(0)).toBe(0);
    expect(pit.at(2).latched(0)).toBe(0xffff);
    expect(pit.deadline()).toBe(T(65537));
  });

  it('input clock is exactly 1 193 182 Hz', () => {
    expect(tickAt(1e9)).toBe(1_193_182);
    expect(timeOfTick(1_193_182)).toBe(1e9);
    for (const k of [1, 2, 65536, 1_193_181, 123_456_789_012]) {
      expect(tickAt(T(k))).toBe(k);
      expect(tickAt(T(k) - 1)).toBe(k - 1);
    }
    const pit = Rig.with(0x30, 0);
    pit.ctx.t = 10_000_000; // 10 ms = 11931.82 clocks; the count was loaded at edge 1
    expect(pit.latched(0)).toBe(0x10000 - (11931 - 1));
  });
});

describe('i8254 modes', () => {
  it('mode 0 OUT goes low on the control word and high N+1 clocks after the count write', () => {
    const pit = new Rig();
    expect(pit.out0()).toBe(1); // reset: mode 3, high
    pit.outb(0x43, 0x30);
    expect(pit.out0()).toBe(0);
    expect(pit.deadline()).toBe(Infinity); // no count yet
    pit.outb(0x40, 100, 0);
    expect(pit.deadline()).toBe(T(101));
    expect(pit.run(T(51)).rising).toEqual([]);
    expect(pit.latched(0)).toBe(50);
    expect(pit.run(T(102))).toEqual({ rising: [T(101)], falling: [] });
    expect(pit.deadline()).toBe(Infinity); // mode 0 after terminal count
    expect(pit.latched(0)).toBe(0xffff); // the counter wraps and keeps counting
  });

  it('mode 0 writing the first byte of a two-byte count drives OUT low and stops counting', () => {
    const pit = Rig.with(0x30, 100);
    pit.at(101).run(T(101));
    expect(pit.out0()).toBe(1);
    pit.at(150).outb(0x40, 20);
    expect(pit.out0()).toBe(0);
    expect(pit.deadline()).toBe(Infinity);
    pit.at(160).outb(0x40, 0); // count 20, loaded at edge 161
    expect(pit.deadline()).toBe(T(181));
  });

  it('mode 0 counting is suspended while GATE is low', () => {
    const pit = Rig.with(0xb0, 10); // counter 2, mode 0, GATE2 low since reset
    expect(pit.at(50).latched(2)).toBe(10);
    pit.outb(0x61, 1); // GATE2 high at edge 50
    pit.at(55).outb(0x61, 0); // 5 clocks counted
    expect(pit.at(65).latched(2)).toBe(5);
    pit.outb(0x61, 1); // resume at 65: 0 at edge 70
    expect([69, 70].map((k) => pit.at(k).out2())).toEqual([0, 1]);
  });

  it('rising gate on port 0x61 restarts channel 2 in mode 1', () => {
    const pit = Rig.with(0xb2, 100); // counter 2, mode 1 (hardware one-shot)
    expect(pit.out2()).toBe(1);
    pit.at(10).outb(0x61, 1); // trigger: loaded at edge 11, OUT low until the count reaches 0
    expect(pit.out2()).toBe(1);
    expect(pit.at(11).out2()).toBe(0);
    pit.at(40).outb(0x61, 0);
    pit.at(60).outb(0x61, 1); // retrigger: reloaded at 61
    // Without the retrigger OUT would be high from edge 111.
    expect([111, 160, 161].map((k) => pit.at(k).out2())).toEqual([0, 0, 1]);
  });

  it('mode 2 with count 65536 raises OUT0 every 54.925 ms', () => {
    const pit = Rig.with(0x34, 0);
    const { rising } = pit.run(1e9);
    expect(rising).toHaveLength(18);
    expect(rising[0]).toBe(T(65537));
    for (let i = 1; i < rising.length; i++) {
      expect(Math.abs(rising[i] - rising[i - 1] - PERIOD_65536_NS)).toBeLessThan(1);
    }
  });

  it('mode 2 OUT is low for exactly one input clock per period', () => {
    const pit = Rig.with(0x34, 10);
    expect(pit.run(T(25))).toEqual({ rising: [T(11), T(21)], falling: [T(10), T(20)] });
    const again = Rig.with(0x34, 10);
    expect([9, 10, 11].map((k) => again.at(k).latched(0))).toEqual([2, 1, 10]);
  });

  it('mode 3 with an odd count is high (N+1)/2 and low (N-1)/2 clocks', () => {
    const pit = Rig.with(0x36, 5);
    expect(pit.run(T(12))).toEqual({ rising: [T(6), T(11)], falling: [T(4), T(9)] });
    // Loaded 5, minus 1, then minus 2 (high half); reloaded 5, minus 3 (low half).
    const again = Rig.with(0x36, 5);
    expect([1, 2, 3, 4, 5, 6].map((k) => again.at(k).latched(0))).toEqual([5, 4, 2, 5, 2, 5]);
  });

  it('mode 3 with an even count decrements by two in each half', () => {
    const pit = Rig.with(0x36, 10);
    expect(pit.run(T(21))).toEqual({ rising: [T(11), T(21)], falling: [T(6), T(16)] });
    const again = Rig.with(0x36, 10);
    expect([1, 2, 5, 6, 10, 11].map((k) => again.at(k).latched(0))).toEqual([10, 8, 2, 10, 2, 10]);
  });

  it('mode 4 strobes OUT low for one clock N+1 clocks after the count write', () => {
    const pit = Rig.with(0x38, 20);
    expect(pit.out0()).toBe(1);
    expect(pit.run(1e9)).toEqual({ rising: [T(22)], falling: [T(21)] });
    expect(pit.deadline()).toBe(Infinity);
  });

  it('mode 5 strobes OUT low for one clock N+1 clocks after the gate trigger', () => {
    const pit = Rig.with(0xba, 20); // counter 2, mode 5
    expect(pit.at(50).out2()).toBe(1); // no trigger, no strobe
    pit.at(100).outb(0x61, 1);
    expect([120, 121, 122].map((k) => pit.at(k).out2())).toEqual([1, 0, 1]);
  });

  it('modes 6 and 7 count as modes 2 and 3 and keep their bits in the status byte', () => {
    const pit = new Rig();
    pit.outb(0x43, 0x3c); // mode 6
    expect(pit.status(0) & 0x0e).toBe(6 << 1);
    pit.outb(0x40, 10, 0);
    expect(pit.run(T(12)).falling).toEqual([T(10)]);
    const pit7 = Rig.with(0x3e, 10); // mode 7
    expect(pit7.run(T(12)).falling).toEqual([T(6)]);
  });

  it('BCD mode counts down in decimal', () => {
    const pit = Rig.with(0x31, 0x1000); // mode 0, BCD, count 1000
    expect(pit.at(1).latched(0)).toBe(0x1000);
    expect(pit.at(11).latched(0)).toBe(0x0990);
    expect(pit.deadline()).toBe(T(1001));
    expect(pit.at(1002).latched(0)).toBe(0x9999);
  });

  it('BCD count 0 means 10000', () => {
    const pit = Rig.with(0x35, 0); // mode 2, BCD
    expect(pit.run(T(20_001))).toEqual({ rising: [T(10_001), T(20_001)], falling: [T(10_000), T(20_000)] });
  });

  it('channel 1 counts like the others', () => {
    const pit = Rig.with(0x74, 18); // counter 1, mode 2, count 18 (the BIOS refresh rate)
    expect(pit.at(10).latched(1)).toBe(9);
    expect(pit.at(19).latched(1)).toBe(18);
  });
});

describe('i8254 latches and read-back', () => {
  it('counter latch freezes the value until both bytes are read', () => {
    const pit = Rig.with(0x34, 1000); // mode 2, 1000
    pit.at(101).outb(0x43, 0x00);
    expect(pit.inb(0x40)).toBe(900 & 0xff);
    expect(pit.at(300).inb(0x40)).toBe(900 >> 8);
    // Latch consumed: reads are live again.
    expect(pit.inb(0x40) | (pit.inb(0x40) << 8)).toBe(701);
  });

  it('a second latch command is ignored until the first latch is read', () => {
    const pit = Rig.with(0x34, 1000);
    pit.at(101).outb(0x43, 0x00);
    pit.at(200).outb(0x43, 0x00);
    expect(pit.inb(0x40) | (pit.inb(0x40) << 8)).toBe(900);
  });

  it('read-back returns the status byte with OUT and null count', () => {
    const pit = new Rig();
    pit.at(10).outb(0x43, 0x34);
    expect(pit.status(0)).toBe(0x80 | 0x40 | 0x30 | 0x04); // null count after the control word
    pit.outb(0x40, 0, 0);
    expect(pit.status(0)).toBe(0xf4); // written, not yet loaded
    expect(pit.at(11).status(0)).toBe(0xb4); // loaded on the next clock
    pit.outb(0x43, 0x30); // mode 0: OUT low
    expect(pit.status(0)).toBe(0x70);
  });

  it('read-back latches status before count, and both reflect the same instant', () => {
    const pit = Rig.with(0x34, 1000);
    pit.at(101).outb(0x43, 0xc2); // count and status of counter 0
    pit.at(500);
    expect([pit.inb(0x40), pit.inb(0x40), pit.inb(0x40)]).toEqual([0xb4, 900 & 0xff, 900 >> 8]);
  });

  it('null count stays set in mode 1 until the gate trigger loads the count', () => {
    const pit = Rig.with(0xb2, 100);
    expect(pit.at(1000).status(2) & 0x40).toBe(0x40);
    pit.outb(0x61, 1);
    expect(pit.status(2) & 0x40).toBe(0x40);
    expect(pit.at(1001).status(2) & 0x40).toBe(0);
  });

  it('a count written in mode 2 takes effect at the end of the current period', () => {
    const pit = Rig.with(0x34, 100);
    pit.at(150).outb(0x40, 10, 0);
    expect(pit.at(180).status(0) & 0x40).toBe(0x40);
    expect(pit.run(T(215))).toEqual({ rising: [T(201), T(211)], falling: [T(200), T(210)] });
    expect(pit.status(0) & 0x40).toBe(0);
  });

  it('a count written in mode 3 takes effect at the end of the current half-cycle', () => {
    const pit = Rig.with(0x36, 100); // high at edges 1..50
    pit.at(20).outb(0x40, 10, 0);
    expect(pit.run(T(62))).toEqual({ rising: [T(56)], falling: [T(51), T(61)] });
  });
});

describe('i8254 reset state and port 0x61', () => {
  it('reset state: every channel mode 3 with count 65536, GATE high on 0 and 1, low on 2', () => {
    const pit = new Rig();
    expect([0, 1, 2].map((n) => pit.status(n))).toEqual([0xb6, 0xb6, 0xb6]);
    expect(pit.inb(0x61) & 0x23).toBe(0x20); // GATE2 low, speaker off, OUT2 high
    expect(pit.out0()).toBe(1);
    expect(pit.deadline()).toBe(T(32768)); // square wave of 65536
    expect(pit.at(1).latched(0)).toBe(0xfffe);
    expect(pit.at(1).latched(2)).toBe(0); // channel 2 does not count with GATE low
  });

  it('gate low stops channel 2 in mode 3 and forces OUT2 high; the rising edge restarts it', () => {
    const pit = new Rig();
    pit.outb(0x43, 0xb6).outb(0x42, 10, 0).outb(0x61, 1); // loaded at edge 1
    expect(pit.at(6).out2()).toBe(0);
    pit.outb(0x61, 0);
    expect(pit.out2()).toBe(1);
    expect(pit.at(20).out2()).toBe(1);
    pit.outb(0x61, 1); // reloaded at 21
    expect([25, 26, 31].map((k) => pit.at(k).out2())).toEqual([1, 0, 1]);
  });

  it('port 0x61 reads back GATE2 and speaker enable, and shows OUT2', () => {
    const pit = new Rig();
    pit.outb(0x43, 0xb0).outb(0x42, 10, 0).outb(0x61, 0x03);
    expect(pit.inb(0x61) & 0x23).toBe(0x03); // mode 0: OUT2 low while counting
    expect(pit.at(11).inb(0x61) & 0x23).toBe(0x23);
    pit.outb(0x61, 0x01);
    expect(pit.inb(0x61) & 0x03).toBe(0x01);
  });

  it('refresh bit toggles every 15.085 µs of machine time', () => {
    const pit = new Rig();
    const bit = (t: number): number => { pit.ctx.t = t; return (pit.inb(0x61) >> 4) & 1; };
    expect([bit(15_000), bit(15_000), bit(15_100)]).toEqual([0, 0, 1]); // reads have no side effect
    const again = new Rig();
    const bit2 = (t: number): number => { again.ctx.t = t; return (again.inb(0x61) >> 4) & 1; };
    let toggles = 0;
    for (let t = 0, last = bit2(0); t < 1_000_000; t += 1000) {
      const b = bit2(t);
      if (b !== last) toggles++;
      last = b;
    }
    expect(toggles).toBe(Math.floor(1e-3 * PIT_HZ / 18)); // 66
  });
});

describe('i8254 OUT0 as seen by the machine', () => {
  it("SeaBIOS's 0x34,0x00,0x00 gives ≈18.2065 Hz", () => {
    const pit = Rig.with(0x34, 0);
    const { rising } = pit.run(10e9);
    const hz = ((rising.length - 1) * 1e9) / (rising[rising.length - 1] - rising[0]);
    expect(hz).toBeCloseTo(18.2065, 4);
  });

  it('over 5 s with the SeaBIOS programming OUT0 has exactly 91 rising edges', () => {
    const pit = Rig.with(0x34, 0);
    const { rising, falling } = pit.run(5e9);
    expect(rising).toHaveLength(91);
    expect(falling).toHaveLength(91);
  });

  it('advance after a jump over several periods reports the level at now and the next change after now', () => {
    const pit = Rig.with(0x34, 0);
    pit.ctx.t = 1e9 + 12_345;
    pit.core.advance!();
    expect(pit.out0()).toBe(1);
    const k = tickAt(pit.ctx.t);
    expect(pit.deadline()).toBe(T(65536 * Math.ceil((k + 1) / 65536)));
    pit.ctx.t = T(65536 * 30) + 1; // inside the one low clock
    pit.core.advance!();
    expect(pit.out0()).toBe(0);
    expect(pit.deadline()).toBe(T(65536 * 30 + 1));
  });

  it('an access stamped before the latest time seen counts as happening at the latest time', () => {
    const pit = Rig.with(0x34, 100);
    expect(pit.at(50).latched(0)).toBe(51);
    pit.at(20); // older time stamp: the counter does not run backwards
    expect(pit.latched(0)).toBe(51);
    expect(pit.deadline()).toBe(T(100));
  });

  it('a deadline the host has not served yet is wanted at once', () => {
    const pit = Rig.with(0x34, 10);
    pit.at(10); // OUT0 fell at edge 10, nobody called advance()
    expect(pit.deadline()).toBe(pit.ctx.t);
    pit.core.advance!();
    expect(pit.deadline()).toBe(T(11));
  });
});

describe('i8254 guest errors', () => {
  it('reading between the two bytes of a count write is a guest error and carries on', () => {
    const pit = new Rig();
    pit.outb(0x43, 0x30).outb(0x40, 0x10);
    expect(() => pit.inb(0x40)).not.toThrow();
    expect(pit.guestErrors()[0]).toMatch(/between the LSB and MSB/);
  });

  it('illegal counts, bad BCD digits and the reserved read-back bit are guest errors', () => {
    const pit = Rig.with(0x34, 1);
    pit.outb(0x43, 0x31).outb(0x40, 0x0a, 0x00);
    pit.outb(0x43, 0xc3);
    expect(pit.guestErrors()).toHaveLength(3);
    expect(() => pit.core.write(2, 0, 1, 0)).not.toThrow();
    expect(pit.core.read(0, 9, 1)).toBe(0xff);
  });
});

describe('i8254 snapshot', () => {
  it('snapshot and restore continue counting exactly, through JSON', () => {
    const a = Rig.with(0x34, 0);
    a.outb(0x43, 0xb2).outb(0x42, 50, 0).outb(0x61, 3);
    a.run(300e6);
    a.outb(0x43, 0x00); // pending latch on counter 0
    expect(a.inb(0x40)).toBeTypeOf('number');
    const state = JSON.parse(JSON.stringify(a.core.snapshot()));
    expect(state.version).toBe(1);
    const b = new Rig(a.ctx.t);
    b.core.restore(state);
    expect(b.inb(0x40)).toBe(a.inb(0x40));
    expect(b.inb(0x61) & 0x23).toBe(a.inb(0x61) & 0x23);
    expect(b.core.nextDeadline!()).toBe(a.core.nextDeadline!());
    expect(b.run(1e9)).toEqual(a.run(1e9));
    expect(() => b.core.restore({ version: 2 })).toThrow();
  });
});

describe('a late host', () => {
  it('an advance() after the one-clock mode-2 pulse still drives OUT0 low then high, so the PIC sees the edge', () => {
    const r = Rig.with(0x34, 100); // channel 0, mode 2, count 100
    r.core.advance!();
    const due = r.deadline();
    // Served 5 clocks late: the pulse (one clock low) is already over at `now`.
    r.ctx.t = due + T(5);
    const before = r.ctx.outputHistory.length;
    r.core.advance!();
    const pin0 = r.ctx.outputHistory.slice(before).filter(([pin]) => pin === 0).map(([, level]) => level);
    expect(pin0).toEqual([0, 1]);
    expect(r.out0()).toBe(1);
  });
});
