// The example user device, tested through the same harness as the built-ins: the core alone with a
// FakeContext, then on a real bus router with two real 8259A cores, the way blog_os programs them.
import { describe, it, expect } from 'vitest';
// Public entry points only, as in a project of your own: actorpc/device and actorpc/harness.
import type { DeviceCore } from 'actorpc/device';
import { busRig, FakeContext } from 'actorpc/harness';
import rtc, { rtcOptions } from './module.js';
import { REG, REGION_DATA, REGION_INDEX, periodTicks, rateHz, tickAt, timeOfTick } from './rtc.js';

const S = 1_000_000_000;
const MS = 1_000_000;
/** 1024 Hz: 32 edges of 32.768 kHz, 976.5625 µs; the bus gets whole nanoseconds (rounded up). */
const PERIOD_1024HZ = 976_562.5;

/** One chip on a FakeContext, driven the way a guest does: index to 0x70, data at 0x71. */
class Chip {
  readonly ctx = new FakeContext('rtc');
  readonly core: DeviceCore;
  constructor(options: Record<string, unknown> = {}, t0 = 0) {
    this.ctx.t = t0;
    this.core = rtc.create(this.ctx, rtcOptions.parse(options));
  }
  at(ns: number): this { this.ctx.t = ns; return this; }
  get(r: number): number {
    this.core.write(REGION_INDEX, 0, 1, r);
    return this.core.read(REGION_DATA, 0, 1);
  }
  set(r: number, v: number): this {
    this.core.write(REGION_INDEX, 0, 1, r);
    this.core.write(REGION_DATA, 0, 1, v);
    return this;
  }
  deadline(): number { return this.core.nextDeadline!(); }
  /** What the bus does: advance() at each deadline up to `ns`, then stand at `ns`. */
  run(ns: number): this {
    for (let d = this.deadline(); d <= ns; d = this.deadline()) {
      this.ctx.t = d;
      this.core.advance!();
    }
    this.ctx.t = ns;
    return this;
  }
  irq(): number { return this.ctx.level(0); }
  /** seconds, minutes, hours, day of week, day of month, month, year, century as read. */
  clock(): number[] {
    return [REG.SECONDS, REG.MINUTES, REG.HOURS, REG.DAY_OF_WEEK, REG.DAY_OF_MONTH, REG.MONTH, REG.YEAR, REG.CENTURY].map((r) => this.get(r));
  }
  guestErrors(): string[] { return this.ctx.tracesOf('guest_error').map((t) => String(t.fields.message)); }
}

describe('time base', () => {
  it('numbers 32.768 kHz edges in machine time and maps them back to whole nanoseconds', () => {
    expect(tickAt(0)).toBe(0);
    expect(tickAt(S)).toBe(32_768);
    expect(tickAt(976_562)).toBe(31); // machine time is whole nanoseconds: 976 562.5 is not one
    expect(timeOfTick(32)).toBe(976_563);
    expect(tickAt(timeOfTick(32))).toBe(32);
    expect(tickAt(timeOfTick(32) - 1)).toBe(31);
    expect(timeOfTick(32_768 * 3600)).toBe(3600 * S);
  });

  it('rate select: 32768 >> (rs - 1) Hz, rs 1 and 2 alias 8 and 9, 0 is off', () => {
    expect(Array.from({ length: 16 }, (_, rs) => rateHz(rs))).toEqual([
      0, 256, 128, 8192, 4096, 2048, 1024, 512, 256, 128, 64, 32, 16, 8, 4, 2,
    ]);
    expect(periodTicks(6)).toBe(32);
  });
});

