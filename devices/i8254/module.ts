// The device module for the 8254 programmable interval timer with the PC's port 0x61. Channel 0's
// OUT is the `out0` pin (wired to IRQ0); channel 2's GATE and OUT live in port 0x61; channel 1
// (DRAM refresh on a real PC) has no pins here.
import { defineDevice } from '../../bus/device.js';
import type { I8254Options } from './options.js';
import { I8254 } from './core.js';

export const i8254 = defineDevice<I8254Options>({
  kind: 'i8254',
  title: 'Intel 8254 programmable interval timer with port 0x61 (channel 2 gate, speaker, refresh)',
  regions: [
    {
      name: 'io',
      size: 4,
      base: 0x40,
      widths: [1],
      names: {
        read: ['counter0', 'counter1', 'counter2', 'control (reads 0)'],
        write: ['counter0', 'counter1', 'counter2', 'control'],
      },
    },
    {
      name: 'portb',
      size: 1,
      base: 0x61,
      widths: [1],
      names: {
        read: ['port B (gate2/speaker/refresh/OUT2)'],
        write: ['port B (gate2/speaker/refresh/OUT2)'],
      },
    },
  ],
  outputs: ['out0'],
  // The monitor's `info pit`: mode, reload value and gate of each channel (s: its snapshot).
  describe: (s) => (s.channels as Array<{ modeBits: number; cr: number; gate: number; seg: { kind: string } }>)
    .map((c, i) => `ch${i}: mode ${c.modeBits} reload ${c.cr === 0 ? 65536 : c.cr} gate ${c.gate} ${c.seg.kind}`)
    .join('\n') + `\nOUT0=${String(s.out0)} speaker data=${String(s.speakerData)}`,
  create: (ctx) => new I8254(ctx),
});
