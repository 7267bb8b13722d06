// CPU loads and stores above RAM reach a device's MMIO region through the bus (bus/mmio.ts),
// with mmio.read / mmio.write records; RAM stays RAM; an unclaimed page reads all ones.
import { describe, expect, it } from 'vitest';
import { lapic } from '../../devices/lapic/module.js';
import { guestRig } from '../support/guest.js';

const LAPIC = 0xfee00000;

describe('MMIO from the CPU', () => {
  it('a dword load of the local APIC version register is a device read, traced as mmio.read', () => {
    const g = guestRig(1 << 20, { devices: [{ name: 'lapic', module: lapic }], tracing: true });
    expect(g.cpu.load(LAPIC + 0x30, 4)).toBe(0x00050014);
    const r = g.traces().find((t) => t.kind === 'mmio.read') as unknown as Record<string, unknown>;
    expect(r).toMatchObject({ src: 'cpu', addr: LAPIC + 0x30, size: 4, value: 0x00050014, device: 'lapic', reg: 'VERSION' });
  });

  it('a store reaches the register (TPR reads back) and RAM below is untouched', () => {
    const g = guestRig(1 << 20, { devices: [{ name: 'lapic', module: lapic }], tracing: true });
    g.cpu.store(0x1000, 4, 0x1234);
    g.cpu.store(LAPIC + 0x80, 4, 0x20);
    expect(g.cpu.load(LAPIC + 0x80, 4)).toBe(0x20);
    expect(g.cpu.load(0x1000, 4)).toBe(0x1234);
    expect(g.traces().filter((t) => t.kind.startsWith('mmio.')).map((t) => t.kind)).toEqual(['mmio.write', 'mmio.read']);
  });

  it('an unclaimed address above RAM reads all ones, takes writes nowhere, and is traced once per page', () => {
    const g = guestRig(1 << 20, { tracing: true });
    expect(g.cpu.load(0xfec00000, 4)).toBe(0xffffffff);
    g.cpu.store(0xfec00004, 4, 1);
    expect(g.cpu.load(0xfec00004, 2)).toBe(0xffff);
    expect(g.traces().filter((t) => t.kind === 'mmio.unclaimed')).toHaveLength(1);
  });

  it('the local APIC timer interrupt reaches the CPU: INTA takes the vector from the APIC', () => {
    const g = guestRig(1 << 20, { devices: [{ name: 'lapic', module: lapic }], wires: ['lapic.intr -> cpu.intr'], tracing: true });
    g.cpu.store(LAPIC + 0xf0, 4, 0x1ff);
    g.cpu.store(LAPIC + 0x3e0, 4, 0xb); // ÷1
    g.cpu.store(LAPIC + 0x320, 4, 0x40);
    g.cpu.store(LAPIC + 0x380, 4, 50);
    for (let i = 0; i < 200 && !g.cpu.bus.intr; i++) g.cpu.load(0x1000, 4);
    expect(g.cpu.bus.intr).toBe(1);
    expect(g.cpu.bus.acknowledge(g.cpu.now())).toBe(0x40);
    expect(g.cpu.load(LAPIC + 0x100 + 0x20, 4)).toBe(1); // ISR: vector 0x40
  });
});