describe('clock and calendar', () => {
  it('powers on at the start option, BCD and 24-hour, register A 0x26, D valid', () => {
    const c = new Chip();
    // 2026-01-01 00:00:00 is a Thursday (day of week 5, Sunday = 1).
    expect(c.clock()).toEqual([0x00, 0x00, 0x00, 0x05, 0x01, 0x01, 0x26, 0x20]);
    expect([c.get(REG.A), c.get(REG.B), c.get(REG.C), c.get(REG.D)]).toEqual([0x26, 0x02, 0x00, 0x80]);
    expect(c.core.read(REGION_INDEX, 0, 1)).toBe(0xff);
    expect(c.deadline()).toBe(Infinity);
  });

  it('runs with machine time only: start + machine time, updates on whole seconds', () => {
    const c = new Chip();
    expect(c.at(S - 1).get(REG.SECONDS)).toBe(0x00);
    expect(c.at(S).get(REG.SECONDS)).toBe(0x01);
    expect(c.at(61.5 * S).clock().slice(0, 3)).toEqual([0x01, 0x01, 0x00]);
    // A jump of a day and an hour: Friday 2 January, 01:00:00.
    expect(c.at(25 * 3600 * S).clock()).toEqual([0x00, 0x00, 0x01, 0x06, 0x02, 0x01, 0x26, 0x20]);
  });

  it('a core created later (a restart) reads start + machine time', () => {
    const c = new Chip({ start: '2026-01-01T00:00:00Z' }, 90.25 * S);
    expect(c.clock().slice(0, 2)).toEqual([0x30, 0x01]);
    expect(c.at(91 * S).get(REG.SECONDS)).toBe(0x31);
  });

  it.each([
    ['2028-02-28T23:59:59Z', [0x00, 0x00, 0x00, 0x03, 0x29, 0x02, 0x28, 0x20]], // leap day, a Tuesday
    ['2100-02-28T23:59:59Z', [0x00, 0x00, 0x00, 0x02, 0x01, 0x03, 0x00, 0x21]], // 2100 is not a leap year
    ['2099-12-31T23:59:59Z', [0x00, 0x00, 0x00, 0x06, 0x01, 0x01, 0x00, 0x21]], // the century counts along
  ])('from %s one second later', (start, expected) => {
    const c = new Chip({ start });
    expect(c.at(S).clock()).toEqual(expected);
    const d = new Date(Date.UTC(2000 + 100 * (expected[7] - 0x20) + Number(expected[6].toString(16)), Number(expected[5].toString(16)) - 1, Number(expected[4].toString(16))));
    expect(expected[3]).toBe(d.getUTCDay() + 1); // cross-check the day of week with the JS calendar
  });

  it('shows binary and 12-hour modes (register B DM, 24/12) and accepts writes in them', () => {
    const c = new Chip({ start: '2026-07-04T13:05:09' });
    expect(c.get(REG.HOURS)).toBe(0x13);
    c.set(REG.B, 0x06); // binary, 24-hour
    expect(c.clock()).toEqual([9, 5, 13, 7, 4, 7, 26, 20]);
    c.set(REG.B, 0x00); // BCD, 12-hour: 1 PM
    expect(c.get(REG.HOURS)).toBe(0x81);
    c.set(REG.HOURS, 0x12); // 12 AM is midnight
    c.set(REG.B, 0x02);
    expect(c.get(REG.HOURS)).toBe(0x00);
    c.set(REG.B, 0x00).set(REG.HOURS, 0x92); // 12 PM is noon
    c.set(REG.B, 0x06);
    expect(c.get(REG.HOURS)).toBe(12);
    expect(c.guestErrors()).toEqual([]);
  });

  it('SET stops updates and clears UIE; clearing it resumes on the same second grid', () => {
    const c = new Chip();
    c.at(0.5 * S).set(REG.B, 0x80 | 0x10 | 0x02);
    expect(c.get(REG.B)).toBe(0x82);
    c.set(REG.SECONDS, 0x30).set(REG.MINUTES, 0x45).set(REG.HOURS, 0x23);
    c.set(REG.DAY_OF_MONTH, 0x31).set(REG.MONTH, 0x12).set(REG.YEAR, 0x99).set(REG.DAY_OF_WEEK, 0x04);
    expect(c.at(10 * S).get(REG.SECONDS)).toBe(0x30); // frozen while SET
    c.set(REG.B, 0x02);
    expect(c.at(11 * S - 1).get(REG.SECONDS)).toBe(0x30);
    expect(c.at(11 * S).get(REG.SECONDS)).toBe(0x31);
    // 2099-12-31 23:45:31 + 14 min 29 s: midnight; the day of week written (4) counts on from itself.
    expect(c.at(880 * S - 1).get(REG.SECONDS)).toBe(0x59);
    expect(c.at(880 * S).clock()).toEqual([0x00, 0x00, 0x00, 0x05, 0x01, 0x01, 0x00, 0x21]);
  });

  it('an impossible date is stored as written and carries at the next update', () => {
    const c = new Chip();
    c.set(REG.B, 0x82).set(REG.MONTH, 0x02).set(REG.DAY_OF_MONTH, 0x30);
    expect(c.get(REG.DAY_OF_MONTH)).toBe(0x30);
    c.set(REG.B, 0x02);
    expect(c.at(S).clock().slice(4, 6)).toEqual([0x02, 0x03]); // 30 February 2026 = 2 March
    expect(c.guestErrors()).toEqual([]);
  });

  it('UIP is set for the 2228 µs before each update ends', () => {
    const c = new Chip();
    expect(c.at(S - 2.3 * MS).get(REG.A)).toBe(0x26);
    expect(c.at(S - 2 * MS).get(REG.A)).toBe(0xa6);
    expect(c.at(S).get(REG.A)).toBe(0x26);
    c.set(REG.B, 0x82); // no updates under SET, so no UIP
    expect(c.at(2 * S - 1 * MS).get(REG.A)).toBe(0x26);
  });

  it('divider reset (DV = 11x) holds the clock; the first update ends 500 ms after release', () => {
    const c = new Chip();
    c.at(0.3 * S).set(REG.A, 0x70); // chain in reset
    expect(c.get(REG.C)).toBe(0x40); // the taps before it set PF
    c.set(REG.B, 0x52); // PIE and UIE on
    expect(c.deadline()).toBe(Infinity);
    c.run(5 * S);
    expect([c.get(REG.SECONDS), c.get(REG.C), c.irq()]).toEqual([0x00, 0x00, 0]);
    c.set(REG.A, 0x2f); // running, 2 Hz
    expect(c.get(REG.A)).toBe(0x2f);
    expect(c.deadline()).toBe(5.5 * S); // first tap and first update, together
    expect(c.at(5.5 * S - 1).get(REG.SECONDS)).toBe(0x00);
    expect(c.at(5.5 * S).get(REG.SECONDS)).toBe(0x01);
    expect(c.get(REG.C)).toBe(0xd0); // IRQF | PF | UF
    expect(c.at(6.5 * S).get(REG.SECONDS)).toBe(0x02);
  });

  it('other time bases are reported as unimplemented and stop the clock', () => {
    const c = new Chip();
    c.set(REG.A, 0x06);
    expect(c.ctx.tracesOf('unimplemented')).toHaveLength(1);
    expect(c.at(3 * S).get(REG.SECONDS)).toBe(0x00);
  });
});

