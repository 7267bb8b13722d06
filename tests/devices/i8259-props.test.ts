// Property tests of the 8259A core under random guest port traffic, input levels and INTAs.
// The oracle for "masked" / "in service" is the chip's own snapshot taken just before the INTA.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { CASCADE, type DeviceCore, type Level } from '../../bus/device.js';
import { i8259 } from '../../devices/i8259/module.js';
import { FakeContext } from '../support/fake-context.js';

type Op =
  | { t: 'cmd'; v: number }
  | { t: 'data'; v: number }
  | { t: 'elcr'; v: number }
  | { t: 'read'; port: 0 | 1 | 2 }
  | { t: 'input'; pin: number; level: Level }
  | { t: 'pulse'; pin: number }
  | { t: 'ack' };

/** The fields of a version-1 snapshot the properties look at. */
interface Seen { irr: number; isr: number; imr: number; vectorBase: number; sfnm: boolean; poll: boolean }

const byte = fc.integer({ min: 0, max: 0xff });
const levelOf = fc.constantFrom<Level>(0, 1);
// Mostly OCW2/OCW3 (ICW1 resets the chip, so raw bytes, half of which are ICW1, stay rare).
const commandByte = fc.oneof(
  { weight: 1, arbitrary: byte },
  { weight: 1, arbitrary: fc.constantFrom(0x10, 0x11, 0x13, 0x19, 0x1b) },
  { weight: 4, arbitrary: fc.constantFrom(0x20, 0xa0, 0x40, 0x00, 0x80, 0x0a, 0x0b, 0x0c, 0x68, 0x48) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 7 }).chain((n) => fc.constantFrom(0x60 | n, 0xe0 | n, 0xc0 | n)) },
);
const dataByte = fc.oneof(byte, fc.constantFrom(0x00, 0x01, 0x02, 0x03, 0x04, 0x11, 0x13, 0xff, 0x20, 0x28));

// A few busy lines make repeated requests on one IR (the interesting nesting cases) common.
const pin = fc.oneof(fc.integer({ min: 0, max: 7 }), fc.constantFrom(0, 1, 3));

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: commandByte.map((v): Op => ({ t: 'cmd', v })) },
  { weight: 3, arbitrary: dataByte.map((v): Op => ({ t: 'data', v })) },
  { weight: 1, arbitrary: byte.map((v): Op => ({ t: 'elcr', v })) },
  { weight: 2, arbitrary: fc.constantFrom<0 | 1 | 2>(0, 1, 2).map((port): Op => ({ t: 'read', port })) },
  { weight: 4, arbitrary: fc.record({ pin, level: levelOf }).map((r): Op => ({ t: 'input', ...r })) },
  { weight: 3, arbitrary: pin.map((p): Op => ({ t: 'pulse', pin: p })) },
  { weight: 4, arbitrary: fc.constant<Op>({ t: 'ack' }) },
);
const role = fc.constantFrom<'master' | 'slave'>('master', 'slave');
const ops = fc.array(op, { maxLength: 200 });

function make(r: 'master' | 'slave', initialise: boolean): { ctx: FakeContext; core: DeviceCore } {
  const ctx = new FakeContext('pic');
  const core = i8259.create(ctx, { role: r });
  if (initialise) for (const [o, v] of [[0, 0x11], [1, 0x20], [1, r === 'master' ? 0x04 : 0x02], [1, 0x01]]) core.write(0, o, 1, v);
  return { ctx, core };
}

/** Apply one op; returns what the guest saw (a read value or an INTA answer), else null. */
function apply(core: DeviceCore, o: Op): number | null {
  switch (o.t) {
    case 'cmd': core.write(0, 0, 1, o.v); return null;
    case 'data': core.write(0, 1, 1, o.v); return null;
    case 'elcr': core.write(1, 0, 1, o.v); return null;
    case 'read': return o.port === 2 ? core.read(1, 0, 1) : core.read(0, o.port, 1);
    case 'input': core.setInput!(o.pin, o.level); return null;
    case 'pulse': core.setInput!(o.pin, 1); core.setInput!(o.pin, 0); return null;
    case 'ack': return core.acknowledge!();
  }
}

const seen = (core: DeviceCore): Seen => core.snapshot() as unknown as Seen;

/** Would an INTA right now be spurious? Asked of a clone, so the chip itself is untouched. */
function nextIntaIsSpurious(r: 'master' | 'slave', core: DeviceCore): boolean {
  const clone = make(r, false);
  clone.core.restore(core.snapshot());
  clone.core.acknowledge!();
  return clone.ctx.tracesOf('pic.spurious').length > 0;
}

describe('i8259 properties', () => {
  it('random port traffic, input levels and INTAs never throw, and INT is high exactly when INTA would not be spurious', () => {
    fc.assert(
      fc.property(role, fc.boolean(), ops, (r, initialise, list) => {
        const { ctx, core } = make(r, initialise);
        for (const o of list) {
          const result = apply(core, o);
          if (o.t === 'ack') {
            expect(result === null || (result >= 0 && result < 0x100) || (result >= CASCADE && result < CASCADE + 8)).toBe(true);
          }
          expect(ctx.level(0) === 1).toBe(!nextIntaIsSpurious(r, core));
          expect(core.snapshot().int).toBe(ctx.level(0));
        }
        const intr = ctx.tracesOf('pic.intr').map((t) => t.fields.state);
        expect(intr).toEqual(ctx.outputHistory.map(([, level]) => level));
      }),
      { numRuns: 300 },
    );
  });

  it('never delivers an IR that is masked or already in service (SFNM cascade inputs excepted)', () => {
    fc.assert(
      fc.property(role, fc.boolean(), ops, (r, initialise, list) => {
        const { ctx, core } = make(r, initialise);
        for (const o of list) {
          const before = seen(core);
          const spurious = ctx.tracesOf('pic.spurious').length;
          const result = apply(core, o);
          let ir = -1;
          let cascade = false;
          if (o.t === 'ack' && result !== null && ctx.tracesOf('pic.spurious').length === spurious) {
            cascade = result >= CASCADE;
            ir = cascade ? result - CASCADE : result - before.vectorBase;
          } else if (o.t === 'read' && o.port !== 2 && before.poll && result !== null && result & 0x80) {
            ir = result & 7; // poll word: I bit + IR
          }
          if (ir < 0) continue;
          expect(ir).toBeGreaterThanOrEqual(0);
          expect(ir).toBeLessThan(8);
          const bit = 1 << ir;
          expect(before.irr & bit).toBe(bit);
          expect(before.imr & bit).toBe(0);
          if (!(cascade && before.sfnm)) expect(before.isr & bit).toBe(0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a snapshot restored into a fresh core answers every later access the same way', () => {
    fc.assert(
      fc.property(role, ops, ops, (r, prefix, suffix) => {
        const a = make(r, true);
        for (const o of prefix) apply(a.core, o);
        const b = make(r, false);
        b.core.restore(JSON.parse(JSON.stringify(a.core.snapshot())));
        expect(b.ctx.level(0)).toBe(a.ctx.level(0));
        for (const o of suffix) {
          expect(apply(b.core, o)).toBe(apply(a.core, o));
          expect(b.ctx.level(0)).toBe(a.ctx.level(0));
        }
      }),
      { numRuns: 200 },
    );
  });
});
