// The 8259A core, second half of the device-models.md §1.1 rows: how requests are delivered
// (edge/level, spurious IRQ 7, nesting, cascade), the INT output, the module, snapshots and
// what blog_os's pic8259 crate does.
import { describe, it, expect } from 'vitest';
import { CASCADE } from '../../bus/device.js';
import { i8259 } from '../../devices/i8259/module.js';
import { i8259Options } from '../../devices/i8259/options.js';
import { FakeContext } from '../support/fake-context.js';
import { PicPair, picChip as chip } from '../support/pic-pair.js';

describe('spurious IRQ 7', () => {
  it('spurious IRQ 7 when a level request vanishes before INTA', () => {
    const p = chip();
    p.init();
    p.writeElcr(0x08);
    p.irq(3, 1);
    expect(p.int()).toBe(1);
    p.irq(3, 0);
    expect(p.ack()).toBe(0x27);
    expect(p.isr()).toBe(0);
    expect(p.ctx.tracesOf('pic.spurious').map((t) => t.fields)).toEqual([{ chip: 'pic1', vector: 0x27 }]);
  });

  it('spurious IRQ 7 when the IR is masked between INT and INTA', () => {
    const p = chip();
    p.init();
    p.pulse(1);
    p.data(0x02);
    expect(p.ack()).toBe(0x27);
    expect(p.isr()).toBe(0);
    expect(p.ctx.tracesOf('pic.spurious')).toHaveLength(1);
  });

  it('an edge request survives its line dropping, so INTA is not spurious', () => {
    const p = chip();
    p.init();
    p.pulse(1);
    expect(p.ack()).toBe(0x21);
    expect(p.ctx.tracesOf('pic.spurious')).toHaveLength(0);
  });

  it('a real IR7 is delivered with its ISR bit, not reported as spurious', () => {
    const p = chip();
    p.init();
    p.pulse(7);
    expect(p.ack()).toBe(0x27);
    expect(p.isr()).toBe(0x80);
    expect(p.ctx.tracesOf('pic.spurious')).toHaveLength(0);
  });
});

describe('edge and level triggering, ELCR', () => {
  it('an edge-triggered IR latches once per rising edge', () => {
    const p = chip();
    p.init();
    p.irq(0, 1);
    p.ack();
    p.cmd(0x20);
    p.irq(0, 1); // still high, no new edge
    expect(p.int()).toBe(0);
    p.irq(0, 0);
    p.irq(0, 1);
    expect(p.int()).toBe(1);
  });

  it('level-triggered IR keeps IRR while the line is high', () => {
    const p = chip();
    p.init();
    p.writeElcr(0x20);
    p.irq(5, 1);
    expect(p.ack()).toBe(0x25);
    expect(p.readCmd()).toBe(0x20);
    p.cmd(0x20);
    expect(p.int()).toBe(1); // asks again after EOI
    expect(p.ack()).toBe(0x25);
    p.irq(5, 0);
    expect(p.readCmd()).toBe(0x00);
  });

  it('ELCR writes are masked: master IRQ0-2 and slave IRQ8/IRQ13 stay edge-triggered', () => {
    const m = chip('master');
    const s = chip('slave', 'pic2');
    m.writeElcr(0xff);
    s.writeElcr(0xff);
    expect(m.readElcr()).toBe(0xf8);
    expect(s.readElcr()).toBe(0xde);
    expect([...m.ctx.traces, ...s.ctx.traces].filter((t) => t.kind === 'guest_error')).toHaveLength(0);
  });

  it('ICW1 LTIM makes every input level-triggered', () => {
    const p = chip();
    p.cmd(0x19);
    p.data(0x20);
    p.data(0x00);
    p.data(0x01);
    p.irq(0, 1);
    expect(p.ack()).toBe(0x20);
    expect(p.readCmd()).toBe(0x01);
    p.irq(0, 0);
    expect(p.readCmd()).toBe(0x00);
  });
});

