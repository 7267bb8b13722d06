// The 8259A core, one test per behaviour of device-models.md §1.1, observed as a guest would:
// port reads, the INT output, INTA vectors and traces.
import { describe, it, expect } from 'vitest';
import { picChip as chip } from '../support/pic-pair.js';

describe('ICW1–ICW4 initialisation sequence', () => {
  it('ICW2 sets the vector base: IR0..IR7 acknowledge as base + n', () => {
    const p = chip();
    p.init(0x20);
    for (let n = 0; n < 8; n++) {
      p.pulse(n);
      expect(p.ack()).toBe(0x20 + n);
      p.cmd(0x20);
    }
  });

  it('ICW2 ignores T2..T0: base 0x27 answers 0x20 for IR0', () => {
    const p = chip();
    p.init(0x27);
    p.pulse(0);
    expect(p.ack()).toBe(0x20);
  });

  it('single mode (SNGL) skips ICW3, so the next data write is ICW4', () => {
    const p = chip();
    p.cmd(0x13); // ICW1: SNGL + IC4
    p.data(0x40); // ICW2
    p.data(0x03); // ICW4: 8086 mode + AEOI
    p.data(0xfe); // OCW1
    expect(p.readData()).toBe(0xfe);
    p.pulse(0);
    expect(p.ack()).toBe(0x40);
    expect(p.isr()).toBe(0); // AEOI came from the third write
  });

  it('without IC4 the sequence ends after ICW3 and 8080 mode is reported unimplemented', () => {
    const p = chip();
    p.cmd(0x10);
    p.data(0x20);
    p.data(0x04);
    p.data(0x5a); // OCW1 already
    expect(p.readData()).toBe(0x5a);
    expect(p.ctx.tracesOf('unimplemented')).toHaveLength(1);
  });

  it('ICW4 with µPM = 0 is reported unimplemented and the chip carries on', () => {
    const p = chip();
    p.init(0x20, 0, 0x00);
    expect(p.ctx.tracesOf('unimplemented')).toHaveLength(1);
    p.pulse(1);
    expect(p.ack()).toBe(0x21);
  });

  it('a slave ICW3 with bits 3-7 set is a guest error', () => {
    const p = chip('slave');
    p.init(0x28, 0x0a);
    expect(p.ctx.tracesOf('guest_error')).toHaveLength(1);
  });
});

describe('state reset on ICW1', () => {
  it('ICW1 resets IMR and ISR but keeps ELCR', () => {
    const p = chip();
    p.init();
    p.writeElcr(0x08);
    p.pulse(0);
    p.ack();
    p.data(0xf0);
    expect(p.isr()).toBe(0x01);
    p.init();
    expect(p.readData()).toBe(0x00);
    expect(p.isr()).toBe(0x00);
    expect(p.readElcr()).toBe(0x08);
  });

  it('ICW1 drops latched edge requests but keeps level requests', () => {
    const p = chip();
    p.init();
    p.data(0xff);
    p.writeElcr(0x08);
    p.irq(3, 1); // level, held high
    p.pulse(4); // edge, latched
    expect(p.readCmd()).toBe(0x18);
    p.init();
    expect(p.readCmd()).toBe(0x08);
    expect(p.ack()).toBe(0x23);
  });

  it('ICW1 resets read select, poll, special mask, rotation and auto-EOI', () => {
    const p = chip();
    p.init(0x20, 0, 0x03); // AEOI
    p.cmd(0xc3); // IR3 lowest: IR4 highest
    p.cmd(0x0b); // read ISR
    p.cmd(0x68); // special mask mode
    p.cmd(0x0c); // poll pending
    p.init(0x20, 0, 0x01);
    p.pulse(4);
    p.pulse(1);
    expect(p.readCmd()).toBe(0x12); // IRR, not ISR, not a poll byte
    expect(p.ack()).toBe(0x21); // fixed priority again
    expect(p.isr()).toBe(0x02); // ISR set: no AEOI
    p.data(0x02); // masking the in-service IR1 does not unblock IR4: no special mask mode
    expect(p.int()).toBe(0);
  });

  it('after ICW1 an input already high must fall and rise again to request', () => {
    const p = chip();
    p.irq(3, 1);
    p.init();
    expect(p.int()).toBe(0);
    expect(p.readCmd()).toBe(0);
    p.irq(3, 0);
    p.irq(3, 1);
    expect(p.int()).toBe(1);
  });
});

describe('OCW1 interrupt mask', () => {
  it('OCW1 writes IMR and the data port reads it back', () => {
    const p = chip();
    p.init();
    p.data(0xa5);
    expect(p.readData()).toBe(0xa5);
  });

  it('a masked IR waits in IRR and is delivered when unmasked', () => {
    const p = chip();
    p.init();
    p.data(0x02);
    p.pulse(1);
    expect(p.int()).toBe(0);
    expect(p.readCmd()).toBe(0x02);
    p.data(0x00);
    expect(p.int()).toBe(1);
    expect(p.ack()).toBe(0x21);
  });
});

