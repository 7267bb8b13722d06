// The device module for an 82093AA I/O APIC: IOREGSEL/IOWIN at 0xFEC00000, 24 interrupt inputs
// (INTIN0-23: the ISA IRQs on a PC, e.g. `kbc.irq1 -> ioapic.intin1`, `pit.out0 -> ioapic.intin2`
// as the usual interrupt source override routes IRQ0), and a place on the APIC bus: its
// redirection entries become interrupt messages to the local APICs, whose EOI broadcasts end
// level-triggered ones (remote IRR).
import { defineDevice } from '../../bus/device.js';
import type { IoapicOptions } from './options.js';
import { Ioapic } from './core.js';
import { PINS, REGION_BYTES, REGISTER_NAMES } from './registers.js';

export const ioapic = defineDevice<IoapicOptions>({
  kind: 'ioapic',
  title: 'Intel 82093AA I/O APIC (24 redirection entries)',
  regions: [],
  mmio: [{ name: 'regs', base: 0xfec00000, size: REGION_BYTES, widths: [4], names: REGISTER_NAMES }],
  apicBus: true,
  inputs: Array.from({ length: PINS }, (_, i) => `intin${i}`),
  create: (ctx, o) => new Ioapic(ctx, o?.id ?? 0),
});
