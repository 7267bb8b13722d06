// The device module for a local APIC: its 4 KiB register page at 0xFEE00000 (dword registers on
// 16-byte boundaries), the LINT0/LINT1 input pins, the INTR output to the CPU, and a place on the
// APIC bus (interrupt messages from I/O APICs, EOI broadcasts to them). A PC with APICs wires
//   pic1.int -> lapic.lint0      (virtual wire mode: ExtINT)
//   lapic.intr -> cpu.intr
import { defineDevice } from '../../bus/device.js';
import type { LapicOptions } from './options.js';
import { Lapic } from './core.js';
import { REGISTER_NAMES } from './registers.js';

export const lapic = defineDevice<LapicOptions>({
  kind: 'lapic',
  title: 'Local APIC (xAPIC: timer, TPR/PPR, EOI, LINT0/LINT1, error status)',
  regions: [],
  mmio: [{ name: 'regs', base: 0xfee00000, size: 0x1000, widths: [4], names: REGISTER_NAMES }],
  apicBus: true,
  inputs: ['lint0', 'lint1'],
  outputs: ['intr'],
  create: (ctx, o) => new Lapic(ctx, { id: o?.id ?? 0, virtualWire: o?.virtual_wire ?? true, busNs: 1e9 / (o?.timer_hz ?? 1e9) }),
});
