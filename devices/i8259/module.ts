// The device module for one 8259A chip. A PC has two: "master" at 0x20/0x21 + ELCR 0x4D0 and
// "slave" at 0xA0/0xA1 + ELCR 0x4D1, the slave's `int` wired to the master's `ir2`, with
// ICW3 = 0x04 / 0x02 programmed by the firmware or the kernel.
import { defineDevice } from '../../bus/device.js';
import type { I8259Options } from './options.js';
import { I8259 } from './core.js';

const hex2 = (v: unknown) => `0x${Number(v).toString(16).padStart(2, '0')}`;

export const i8259 = defineDevice<I8259Options>({
  kind: 'i8259',
  title: 'Intel 8259A programmable interrupt controller (one chip of the cascaded pair)',
  regions: [
    {
      name: 'io',
      size: 2,
      base: 0x20,
      widths: [1],
      names: { read: ['IRR/ISR', 'IMR'], write: ['ICW1/OCW2/OCW3', 'ICW2-4/OCW1'] },
    },
    { name: 'elcr', size: 1, base: 0x4d0, widths: [1], names: { read: ['ELCR'], write: ['ELCR'] } },
  ],
  inputs: ['ir0', 'ir1', 'ir2', 'ir3', 'ir4', 'ir5', 'ir6', 'ir7'],
  outputs: ['int'],
  // The monitor's `info pic`: one line of the chip's registers (s: its snapshot).
  describe: (s) => `IRR=${hex2(s.irr)} ISR=${hex2(s.isr)} IMR=${hex2(s.imr)} lines=${hex2(s.lines)} ELCR=${hex2(s.elcr)} vectors ${hex2(s.vectorBase)}-${hex2(Number(s.vectorBase) + 7)} ${s.init === 'ready' ? 'initialised' : `in ICW sequence (${String(s.init)})`}${s.autoEoi ? ' auto-EOI' : ''}${s.specialMask ? ' special-mask' : ''} INT=${String(s.int)}`,
  create: (ctx, options) => new I8259(ctx, options?.role ?? 'master'),
});
