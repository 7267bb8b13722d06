// The 8042 controller, one test per controller row of device-models.md §1.3, observed as a guest
// would: ports 0x60/0x64, the IRQ1/IRQ12 outputs, reset requests and traces.
import { describe, it, expect } from 'vitest';
import { i8042 } from '../../devices/i8042/module.js';
import { i8042Options } from '../../devices/i8042/options.js';
import { AUX_OBF, Kbc, OBF } from './i8042-harness.js';

describe('status register (0x64)', () => {
  it('powers on as QEMU after reset: 0x18 (CMD | UNLOCKED), nothing in the output buffer', () => {
    expect(new Kbc().status()).toBe(0x18);
  });

  it('OBF is set while a byte waits and cleared by reading 0x60; IBF is never set', () => {
    const k = new Kbc().cmd(0xaa);
    expect(k.status() & (OBF | 0x02)).toBe(OBF);
    k.read();
    expect(k.status() & (OBF | 0x02)).toBe(0);
  });

  it('SYS (0x04) is set by the self-test', () => {
    const k = new Kbc();
    expect(k.status() & 0x04).toBe(0);
    k.ask(0xaa);
    expect(k.status() & 0x04).toBe(0x04);
  });

  it('CMD (0x08) tells whether the last write went to 0x64 or 0x60', () => {
    const k = new Kbc();
    k.data(0xf4).drain();
    expect(k.status() & 0x08).toBe(0);
    k.cmd(0xae);
    expect(k.status() & 0x08).toBe(0x08);
  });

  it('AUX OBF (0x20) marks an aux byte and clears when it is read (not sticky as in v86)', () => {
    const k = new Kbc().cmd(0xd3).data(0x5a);
    expect(k.status() & (OBF | AUX_OBF)).toBe(OBF | AUX_OBF);
    expect(k.read()).toBe(0x5a);
    expect(k.status() & AUX_OBF).toBe(0);
  });
});

describe('command byte (0x20 / 0x60)', () => {
  it('0x20 reads the power-on command byte 0x03', () => {
    expect(new Kbc().commandByte()).toBe(0x03);
  });

  it('0x60 writes the next data byte as the command byte; it does not reach the keyboard', () => {
    const k = new Kbc().cmd(0x60).data(0x61);
    expect(k.drain()).toEqual([]);
    expect(k.commandByte()).toBe(0x61);
    expect(k.ctx.tracesOf('ps2.cmd').at(-2)?.fields).toEqual({ target: 'controller', cmd: 0x60, arg: 0x61 });
  });

  it('clearing bit 0 stops IRQ1 and setting it raises IRQ1 for a byte already waiting', () => {
    const k = new Kbc().cmd(0x60).data(0x00);
    k.press('A');
    expect(k.status() & OBF).toBe(OBF);
    expect(k.irq1()).toBe(0);
    k.cmd(0x60).data(0x01);
    expect(k.irq1()).toBe(1);
  });

  it('a controller command written while 0x60 waits for its data byte cancels it', () => {
    const k = new Kbc().cmd(0x60).cmd(0xae).data(0xf4);
    expect(k.drain()).toEqual([0xfa]); // went to the keyboard
    expect(k.commandByte()).toBe(0x03);
  });
});