describe('CMOS RAM and the index port', () => {
  it('0x0E-0x7F (but the century at 0x32) are plain RAM; alarm bytes read back as written', () => {
    const c = new Chip();
    const ram = Array.from({ length: 0x80 - 0x0e }, (_, i) => 0x0e + i).filter((r) => r !== REG.CENTURY);
    for (const r of ram) c.set(r, (r * 7 + 3) & 0xff);
    for (const r of [REG.SECONDS_ALARM, REG.MINUTES_ALARM, REG.HOURS_ALARM]) c.set(r, 0xc0 | r);
    expect(ram.map((r) => c.get(r))).toEqual(ram.map((r) => (r * 7 + 3) & 0xff));
    expect([c.get(1), c.get(3), c.get(5)]).toEqual([0xc1, 0xc3, 0xc5]);
    expect(c.guestErrors()).toEqual([]);
  });

  it('bit 7 of the index is the NMI mask: kept and traced, not part of the register number', () => {
    const c = new Chip();
    c.set(0x10, 0x5a);
    c.core.write(REGION_INDEX, 0, 1, 0x80 | 0x10);
    expect(c.core.read(REGION_DATA, 0, 1)).toBe(0x5a);
    expect(c.core.read(REGION_INDEX, 0, 1)).toBe(0xff);
    expect(c.ctx.tracesOf('rtc.nmi').map((t) => t.fields)).toEqual([{ disabled: true }]);
    expect(c.core.snapshot().nmiDisabled).toBe(true);
  });

  it('guest errors are logged, never thrown: read-only C and D, bad BCD, out-of-range values', () => {
    const c = new Chip();
    expect(() => {
      c.set(REG.C, 0xff).set(REG.D, 0x00);
      c.set(REG.SECONDS, 0x5a); // not BCD
      c.set(REG.MINUTES, 0x60); // BCD, but minute 60
      c.set(REG.B, 0x00).set(REG.HOURS, 0x13); // 12-hour mode has no hour 13
      c.core.write(5, 0, 1, 0);
      c.core.read(0, 3, 1);
    }).not.toThrow();
    expect(c.guestErrors()).toEqual([
      'write to read-only MC146818 register C',
      'write to read-only MC146818 register D',
      'invalid seconds value 0x5a for the BCD mode',
      'invalid minutes value 0x60 for the BCD mode',
      'invalid hours value 0x13 for the BCD 12-hour mode',
      'write outside the MC146818 regions',
      'read outside the MC146818 regions',
    ]);
    expect(c.get(REG.D)).toBe(0x80);
  });
});

