// The device module for the 8042 keyboard controller with a PS/2 keyboard on its first port.
// Data port 0x60, command/status port 0x64; the keyboard drives `irq1` (wired to the PIC's IR1),
// aux-port bytes drive `irq12` (IR12 on the slave). Host key events arrive through input().
import { defineDevice } from '../../bus/device.js';
import type { I8042Options } from './options.js';
import { I8042 } from './controller.js';

export const i8042 = defineDevice<I8042Options>({
  kind: 'i8042',
  title: 'Intel 8042 keyboard controller with a PS/2 MF2 keyboard (scancode set 2, translated to set 1)',
  regions: [
    { name: 'data', size: 1, base: 0x60, widths: [1], names: { read: ['output buffer'], write: ['input buffer (data)'] } },
    { name: 'command', size: 1, base: 0x64, widths: [1], names: { read: ['status'], write: ['command'] } },
  ],
  outputs: ['irq1', 'irq12'],
  // Where host keys come from: the terminal (raw stdin), or none (only --type/--input scripts).
  adapters: ['terminal', 'none'],
  input: 'keyboard',
  create: (ctx) => new I8042(ctx),
});