describe('controller commands', () => {
  it('0xA7 / 0xA8 set and clear command-byte bit 0x20 (aux port disabled)', () => {
    const k = new Kbc().cmd(0xa7);
    expect(k.commandByte() & 0x20).toBe(0x20);
    k.cmd(0xa8);
    expect(k.commandByte() & 0x20).toBe(0);
  });

  it('0xA9 and 0xAB (interface tests) reply 0x00', () => {
    const k = new Kbc();
    expect(k.ask(0xa9)).toEqual([0x00]);
    expect(k.ask(0xab)).toEqual([0x00]);
  });

  it('0xAA (self-test) replies 0x55', () => {
    expect(new Kbc().ask(0xaa)).toEqual([0x55]);
  });

  it('0xAD holds keyboard bytes back with no IRQ1; 0xAE lets them through', () => {
    const k = new Kbc().cmd(0xad);
    expect(k.commandByte() & 0x10).toBe(0x10);
    k.press('A');
    expect(k.status() & OBF).toBe(0);
    expect(k.irq1()).toBe(0);
    k.cmd(0xae);
    expect(k.irq1()).toBe(1);
    expect(k.drain()).toEqual([0x1c, 0xf0, 0x1c]);
  });

  it('writing a byte to the keyboard re-enables a disabled keyboard port (QEMU)', () => {
    const k = new Kbc().cmd(0xad).data(0xee);
    expect(k.drain()).toEqual([0xee]);
    expect(k.commandByte() & 0x10).toBe(0);
  });

  it('0xC0 (read input port) replies 0x80', () => {
    expect(new Kbc().ask(0xc0)).toEqual([0x80]);
  });

  it('0xD0 reads the output port: 0xCF after power-on', () => {
    expect(new Kbc().ask(0xd0)).toEqual([0xcf]);
  });

  it('0xD1 writes the output port and keeps A20; bit 0 set does not reset', () => {
    const k = new Kbc().cmd(0xd1).data(0xc3);
    expect(k.ctx.resets).toEqual([]);
    expect(k.ask(0xd0)).toEqual([0xc3]); // bits 4/5 follow the output buffer, not the write
    expect(k.drain()).toEqual([]); // the data byte did not fall through to the keyboard (v86 PR #540)
  });

  it('0xD1 with bit 0 clear requests a machine reset', () => {
    const k = new Kbc().cmd(0xd1).data(0xce);
    expect(k.ctx.resets).toEqual(['8042 output port reset']);
  });

  it('0xD2 queues the next data byte as if the keyboard sent it: OBF, IRQ1, no AUX OBF', () => {
    const k = new Kbc().cmd(0xd2).data(0x9c);
    expect(k.status() & (OBF | AUX_OBF)).toBe(OBF);
    expect(k.irq1()).toBe(1);
    expect(k.read()).toBe(0x9c);
  });

  it('0xD3 queues the next data byte as if from the aux port: AUX OBF and IRQ12, not IRQ1', () => {
    const k = new Kbc().cmd(0xd3).data(0x08);
    expect(k.irq12()).toBe(1);
    expect(k.irq1()).toBe(0);
    expect(k.read()).toBe(0x08);
    expect(k.irq12()).toBe(0);
    expect(k.ctx.tracesOf('ps2.data').at(-1)?.fields).toEqual({ dir: 'to-host', value: 0x08, source: 'aux' });
  });

  it('0xD4 with no mouse attached is logged unimplemented, answers 0xFE from the aux port and re-enables it', () => {
    const k = new Kbc().cmd(0xa7).cmd(0xd4).data(0xf4);
    expect(k.ctx.tracesOf('unimplemented')).toHaveLength(1);
    expect(k.status() & AUX_OBF).toBe(AUX_OBF);
    expect(k.read()).toBe(0xfe);
    expect(k.commandByte() & 0x20).toBe(0);
  });

  it('0xDD / 0xDF turn A20 (output port bit 1) off and on', () => {
    const k = new Kbc().cmd(0xdd);
    expect(k.ask(0xd0)[0] & 0x02).toBe(0);
    k.cmd(0xdf);
    expect(k.ask(0xd0)[0] & 0x02).toBe(0x02);
  });

  it('0xF0-0xFF pulse: bit 0 clear (0xFE, 0xF0) resets, bit 0 set (0xFF, 0xFD) does nothing', () => {
    const k = new Kbc().cmd(0xff).cmd(0xfd);
    expect(k.ctx.resets).toEqual([]);
    k.cmd(0xfe).cmd(0xf0);
    expect(k.ctx.resets).toEqual(['8042 reset pulse (0xfe)', '8042 reset pulse (0xf0)']);
    expect(k.guestErrors()).toBe(0);
  });

  it('an unknown controller command is a guest error and changes nothing', () => {
    const k = new Kbc().cmd(0xa1);
    expect(k.guestErrors()).toBe(1);
    expect(k.drain()).toEqual([]);
    expect(k.status()).toBe(0x18);
  });

  it('a controller reply goes ahead of keyboard bytes that wait', () => {
    const k = new Kbc();
    k.press('A'); // 1c in the output buffer, f0 1c in the keyboard
    k.cmd(0xaa);
    expect(k.drain()).toEqual([0x1c, 0x55, 0xf0, 0x1c]);
  });
});

describe('output buffer and IRQ lines', () => {
  it('IRQ1 drops and rises again within one read of 0x60 while bytes wait', () => {
    const k = new Kbc().seabios();
    k.press('A');
    const before = k.ctx.outputHistory.length;
    expect(k.read()).toBe(0x1e);
    expect(k.ctx.outputHistory.slice(before).map(([pin, level]) => [pin, level])).toEqual([[0, 0], [0, 1]]);
    expect(k.read()).toBe(0x9e);
    expect(k.irq1()).toBe(0);
  });

  it('reading 0x60 with nothing pending returns the previous byte and leaves IRQ1 low', () => {
    const k = new Kbc().cmd(0xd2).data(0x42);
    expect(k.read()).toBe(0x42);
    expect(k.read()).toBe(0x42);
    expect(k.irq1()).toBe(0);
    expect(k.ctx.tracesOf('ps2.data').filter((t) => t.fields.dir === 'to-host')).toHaveLength(1);
  });

  it('IRQ12 follows command-byte bit 1 for aux bytes', () => {
    const k = new Kbc().cmd(0x60).data(0x01).cmd(0xd3).data(0x11);
    expect(k.irq12()).toBe(0);
    k.cmd(0x60).data(0x03);
    expect(k.irq12()).toBe(1);
  });
});

describe('module', () => {
  it('declares ports 0x60 / 0x64, outputs irq1 / irq12 and a strict empty options object', () => {
    expect(i8042.kind).toBe('i8042');
    expect(i8042.regions.map((r) => [r.name, r.base, r.size])).toEqual([['data', 0x60, 1], ['command', 0x64, 1]]);
    expect(i8042.outputs).toEqual(['irq1', 'irq12']);
    expect(i8042.inputs ?? []).toEqual([]);
    expect(i8042Options.safeParse({}).success).toBe(true);
    expect(i8042Options.safeParse({ queue: 4 }).success).toBe(false);
  });

  it('a snapshot restored into a fresh core continues the same byte stream and IRQ level', () => {
    const a = new Kbc().seabios();
    a.press('ArrowUp');
    a.key('B', true, 5000);
    a.read();
    const b = new Kbc();
    b.core.restore(a.core.snapshot());
    expect(b.irq1()).toBe(1);
    expect(b.core.snapshot()).toEqual(a.core.snapshot());
    expect(b.core.nextDeadline!()).toBe(5000);
    b.ctx.t = 5000;
    b.core.advance!();
    expect(b.drain()).toEqual([0x48, 0xe0, 0xc8, 0x30]);
  });

  it('restore rejects a state of another version', () => {
    const k = new Kbc();
    expect(() => k.core.restore({ ...k.core.snapshot(), version: 2 })).toThrow(/cannot restore/);
  });
});