describe('interrupts', () => {
  it('PIE at 1024 Hz: deadline at the next tap, a level until register C is read', () => {
    const c = new Chip();
    c.set(REG.A, 0x26).set(REG.B, 0x42);
    expect(c.deadline()).toBe(Math.ceil(PERIOD_1024HZ));
    c.at(c.deadline());
    c.core.advance!();
    expect(c.irq()).toBe(1);
    expect(c.deadline()).toBe(Infinity); // nothing more to see until C is read
    expect(c.ctx.tracesOf('rtc.irq').map((t) => t.fields)).toEqual([{ state: 1, flags: '0x40' }]);
    c.run(5 * MS);
    expect(c.irq()).toBe(1);
    expect(c.get(REG.C)).toBe(0xc0); // IRQF | PF
    expect(c.irq()).toBe(0);
    expect(c.get(REG.C)).toBe(0x00);
    expect(c.deadline()).toBe(timeOfTick(tickAt(5 * MS) - (tickAt(5 * MS) % 32) + 32));
  });

  it('a jump over many periods sets PF once: flags, not a queue of interrupts', () => {
    const c = new Chip();
    c.set(REG.B, 0x42);
    c.at(10 * MS).core.advance!();
    expect(c.ctx.outputHistory).toEqual([[0, 1, 10 * MS]]);
    expect(c.get(REG.C)).toBe(0xc0); // IRQF | PF once (no update yet: the first ends at 1 s)
    expect(c.get(REG.C)).toBe(0x00);
  });

  it('PF is set without PIE; no line, no deadline; enabling PIE then raises the line at once', () => {
    const c = new Chip();
    expect(c.deadline()).toBe(Infinity);
    c.at(2 * MS);
    c.set(REG.B, 0x42);
    expect(c.irq()).toBe(1);
    expect(c.get(REG.C)).toBe(0xc0);
    c.set(REG.B, 0x02).at(4 * MS);
    expect(c.get(REG.C)).toBe(0x40); // PF alone: IRQF needs PIE
    expect(c.irq()).toBe(0);
  });

  it('rate 0 turns the periodic interrupt off; rates 1 and 2 tick at 256 and 128 Hz', () => {
    const c = new Chip();
    c.set(REG.A, 0x20).set(REG.B, 0x42);
    expect(c.deadline()).toBe(Infinity);
    c.set(REG.A, 0x21);
    expect(c.deadline()).toBe(timeOfTick(128));
    c.set(REG.A, 0x22);
    expect(c.deadline()).toBe(timeOfTick(256));
    c.set(REG.A, 0x28);
    expect(c.deadline()).toBe(timeOfTick(128));
  });

  it('UIE: an update-ended interrupt once a second', () => {
    const c = new Chip();
    c.set(REG.B, 0x12);
    expect(c.deadline()).toBe(S);
    c.run(S);
    expect(c.irq()).toBe(1);
    expect(c.get(REG.C)).toBe(0xd0); // IRQF | PF | UF: PF counts along at 1024 Hz, without PIE
    expect(c.deadline()).toBe(2 * S);
  });

  it('AIE: the alarm fires at the matching second; 0xC0 bytes match anything', () => {
    const c = new Chip();
    c.set(REG.SECONDS_ALARM, 0x05).set(REG.MINUTES_ALARM, 0x00).set(REG.HOURS_ALARM, 0x00);
    c.set(REG.B, 0x22);
    expect(c.deadline()).toBe(5 * S);
    c.run(5 * S);
    expect(c.irq()).toBe(1);
    expect(c.get(REG.C) & 0xb0).toBe(0xb0); // IRQF | AF | UF
    expect(c.deadline()).toBe((86_400 + 5) * S); // once a day
    c.set(REG.HOURS_ALARM, 0xc0).set(REG.MINUTES_ALARM, 0xff);
    expect(c.deadline()).toBe(65 * S); // every minute at :05
    c.set(REG.SECONDS_ALARM, 0xc0);
    expect(c.deadline()).toBe(6 * S); // every second
    c.set(REG.SECONDS_ALARM, 0x60); // no such second: never
    expect(c.deadline()).toBe(Infinity);
  });

  it('the alarm compares in the current mode (12-hour) and is caught up over a jump', () => {
    const c = new Chip({ start: '2026-01-01T12:59:58Z' });
    c.set(REG.B, 0x00); // BCD, 12-hour
    c.set(REG.SECONDS_ALARM, 0x00).set(REG.MINUTES_ALARM, 0x00).set(REG.HOURS_ALARM, 0x81); // 1 PM
    c.at(100 * S);
    expect(c.get(REG.C) & 0x30).toBe(0x30); // AF and UF, with AIE off
    expect(c.irq()).toBe(0);
  });
});

