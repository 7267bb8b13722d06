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
  // The monitor's `info kbd`: controller and keyboard state (s: its snapshot).
  describe: (s) => {
    const k = s.keyboard as { scanEnabled: boolean; set: number; leds: number; queue: unknown[] };
    return `command byte 0x${Number(s.commandByte).toString(16)}, output buffer ${s.output === null ? 'empty' : `0x${Number(s.output).toString(16)}`}, IRQ1=${String(s.irq1)}, ` +
      `keyboard: scanning ${k.scanEnabled ? 'on' : 'off'}, set ${k.set}, LEDs 0x${k.leds.toString(16)}, ${k.queue.length} bytes queued, ${(s.pendingInput as unknown[]).length} host keys pending`;
  },
  create: (ctx) => new I8042(ctx),
});
