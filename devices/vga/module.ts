// The VGA device module: ports of a colour VGA in text mode 3, scanning text RAM at 0xB8000.
import { defineDevice } from '../../bus/device.js';
import type { VgaOptions } from './options.js';
import { VgaCore } from './core.js';

export const vga = defineDevice<VgaOptions>({
  kind: 'vga',
  title: 'VGA, 80x25 colour text (mode 3), text RAM scanned at 0xB8000',
  // Order matters: core.ts REGION indexes these.
  regions: [
    {
      name: 'attr',
      base: 0x3c0,
      size: 2,
      names: { read: ['ATTR_INDEX', 'ATTR_DATA'], write: ['ATTR_INDEX/DATA', 'ATTR_DATA(ro)'] },
    },
    { name: 'misc', base: 0x3c2, size: 1, names: { read: ['INPUT_STATUS_0'], write: ['MISC_OUTPUT'] } },
    { name: 'seq', base: 0x3c4, size: 2, names: { read: ['SEQ_INDEX', 'SEQ_DATA'], write: ['SEQ_INDEX', 'SEQ_DATA'] } },
    {
      name: 'dac',
      base: 0x3c7,
      size: 3,
      names: { read: ['DAC_STATE', 'DAC_WRITE_INDEX', 'DAC_DATA'], write: ['DAC_READ_INDEX', 'DAC_WRITE_INDEX', 'DAC_DATA'] },
    },
    { name: 'miscr', base: 0x3cc, size: 1, names: { read: ['MISC_OUTPUT'], write: ['MISC_OUTPUT(ro)'] } },
    { name: 'gfx', base: 0x3ce, size: 2, names: { read: ['GFX_INDEX', 'GFX_DATA'], write: ['GFX_INDEX', 'GFX_DATA'] } },
    {
      name: 'crtc',
      base: 0x3d4,
      size: 2,
      widths: [1, 2],
      names: { read: ['CRTC_INDEX', 'CRTC_DATA'], write: ['CRTC_INDEX', 'CRTC_DATA'] },
    },
    { name: 'status', base: 0x3da, size: 1, names: { read: ['INPUT_STATUS_1'], write: ['FEATURE_CONTROL'] } },
  ],
  adapters: ['terminal', 'headless'],
  // The monitor's `info devices`: the CRTC's start address and cursor (s: its snapshot).
  describe: (s) => {
    const c = s.crtc as number[];
    return `text mode, start address 0x${((c[0x0c] << 8) | c[0x0d]).toString(16)}, cursor at offset ${(c[0x0e] << 8) | c[0x0f]}${c[0x0a] & 0x20 ? ' (hidden)' : ''}, next scan at t=${String(s.nextScanAt)} ns`;
  },
  create: (ctx) => new VgaCore(ctx),
});
