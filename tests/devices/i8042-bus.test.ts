// The 8042 on a real bus with a real 8259A (kbd.irq1 -> pic1.ir1, pic1.int -> cpu.intr): the IRQ1
// handshake blog_os depends on, one interrupt per scancode byte, reset, overflow.
import { describe, it, expect } from 'vitest';
import { OBF, pcRig, seabiosInit } from './i8042-harness.js';

const setup = () => {
  const pc = pcRig();
  seabiosInit(pc);
  pc.initPic();
  return pc;
};

describe('i8042 on the bus with an 8259A', () => {
  it('IRQ1 rises again after port 0x60 is read while bytes wait', () => {
    const pc = setup();
    pc.press('A');
    expect(pc.intr()).toBe(1);
    expect(pc.rig.bus.acknowledge(pc.now)).toBe(0x21);
    pc.rig.traces();
    expect(pc.inb(0x60)).toBe(0x1e);
    // Within the read the line fell and rose: the edge-triggered PIC latched a new request.
    const levels = pc.rig.traces().filter((r) => r.kind === 'irq.level' && r.line === 'pic1.ir1').map((r) => r.state);
    expect(levels).toEqual([0, 1]);
    expect(pc.intr()).toBe(0); // IR1 still in service
    pc.outb(0x20, 0x20);
    expect(pc.intr()).toBe(1);
    expect(pc.interrupt()).toEqual([0x21, 0x9e]);
    expect(pc.intr()).toBe(0);
  });

  it('a key press and release under translation give 1e then 9e', () => {
    const pc = setup();
    pc.press('A');
    expect(pc.collect()).toEqual([0x1e, 0x9e]);
  });

  it('an extended key gives e0 48 / e0 c8 as separate bytes each with its own IRQ', () => {
    const pc = setup();
    pc.press('ArrowUp');
    const seen: Array<[number, number]> = [];
    while (pc.intr()) seen.push(pc.interrupt());
    expect(seen).toEqual([[0x21, 0xe0], [0x21, 0x48], [0x21, 0xe0], [0x21, 0xc8]]);
  });

  it('the SeaBIOS init sequence (0xAA → 55, keyboard 0xFF → FA AA, 0xF4 → FA, command byte 0x61) leaves translation and IRQ1 on', () => {
    const pc = pcRig();
    expect(seabiosInit(pc)).toEqual([0x55, 0x00, 0xfa, 0xaa, 0xfa, 0xfa]);
    pc.outb(0x64, 0x20);
    expect(pc.inb(0x60)).toBe(0x61);
    expect(pc.inb(0x64) & 0x04).toBe(0x04); // SYS after the self-test
    expect(pc.rig.lineLevels[0]).toBe(0); // nothing left in the output buffer: IRQ1 low
    pc.initPic(); // the kernel's turn
    pc.press('Key1');
    expect(pc.collect()).toEqual([0x02, 0x82]);
  });

  it('0xFE pulse requests a machine reset', () => {
    const pc = setup();
    pc.outb(0x64, 0xff);
    expect(pc.resets).toEqual([]);
    pc.outb(0x64, 0xfe);
    expect(pc.resets).toEqual(['kbd']);
  });

  it('a flood of keys past the queue drops whole scancodes, never half', () => {
    const pc = setup();
    // Set-2 lengths 6, 2, 3, 4, 3, ...: the 16-byte queue fills in the middle of a sequence.
    const keys = ['PrintScreen', 'ArrowUp', 'NumpadEnter', 'Delete', 'RControl'];
    for (let i = 0; i < 30; i++) pc.key(keys[i % keys.length], i % 2 === 1);
    const bytes = pc.collect();
    const dropped = pc.rig.traces().filter((r) => r.kind === 'kbd.key' && r.dropped === true);
    expect(dropped.length).toBeGreaterThan(0);
    // Every byte read belongs to a whole E0-prefixed set-1 scancode.
    expect(bytes.length % 2).toBe(0);
    for (let i = 0; i < bytes.length; i += 2) {
      expect(bytes[i]).toBe(0xe0);
      expect([0x48, 0xc8, 0x53, 0xd3, 0x2a, 0xaa, 0x37, 0xb7, 0x1c, 0x9c, 0x1d, 0x9d]).toContain(bytes[i + 1]);
    }
    // The keyboard recovers once the host has read everything.
    pc.press('A');
    expect(pc.collect()).toEqual([0x1e, 0x9e]);
  });

  it('reading 0x60 with nothing pending returns the previous byte', () => {
    const pc = setup();
    pc.press('Spacebar');
    expect(pc.collect()).toEqual([0x39, 0xb9]);
    expect(pc.inb(0x64) & OBF).toBe(0);
    expect(pc.inb(0x60)).toBe(0xb9);
    expect(pc.inb(0x60)).toBe(0xb9);
    expect(pc.intr()).toBe(0);
  });
});