describe('module and snapshots', () => {
  it('options: start and rate_hz with defaults; bad values and unknown keys are rejected', () => {
    expect(rtcOptions.parse({})).toEqual({ start: '2026-01-01T00:00:00Z', rate_hz: 1024 });
    expect(new Chip({ rate_hz: 256 }).get(REG.A)).toBe(0x28);
    expect(new Chip({ rate_hz: 0 }).get(REG.A)).toBe(0x20);
    expect(rtcOptions.safeParse({ start: '2026-02-30T00:00:00Z' }).success).toBe(false);
    expect(rtcOptions.safeParse({ start: '2026-01-01T00:00:00+02:00' }).success).toBe(false);
    expect(rtcOptions.safeParse({ rate_hz: 1000 }).success).toBe(false);
    expect(rtcOptions.safeParse({ start: '2028-02-29T12:00' }).success).toBe(true);
    expect(rtcOptions.safeParse({ start: '2026-01-01T24:00:00' }).success).toBe(false);
    expect(rtcOptions.safeParse({ start: '2026-02-29T00:00:00Z' }).error?.issues[0]).toMatchObject({
      code: 'custom', message: '"2026-02-29T00:00:00Z": month 2 of 2026 has no day 29.', params: { hint: expect.any(String) },
    });
    expect(rtcOptions.safeParse({ rate: 1024 }).success).toBe(false);
    expect(rtc.regions.map((r) => [r.name, r.base, r.size])).toEqual([['index', 0x70, 1], ['data', 0x71, 1]]);
    expect(rtc.outputs).toEqual(['irq']);
  });

  it('snapshot/restore (version 1) carries on identically', () => {
    const a = new Chip();
    a.set(0x40, 0x12).set(REG.SECONDS_ALARM, 0xc0).set(REG.MINUTES_ALARM, 0xc0).set(REG.HOURS_ALARM, 0xc0);
    a.set(REG.A, 0x2a).set(REG.B, 0x62).run(2.3 * S);
    a.core.write(REGION_INDEX, 0, 1, REG.MINUTES);
    const snap = JSON.parse(JSON.stringify(a.core.snapshot()));
    expect(snap.version).toBe(1);
    const b = new Chip({ start: '1999-12-31T00:00:00Z' }, 2.3 * S);
    b.core.restore(snap);
    expect(b.irq()).toBe(a.irq());
    expect(b.core.read(REGION_DATA, 0, 1)).toBe(a.core.read(REGION_DATA, 0, 1));
    expect(b.deadline()).toBe(a.deadline());
    for (const chip of [a, b]) chip.at(7.9 * S);
    expect(b.clock()).toEqual(a.clock());
    expect([b.get(REG.C), b.get(0x40), b.get(REG.A)]).toEqual([a.get(REG.C), a.get(0x40), a.get(REG.A)]);
    expect(() => b.core.restore({ version: 2 })).toThrow(/bad snapshot/);
  });
});

