// Property tests of the 16550 under random guest port traffic, host bytes and time steps.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import type { UartState } from '../../devices/uart16550/state.js';
import { Com, DATA, FCR, LSR, MCR } from './uart16550-harness.js';

type Op =
  | { t: 'out'; offset: number; v: number }
  | { t: 'in'; offset: number }
  | { t: 'rx'; bytes: number[] }
  | { t: 'time'; dt: number };

const byte = fc.integer({ min: 0, max: 0xff });
const offset = fc.integer({ min: 0, max: 7 });
const value = fc.oneof(byte, fc.constantFrom(0x00, 0x01, 0x03, 0x07, 0x0b, 0x0f, 0x10, 0x18, 0x1b, 0x80, 0x83, 0xc7));

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ offset, v: value }).map((r): Op => ({ t: 'out', ...r })) },
  { weight: 5, arbitrary: offset.map((o): Op => ({ t: 'in', offset: o })) },
  { weight: 2, arbitrary: fc.array(byte, { maxLength: 24 }).map((bytes): Op => ({ t: 'rx', bytes })) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 20_000_000 }).map((dt): Op => ({ t: 'time', dt })) },
);

function apply(c: Com, o: Op): void {
  switch (o.t) {
    case 'out': c.out(o.offset, o.v); return;
    case 'in': c.in(o.offset); return;
    case 'rx': c.rx(...o.bytes); return;
    case 'time': c.wait(o.dt); return;
  }
}

/** The IRQ level the datasheet asks for, from the state alone. */
function expectedIrq(s: UartState): number {
  const fifo = (s.fcr & 0x01) !== 0;
  const trigger = [1, 4, 8, 14][s.fcr >> 6];
  const pending =
    (s.ier & 0x04 && s.overrun) ||
    (s.ier & 0x01 && (s.timeoutPending || (s.rx.length > 0 && (!fifo || s.rx.length >= trigger)))) ||
    (s.ier & 0x02 && s.thrPending) ||
    (s.ier & 0x08 && s.msrDelta !== 0);
  return pending && (s.mcr & 0x18) === 0x08 ? 1 : 0;
}

describe('uart16550 properties', () => {
  it('random port traffic never throws; LSR, the FIFO bound, the IRQ level and snapshots stay consistent', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const c = new Com();
        for (const o of ops) {
          apply(c, o);
          const s = c.core.snapshot();
          expect(s.rx.length).toBeLessThanOrEqual((s.fcr & 1) ? 16 : 1);
          expect(c.irq()).toBe(expectedIrq(s));
          const copy = new Com();
          copy.core.restore(s);
          expect(copy.core.snapshot()).toEqual(s);
          expect(copy.irq()).toBe(c.irq());
        }
        const lsr = c.in(LSR);
        expect(lsr & 0x60).toBe(0x60); // instantaneous transmission
        expect(lsr & 0x9c).toBe(0); // no parity/framing/break errors from the host
        // Only writes to the read-only LSR/MSR count as guest errors.
        const errors = c.ctx.tracesOf('guest_error').length;
        const readOnlyWrites = ops.filter((o) => o.t === 'out' && (o.offset === 5 || o.offset === 6)).length;
        expect(errors).toBe(readOnlyWrites);
      }),
      { numRuns: 200 },
    );
  });

  it('with OUT2 clear the IRQ line never rises', () => {
    const noOut2 = (o: Op): Op => (o.t === 'out' && o.offset === MCR ? { ...o, v: o.v & ~0x08 } : o);
    fc.assert(
      fc.property(byte, fc.array(op.map(noOut2), { maxLength: 200 }), (mcr, ops) => {
        const c = new Com().out(MCR, mcr & ~0x08);
        for (const o of ops) apply(c, o);
        expect(c.irqHistory()).not.toContain(1);
      }),
      { numRuns: 200 },
    );
  });

  it('bytes written in loopback come back in order while the FIFO has room', () => {
    const step = fc.oneof(byte.map((b) => ({ write: b })), fc.constant({ read: true as const }));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0x0f }), fc.constantFrom(0x01, 0x41, 0x81, 0xc1, 0xc7), fc.array(step, { maxLength: 100 }), (modem, fcr, steps) => {
        const c = new Com().out(MCR, 0x10 | modem).out(FCR, fcr);
        const sent: number[] = [];
        const got: number[] = [];
        for (const s of steps) {
          if ('write' in s) {
            if (sent.length - got.length >= 16) continue; // FIFO full: the guest waits
            sent.push(s.write);
            c.out(DATA, s.write);
          } else if (c.in(LSR) & 0x01) {
            got.push(c.in(DATA));
          }
        }
        got.push(...c.drain());
        expect(got).toEqual(sent);
        expect(c.tx()).toEqual([]);
        expect(c.in(LSR) & 0x02).toBe(0);
      }),
      { numRuns: 200 },
    );
  });
});
