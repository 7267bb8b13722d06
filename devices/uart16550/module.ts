// The device module for a 16550A UART: 8 ports (COM1 at 0x3F8 by default; COM2 0x2F8, COM3
// 0x3E8, COM4 0x2E8 by moving `io`), one `irq` output (IRQ4 for COM1/COM3 on a PC, IRQ3 for
// COM2/COM4). Each transmitted byte goes to the front end as an event on channel `tx`.
import { defineDevice } from '../../bus/device.js';
import type { Uart16550Options } from './options.js';
import { Uart16550 } from './core.js';

export const uart16550 = defineDevice<Uart16550Options>({
  kind: 'uart16550',
  title: '16550A UART with 16-byte FIFOs (COM1 0x3F8 / IRQ4), transmitted bytes to a host adapter',
  regions: [
    {
      name: 'io',
      size: 8,
      base: 0x3f8,
      widths: [1],
      // Offsets 0 and 1 are the divisor latch while LCR.DLAB is set (the traces name which).
      names: {
        read: ['RBR / DLL', 'IER / DLM', 'IIR', 'LCR', 'MCR', 'LSR', 'MSR', 'SCR'],
        write: ['THR / DLL', 'IER / DLM', 'FCR', 'LCR', 'MCR', 'LSR (read-only)', 'MSR (read-only)', 'SCR'],
      },
    },
  ],
  outputs: ['irq'],
  // Where transmitted bytes go: the host's stdout, a file, or memory (tests). See adapters/.
  adapters: ['stdout', 'file', 'capture'],
  // The monitor's `info uart`: line settings and FIFOs (s: its snapshot).
  describe: (s) => {
    const divisor = Number(s.dlm) * 256 + Number(s.dll);
    return `LCR=0x${Number(s.lcr).toString(16)} IER=0x${Number(s.ier).toString(16)} MCR=0x${Number(s.mcr).toString(16)} FCR=0x${Number(s.fcr).toString(16)} ` +
      `divisor ${divisor}${divisor ? ` (${Math.round(115200 / divisor)} baud)` : ''}, ${(s.rx as unknown[]).length} bytes received, ${(s.pendingRx as unknown[]).length} host bytes pending`;
  },
  create: (ctx) => new Uart16550(ctx),
});