describe('on the bus with two 8259As (IRQ8 through the slave)', () => {
  const rigWithPics = () => {
    const rig = busRig(
      [
        { name: 'pic1', module: 'i8259', options: { role: 'master' }, ports: { io: 0x20, elcr: 0x4d0 } },
        { name: 'pic2', module: 'i8259', options: { role: 'slave' }, ports: { io: 0xa0, elcr: 0x4d1 } },
        { name: 'rtc', module: rtc, options: { start: '2026-01-01T00:00:00Z' } },
      ],
      ['pic2.int -> pic1.ir2', 'rtc.irq -> pic2.ir0', 'pic1.int -> cpu.intr'],
    );
    let t = 0;
    const out = (port: number, value: number) => rig.bus.out(port, 1, value, t);
    const inb = (port: number) => rig.bus.in(port, 1, t);
    rig.bus.prime(t);
    // pic8259 ChainedPics::new(32, 40).initialize(), then unmask IRQ2 (cascade) and IRQ8.
    const m1 = inb(0x21);
    const m2 = inb(0xa1);
    out(0x20, 0x11); out(0xa0, 0x11);
    out(0x21, 0x20); out(0xa1, 0x28);
    out(0x21, 0x04); out(0xa1, 0x02);
    out(0x21, 0x01); out(0xa1, 0x01);
    out(0x21, m1); out(0xa1, m2);
    out(0x21, 0xfb); out(0xa1, 0xfe);
    // RTC: 1024 Hz (RS = 6), then PIE, NMI stays disabled while we touch the registers (0x8A, 0x8B).
    out(0x70, 0x8a); const a = inb(0x71); out(0x70, 0x8a); out(0x71, (a & 0xf0) | 0x06);
    out(0x70, 0x8b); const b = inb(0x71); out(0x70, 0x8b); out(0x71, b | 0x40);
    out(0x70, 0x0d); // NMI back on
    return {
      rig, out, inb,
      get t() { return t; },
      /** Machine time moves to the next deadline (the CPU loop's job), devices due are advanced. */
      toDeadline(): number { t = rig.bus.nextDeadline; rig.bus.advanceDue(t); return t; },
      wait(ns: number) { t += ns; rig.bus.advanceDue(t); },
      isr(cmd: number): number { out(cmd, 0x0b); const v = inb(cmd); out(cmd, 0x0a); return v; },
      readC(): number { out(0x70, 0x0c); return inb(0x71); },
      eoi() { out(0xa0, 0x20); out(0x20, 0x20); },
    };
  };

  it('raises INTR at 976.5625 µs, INTA answers vector 40, IRQ8 in service until C is read and EOIs sent', () => {
    const m = rigWithPics();
    expect(m.rig.bus.intr).toBe(0);
    expect(m.rig.bus.nextDeadline).toBe(976_563);
    expect(m.toDeadline()).toBe(976_563);
    expect(m.rig.bus.intr).toBe(1);
    expect(m.rig.bus.acknowledge(m.t)).toBe(40);
    expect(m.rig.bus.intr).toBe(0);
    expect([m.isr(0x20), m.isr(0xa0)]).toEqual([0x04, 0x01]);

    // The handler: read register C (the line drops), still in service until the EOIs.
    expect(m.readC()).toBe(0xc0);
    expect([m.isr(0x20), m.isr(0xa0)]).toEqual([0x04, 0x01]);
    m.eoi();
    expect([m.isr(0x20), m.isr(0xa0)]).toEqual([0x00, 0x00]);
    expect(m.rig.bus.intr).toBe(0);

    // The next tap, one period after the first.
    expect(m.toDeadline()).toBe(timeOfTick(64));
    expect(m.rig.bus.intr).toBe(1);
    expect(m.rig.bus.acknowledge(m.t)).toBe(0x28);

    const levels = m.rig.traces().filter((r) => r.kind === 'irq.level' && r.line === 'pic2.ir0');
    expect(levels.map((r) => [r.src, r.state, r.t])).toEqual([
      ['rtc', 1, 976_563],
      ['rtc', 0, 976_563],
      ['rtc', 1, timeOfTick(64)],
    ]);
  });

  it('a handler that forgets register C gets no more interrupts (no new edge on IRQ8)', () => {
    const m = rigWithPics();
    m.toDeadline();
    expect(m.rig.bus.acknowledge(m.t)).toBe(40);
    m.eoi();
    expect(m.rig.bus.nextDeadline).toBe(Infinity);
    m.wait(50 * MS);
    expect(m.rig.bus.intr).toBe(0);
    expect(m.readC()).toBe(0xc0); // PF was set again and again: one flag
    expect(m.rig.bus.intr).toBe(0);
    const before = m.t;
    const next = m.toDeadline();
    expect(next).toBeGreaterThan(before);
    expect(next - before).toBeLessThanOrEqual(PERIOD_1024HZ + 1);
    expect(m.rig.bus.intr).toBe(1);
    expect(m.rig.bus.acknowledge(m.t)).toBe(40);
  });

  it('port I/O reaches the CMOS through 0x70/0x71, traced with the register names', () => {
    const m = rigWithPics();
    m.wait(61 * S);
    m.out(0x70, REG.MINUTES);
    expect(m.inb(0x71)).toBe(0x01);
    m.out(0x70, REG.CENTURY);
    expect(m.inb(0x71)).toBe(0x20);
    expect(m.inb(0x70)).toBe(0xff);
    const io = m.rig.traces().filter((r) => r.kind.startsWith('io.') && r.device === 'rtc');
    expect(io.at(-1)?.reg).toBe('index (write-only, reads 0xFF)');
  });
});