describe('cascade', () => {
  it('master acknowledges IR2 and the slave supplies the vector', () => {
    const pair = new PicPair();
    pair.chainedPicsInitialize(32, 40);
    pair.pulse(12);
    expect(pair.intr).toBe(1);
    expect(pair.master.acknowledge!()).toBe(CASCADE + 2);
    expect(pair.slave.acknowledge!()).toBe(44);
    expect(pair.isr('master')).toBe(0x04);
    expect(pair.isr('slave')).toBe(0x10);
  });

  it('ICW3 decides which master inputs have a slave', () => {
    const p = chip();
    p.init(0x20, 0x08);
    p.pulse(2);
    expect(p.ack()).toBe(0x22);
    p.cmd(0x20);
    p.pulse(3);
    expect(p.ack()).toBe(CASCADE + 3);
  });

  it('a single-mode master never answers CASCADE', () => {
    const p = chip();
    p.init(0x20, 0xff);
    p.cmd(0x13);
    p.data(0x20);
    p.data(0x01);
    p.pulse(2);
    expect(p.ack()).toBe(0x22);
  });

  it('a slave with nothing pending answers spurious IRQ 15 and the master keeps ISR bit 2', () => {
    const pair = new PicPair();
    pair.chainedPicsInitialize(32, 40);
    pair.pulse(11);
    pair.out(0xa1, 0x08); // the request vanishes at the slave; master IRR2 stays latched
    expect(pair.intr).toBe(1);
    expect(pair.inta()).toBe(47);
    expect(pair.isr('slave')).toBe(0);
    expect(pair.isr('master')).toBe(0x04);
    expect(pair.slaveCtx.tracesOf('pic.spurious').map((t) => t.fields)).toEqual([{ chip: 'pic2', vector: 47 }]);
  });

  it('SFNM lets a higher slave IR nest while the master has IR2 in service', () => {
    const pair = new PicPair();
    pair.chainedPicsInitialize(32, 40);
    pair.out(0x20, 0x11); pair.out(0x21, 32); pair.out(0x21, 0x04); pair.out(0x21, 0x11); // SFNM
    pair.pulse(12);
    expect(pair.inta()).toBe(44);
    pair.pulse(9);
    expect(pair.intr).toBe(1);
    expect(pair.inta()).toBe(41);
  });

  it('without SFNM a second slave request waits for the master EOI', () => {
    const pair = new PicPair();
    pair.chainedPicsInitialize(32, 40);
    pair.pulse(12);
    expect(pair.inta()).toBe(44);
    pair.pulse(9);
    expect(pair.intr).toBe(0);
    pair.notifyEndOfInterrupt(44);
    expect(pair.intr).toBe(1);
    expect(pair.inta()).toBe(41);
  });
});

describe('priority resolution and nesting', () => {
  it('fully nested: an in-service IR blocks equal and lower IRs until its EOI', () => {
    const p = chip();
    p.init();
    p.pulse(0);
    expect(p.ack()).toBe(0x20);
    p.pulse(0);
    p.pulse(1);
    expect(p.int()).toBe(0);
    p.cmd(0x20);
    expect(p.int()).toBe(1);
    expect(p.ack()).toBe(0x20); // IR0 before IR1
  });

  it('a higher-priority IR interrupts a lower one in service', () => {
    const p = chip();
    p.init();
    p.pulse(4);
    p.ack();
    p.pulse(1);
    expect(p.int()).toBe(1);
    expect(p.ack()).toBe(0x21);
    expect(p.isr()).toBe(0x12);
  });
});

describe('INT output and guest errors', () => {
  it('INT follows the deliverable request and every change is traced as pic.intr', () => {
    const p = chip();
    p.init();
    p.pulse(0);
    expect(p.int()).toBe(1);
    p.ack();
    expect(p.int()).toBe(0);
    expect(p.ctx.outputHistory.map(([pin, level]) => [pin, level])).toEqual([[0, 1], [0, 0]]);
    expect(p.ctx.tracesOf('pic.intr').map((t) => t.fields)).toEqual([
      { chip: 'pic1', state: 1 },
      { chip: 'pic1', state: 0 },
    ]);
  });

  it('OCW3 with bit 7 set is a guest error and is still obeyed', () => {
    const p = chip();
    p.init();
    p.pulse(3);
    p.ack();
    p.cmd(0x8b);
    expect(p.ctx.tracesOf('guest_error')).toHaveLength(1);
    expect(p.readCmd()).toBe(0x08);
  });

  it('an OCW in the middle of the ICW sequence is a guest error, and the sequence goes on', () => {
    const p = chip();
    p.cmd(0x11);
    p.cmd(0x0b);
    expect(p.ctx.tracesOf('guest_error')).toHaveLength(1);
    p.data(0x30);
    p.data(0x00);
    p.data(0x01);
    p.pulse(1);
    expect(p.ack()).toBe(0x31);
  });

  it('accesses outside the regions are guest errors, not exceptions', () => {
    const p = chip();
    expect(p.core.read(0, 2, 1)).toBe(0xff);
    p.core.write(2, 0, 1, 0x12);
    expect(p.ctx.tracesOf('guest_error')).toHaveLength(2);
  });
});

