// Property tests of the 8042 + keyboard under random guest port traffic and host key events.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { ALL_KEYS, Kbc, SET1, hex } from './i8042-harness.js';

type Op =
  | { t: 'cmd'; v: number }
  | { t: 'data'; v: number }
  | { t: 'read'; port: 0x60 | 0x64 }
  | { t: 'key'; key: string; down: boolean; delay: number }
  | { t: 'time'; dt: number };

const byte = fc.integer({ min: 0, max: 0xff });
const commandByte = fc.oneof(
  byte,
  fc.constantFrom(0x20, 0x60, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xad, 0xae, 0xc0, 0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xdd, 0xdf, 0xff),
);
const dataByte = fc.oneof(byte, fc.constantFrom(0x00, 0x61, 0x03, 0x43, 0xed, 0xee, 0xf0, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xff, 1, 2, 3));
const keyName = fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...ALL_KEYS) }, { weight: 1, arbitrary: fc.constantFrom('Hyper', '', 'a') });

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: commandByte.map((v): Op => ({ t: 'cmd', v })) },
  { weight: 2, arbitrary: dataByte.map((v): Op => ({ t: 'data', v })) },
  { weight: 4, arbitrary: fc.constantFrom<0x60 | 0x64>(0x60, 0x64).map((port): Op => ({ t: 'read', port })) },
  { weight: 4, arbitrary: fc.record({ key: keyName, down: fc.boolean(), delay: fc.constantFrom(0, 0, 100, 250) }).map((r): Op => ({ t: 'key', ...r })) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 400 }).map((dt): Op => ({ t: 'time', dt })) },
);

/** The snapshot fields the invariants look at. */
interface Seen {
  commandByte: number;
  output: { value: number; source: string } | null;
  keyboard: { queue: number[] };
}

function apply(k: Kbc, o: Op): void {
  switch (o.t) {
    case 'cmd': k.cmd(o.v); return;
    case 'data': k.data(o.v); return;
    case 'read': if (o.port === 0x60) k.read(); else k.status(); return;
    case 'key': k.key(o.key, o.down, k.ctx.t + o.delay); return;
    case 'time': k.ctx.t += o.dt; k.core.advance!(); return;
  }
}

describe('i8042 properties', () => {
  it('random port traffic and key events never throw; status, IRQ levels and snapshots stay consistent', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(op, { maxLength: 150 }), (initialise, ops) => {
        const k = new Kbc();
        if (initialise) k.seabios();
        for (const o of ops) {
          apply(k, o);
          const s = k.core.snapshot() as unknown as Seen;
          const aux = s.output?.source === 'aux';
          const status = k.status();
          expect(status & 0x01).toBe(s.output ? 1 : 0);
          expect(status & 0x20).toBe(aux ? 0x20 : 0);
          expect(status & 0xc2).toBe(0); // IBF, timeout, parity never set
          const irq1 = s.output && !aux && s.commandByte & 0x01 && !(s.commandByte & 0x10) ? 1 : 0;
          const irq12 = s.output && aux && s.commandByte & 0x02 ? 1 : 0;
          expect([k.irq1(), k.irq12()]).toEqual([irq1, irq12]);
          expect(s.keyboard.queue.length).toBeLessThanOrEqual(24);
        }
        const copy = new Kbc();
        copy.core.restore(k.core.snapshot());
        expect(copy.core.snapshot()).toEqual(k.core.snapshot());
        expect([copy.irq1(), copy.irq12()]).toEqual([k.irq1(), k.irq12()]);
      }),
      { numRuns: 300 },
    );
  });

  it('while the queue has room no scancode byte is lost or reordered, and each byte comes with its own IRQ1 edge', () => {
    const event = fc.record({ key: fc.constantFrom(...ALL_KEYS), down: fc.boolean() });
    // Up to two events between host reads: at most 16 set-2 bytes (two Pause makes), the queue size.
    const batches = fc.array(fc.array(event, { minLength: 1, maxLength: 2 }), { maxLength: 40 });
    fc.assert(
      fc.property(batches, (list) => {
        const k = new Kbc().seabios();
        const expected: number[] = [];
        const read: number[] = [];
        let edges = 0;
        for (const batch of list) {
          for (const e of batch) {
            k.key(e.key, e.down, k.ctx.t + 100);
            const codes = SET1.get(e.key)!;
            expected.push(...(e.down ? codes.make : codes.brk));
          }
          k.ctx.t += 100;
          k.core.advance!();
          // The guest's IRQ1 handler: one byte per interrupt, while the line is high.
          for (let guard = 0; guard < 64 && k.irq1(); guard++) {
            const from = k.ctx.outputHistory.length;
            read.push(k.read());
            if (k.ctx.outputHistory.slice(from).some(([pin, level]) => pin === 0 && level === 1)) edges++;
          }
        }
        expect(hex(read)).toBe(hex(expected));
        expect(k.ctx.tracesOf('kbd.key').some((t) => t.fields.dropped)).toBe(false);
        // The first byte of each batch raised IRQ1 on delivery; every later one on the read before it.
        const batchesWithBytes = list.filter((b) => b.some((e) => (e.down ? SET1.get(e.key)!.make : SET1.get(e.key)!.brk).length > 0)).length;
        expect(edges + batchesWithBytes).toBe(read.length);
      }),
      { numRuns: 300 },
    );
  });
});