describe('OCW2 end of interrupt', () => {
  it('OCW2 non-specific EOI clears the highest ISR bit', () => {
    const p = chip();
    p.init();
    p.pulse(5);
    p.ack();
    p.pulse(2);
    p.ack();
    expect(p.isr()).toBe(0x24);
    p.cmd(0x20);
    expect(p.isr()).toBe(0x20);
    expect(p.ctx.tracesOf('pic.eoi').map((t) => t.fields)).toEqual([{ chip: 'pic1', irq: 2, mode: 'non-specific' }]);
  });

  it('non-specific EOI clears the highest ISR bit under rotated priority, not the lowest bit', () => {
    const p = chip();
    p.init();
    p.cmd(0xc4); // IR4 lowest: 5 > 6 > 7 > 0 > 1 > 2 > 3 > 4
    p.pulse(1);
    expect(p.ack()).toBe(0x21);
    p.pulse(6); // outranks in-service IR1
    expect(p.ack()).toBe(0x26);
    p.cmd(0x20);
    expect(p.isr()).toBe(0x02);
  });

  it('OCW2 specific EOI 0x60|n clears only ISR bit n', () => {
    const p = chip();
    p.init();
    p.pulse(5);
    p.ack();
    p.pulse(2);
    p.ack();
    p.cmd(0x65);
    expect(p.isr()).toBe(0x04);
    expect(p.ctx.tracesOf('pic.eoi').map((t) => t.fields)).toEqual([{ chip: 'pic1', irq: 5, mode: 'specific' }]);
  });
});

describe('rotation and priority commands', () => {
  it('set priority 0xC0|n makes IR n the lowest priority', () => {
    const p = chip();
    p.init();
    p.cmd(0xc3);
    p.data(0xff);
    p.pulse(2);
    p.pulse(3);
    p.pulse(4);
    p.data(0x00);
    const order: number[] = [];
    for (let i = 0; i < 3; i++) { order.push(p.ack() - 0x20); p.cmd(0x20); }
    expect(order).toEqual([4, 2, 3]);
  });

  it('rotate on non-specific EOI (0xA0) makes the serviced IR the lowest priority', () => {
    const p = chip();
    p.init();
    p.pulse(0);
    p.ack();
    p.cmd(0xa0);
    expect(p.ctx.tracesOf('pic.eoi').map((t) => t.fields)).toEqual([{ chip: 'pic1', irq: 0, mode: 'non-specific' }]);
    p.pulse(0);
    p.pulse(1);
    expect(p.ack()).toBe(0x21);
  });

  it('rotate on specific EOI (0xE0|n) makes IR n the lowest priority', () => {
    const p = chip();
    p.init();
    p.pulse(2);
    p.ack();
    p.cmd(0xe2);
    expect(p.isr()).toBe(0);
    p.pulse(2);
    p.pulse(3);
    expect(p.ack()).toBe(0x23);
  });

  it('OCW2 0x40 is a no-op', () => {
    const p = chip();
    p.init();
    p.pulse(0);
    p.ack();
    p.cmd(0x40);
    expect(p.isr()).toBe(0x01);
    expect(p.ctx.tracesOf('pic.eoi')).toHaveLength(0);
  });

  it('rotate in auto-EOI mode (0x80) rotates on every INTA and 0x00 stops it', () => {
    const p = chip();
    p.init(0x20, 0, 0x03);
    p.cmd(0x80);
    p.pulse(0);
    p.pulse(1);
    expect(p.ack()).toBe(0x20); // IR0 becomes lowest
    p.pulse(0);
    expect(p.ack()).toBe(0x21); // IR1 becomes lowest
    expect(p.ack()).toBe(0x20);
    p.cmd(0x00);
    p.pulse(3);
    p.pulse(5);
    expect(p.ack()).toBe(0x23); // no rotation now: IR3 stays above IR5
    p.pulse(3);
    expect(p.ack()).toBe(0x23);
  });
});

describe('auto-EOI', () => {
  it('auto-EOI acknowledges without setting ISR, so the same IR can come again', () => {
    const p = chip();
    p.init(0x20, 0, 0x03);
    p.pulse(4);
    expect(p.ack()).toBe(0x24);
    expect(p.isr()).toBe(0);
    p.pulse(4);
    expect(p.int()).toBe(1);
  });
});

describe('special mask mode', () => {
  it('special mask mode (0x68) lets a lower IR interrupt a masked in-service IR', () => {
    const p = chip();
    p.init();
    p.pulse(3);
    p.ack();
    p.pulse(5);
    expect(p.int()).toBe(0);
    p.data(0x08);
    p.cmd(0x68);
    expect(p.int()).toBe(1);
    expect(p.ack()).toBe(0x25);
    expect(p.isr()).toBe(0x28);
  });

  it('clearing special mask mode (0x48) restores fully nested blocking', () => {
    const p = chip();
    p.init();
    p.pulse(3);
    p.ack();
    p.data(0x08);
    p.cmd(0x68);
    p.pulse(5);
    expect(p.int()).toBe(1);
    p.cmd(0x48);
    expect(p.int()).toBe(0);
  });
});

describe('poll mode', () => {
  it('OCW3 poll (0x0C) makes the next read return 0x80|IR and acknowledge it', () => {
    const p = chip();
    p.init();
    p.pulse(6);
    p.cmd(0x0c);
    expect(p.readCmd()).toBe(0x86);
    expect(p.int()).toBe(0);
    expect(p.readCmd()).toBe(0x00); // IRR again: the poll lasts one read
    expect(p.isr()).toBe(0x40);
  });

  it('a poll read of the data port also polls, and reads 0 when nothing is pending', () => {
    const p = chip();
    p.init();
    p.data(0x81);
    p.cmd(0x0c);
    expect(p.readData()).toBe(0x00);
    expect(p.readData()).toBe(0x81);
  });
});

describe('OCW3 read register select', () => {
  it('the command port reads IRR after init, ISR after 0x0B and IRR again after 0x0A', () => {
    const p = chip();
    p.init();
    p.pulse(1);
    p.pulse(3);
    expect(p.readCmd()).toBe(0x0a);
    p.ack();
    p.cmd(0x0b);
    expect(p.readCmd()).toBe(0x02);
    p.cmd(0x08); // OCW3 without RR keeps the selection
    expect(p.readCmd()).toBe(0x02);
    p.cmd(0x0a);
    expect(p.readCmd()).toBe(0x08);
  });
});
