// Property tests of the 8254 core under random port traffic and random machine-time steps, with
// the host's side played by the test: every deadline is served (ctx.t set to it, then advance()),
// unless a step would need too many, in which case time jumps and one advance() catches up.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import type { DeviceCore } from '../../bus/device.js';
import { i8254 } from '../../devices/i8254/module.js';
import { timeOfTick } from '../../devices/i8254/clock.js';
import { FakeContext } from '../support/fake-context.js';

type Op =
  | { t: 'out'; port: number; v: number }
  | { t: 'in'; port: number }
  | { t: 'wait'; ns: number };

const PORTS = [0x40, 0x41, 0x42, 0x43, 0x61];
const byte = fc.integer({ min: 0, max: 0xff });
// Control words: random bytes, plus the shapes that matter (program, latch, read-back).
const controlByte = fc.oneof(
  byte,
  fc.record({ sc: fc.integer({ min: 0, max: 2 }), rw: fc.integer({ min: 1, max: 3 }), mode: fc.integer({ min: 0, max: 7 }), bcd: fc.integer({ min: 0, max: 1 }) })
    .map(({ sc, rw, mode, bcd }) => (sc << 6) | (rw << 4) | (mode << 1) | bcd),
  fc.integer({ min: 0, max: 2 }).map((sc) => sc << 6),
  fc.integer({ min: 0, max: 0x3f }).map((low) => 0xc0 | low),
);
// Counts: small ones make many edges, 0 is the full range.
const countByte = fc.oneof(byte, fc.constantFrom(0, 1, 2, 3, 5, 0x10, 0x99));
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: controlByte.map((v): Op => ({ t: 'out', port: 0x43, v })) },
  { weight: 4, arbitrary: fc.record({ port: fc.constantFrom(0x40, 0x41, 0x42), v: countByte }).map((r): Op => ({ t: 'out', ...r })) },
  { weight: 2, arbitrary: byte.map((v): Op => ({ t: 'out', port: 0x61, v })) },
  { weight: 3, arbitrary: fc.constantFrom(...PORTS).map((port): Op => ({ t: 'in', port })) },
  {
    weight: 4,
    arbitrary: fc.oneof(
      fc.integer({ min: 0, max: 5_000 }),
      fc.integer({ min: 0, max: 2_000_000 }),
      fc.integer({ min: 0, max: 300_000_000 }),
    ).map((ns): Op => ({ t: 'wait', ns })),
  },
);
const ops = fc.array(op, { maxLength: 120 });

function regionOf(port: number): [number, number] {
  return port === 0x61 ? [1, 0] : [0, port - 0x40];
}

class Host {
  readonly ctx = new FakeContext('pit');
  readonly core: DeviceCore;
  /** Every served deadline: [time, level before, level after]. */
  readonly served: Array<[number, number, number]> = [];
  readonly reads: number[] = [];
  constructor(core?: (ctx: FakeContext) => DeviceCore) {
    this.core = core ? core(this.ctx) : i8254.create(this.ctx, {});
  }
  deadline(): number { return this.core.nextDeadline!(); }
  apply(o: Op): void {
    if (o.t === 'out') {
      const [r, off] = regionOf(o.port);
      this.core.write(r, off, 1, o.v);
      expect(this.deadline()).toBeGreaterThan(this.ctx.t);
    } else if (o.t === 'in') {
      const [r, off] = regionOf(o.port);
      const v = this.core.read(r, off, 1);
      expect(Number.isInteger(v) && v >= 0 && v <= 0xff).toBe(true);
      this.reads.push(v);
    } else {
      this.waitUntil(this.ctx.t + o.ns);
    }
  }
  waitUntil(end: number): void {
    for (let served = 0; ; served++) {
      const d = this.deadline();
      if (d > end) break;
      if (served === 500) {
        // Too many edges to serve one by one: jump, as a host behind schedule would.
        this.ctx.t = end;
        this.core.advance!();
        expect(this.deadline()).toBeGreaterThan(end);
        break;
      }
      expect(d).toBeGreaterThanOrEqual(this.ctx.t);
      const before = this.ctx.level(0);
      this.ctx.t = d;
      this.core.advance!();
      const after = this.ctx.level(0);
      this.served.push([d, before, after]);
      expect(after).not.toBe(before);
      expect(this.deadline()).toBeGreaterThan(d);
    }
    this.ctx.t = end;
  }
}

describe('i8254 properties', () => {
  it('random port traffic and time steps never throw; deadlines are after now and always flip OUT0', () => {
    fc.assert(
      fc.property(ops, (list) => {
        const host = new Host();
        for (const o of list) host.apply(o);
      }),
      { numRuns: 300 },
    );
  });

  it('snapshot/restore at any point continues identically (through JSON)', () => {
    fc.assert(
      fc.property(ops, ops, (before, after) => {
        const a = new Host();
        for (const o of before) a.apply(o);
        const state = JSON.parse(JSON.stringify(a.core.snapshot()));
        const b = new Host();
        b.ctx.t = a.ctx.t;
        b.core.restore(state);
        b.ctx.outputs[0] = a.ctx.level(0); // the wire keeps its level across the restore
        expect(b.deadline()).toBe(a.deadline());
        const from = a.served.length;
        for (const o of after) { a.apply(o); b.apply(o); }
        expect(b.served).toEqual(a.served.slice(from));
        expect(b.reads).toEqual(a.reads.slice(a.reads.length - b.reads.length));
      }),
      { numRuns: 150 },
    );
  });

  it('OUT0 served through deadlines matches the read-back OUT bit at every clock edge', () => {
    const program = fc.record({
      mode: fc.integer({ min: 0, max: 7 }),
      bcd: fc.boolean(),
      count: fc.integer({ min: 1, max: 60 }),
      rewriteAt: fc.integer({ min: 1, max: 150 }),
      rewrite: fc.integer({ min: 1, max: 60 }),
    });
    fc.assert(
      fc.property(program, ({ mode, bcd, count, rewriteAt, rewrite }) => {
        const word = 0x30 | (mode << 1) | (bcd ? 1 : 0);
        const raw = (n: number): number => (bcd ? parseInt(String(n), 16) : n);
        const served = new Host();
        const probed = new Host();
        for (const h of [served, probed]) {
          h.core.write(0, 3, 1, word);
          h.core.write(0, 0, 1, raw(count) & 0xff);
          h.core.write(0, 0, 1, raw(count) >> 8);
        }
        for (let k = 1; k <= 200; k++) {
          const t = timeOfTick(k);
          served.waitUntil(t);
          probed.ctx.t = t;
          if (k === rewriteAt) {
            for (const h of [served, probed]) {
              h.core.write(0, 0, 1, raw(rewrite) & 0xff);
              h.core.write(0, 0, 1, raw(rewrite) >> 8);
            }
          }
          probed.core.write(0, 3, 1, 0xe2); // read-back: status of counter 0
          const status = probed.core.read(0, 0, 1);
          expect(served.ctx.level(0)).toBe(status >> 7);
        }
      }),
      { numRuns: 200 },
    );
  });
});