describe('module, snapshot and restore', () => {
  it('declares io (2 byte ports at 0x20), elcr (1 at 0x4D0), ir0..ir7 and int; role defaults to master', () => {
    expect(i8259.kind).toBe('i8259');
    expect(i8259.regions.map((r) => [r.name, r.size, r.base, r.widths])).toEqual([
      ['io', 2, 0x20, [1]],
      ['elcr', 1, 0x4d0, [1]],
    ]);
    expect(i8259.regions[0].names?.read).toEqual(['IRR/ISR', 'IMR']);
    expect(i8259.inputs).toEqual(['ir0', 'ir1', 'ir2', 'ir3', 'ir4', 'ir5', 'ir6', 'ir7']);
    expect(i8259.outputs).toEqual(['int']);
    expect(i8259Options.parse({})).toEqual({ role: 'master' });
    expect(() => i8259Options.parse({ role: 'tertiary' })).toThrow();
  });

  it('a JSON snapshot restored into a fresh core behaves the same, INT included', () => {
    const p = chip();
    p.init(0x50, 0x04, 0x01);
    p.writeElcr(0x40);
    p.data(0x10);
    p.pulse(3);
    p.ack();
    p.pulse(1);
    p.pulse(4);
    p.cmd(0x0b);
    const state = JSON.parse(JSON.stringify(p.core.snapshot()));
    expect(state.version).toBe(1);
    const ctx = new FakeContext('pic1');
    const copy = i8259.create(ctx, { role: 'master' });
    copy.restore(state);
    expect(ctx.level(0)).toBe(1);
    expect(copy.read(0, 0, 1)).toBe(0x08); // ISR selected
    expect(copy.read(0, 1, 1)).toBe(0x10);
    expect(copy.read(1, 0, 1)).toBe(0x40);
    expect(copy.acknowledge!()).toBe(0x51);
    expect(p.ack()).toBe(0x51);
  });

  it('restore refuses a snapshot of another version', () => {
    const core = i8259.create(new FakeContext(), { role: 'master' });
    expect(() => core.restore({ ...core.snapshot(), version: 2 })).toThrow(/restore/);
  });
});

describe('blog_os (pic8259 ChainedPics)', () => {
  it("the blog's ChainedPics sequence leaves vectors 32/40 and the saved masks", () => {
    const pair = new PicPair();
    pair.biosInit(0xf8, 0xef); // SeaBIOS: IRQ0, 1, 2 and 12 unmasked
    pair.chainedPicsInitialize(32, 40);
    expect(pair.in(0x21)).toBe(0xf8);
    expect(pair.in(0xa1)).toBe(0xef);
    for (const [irq, vector] of [[0, 32], [1, 33], [12, 44]]) {
      pair.pulse(irq);
      expect(pair.inta()).toBe(vector);
      pair.notifyEndOfInterrupt(vector);
    }
    expect(pair.isr('master')).toBe(0);
    expect(pair.isr('slave')).toBe(0);
    pair.pulse(4); // COM1 stays masked
    expect(pair.intr).toBe(0);
    expect([...pair.masterCtx.traces, ...pair.slaveCtx.traces].filter((t) => t.kind === 'guest_error' || t.kind === 'unimplemented')).toEqual([]);
  });

  it('a timer handler without EOI gets exactly one tick and blocks the keyboard until it EOIs', () => {
    const pair = new PicPair();
    pair.biosInit(0xf8, 0xff);
    pair.chainedPicsInitialize(32, 40);
    pair.pulse(0);
    expect(pair.inta()).toBe(32);
    pair.pulse(0);
    pair.pulse(0);
    pair.pulse(1);
    expect(pair.intr).toBe(0);
    pair.notifyEndOfInterrupt(32);
    expect(pair.inta()).toBe(32);
    pair.notifyEndOfInterrupt(32);
    expect(pair.inta()).toBe(33);
  });
});
