// The device module for QEMU's isa-debug-exit as blog_os configures it
// (`-device isa-debug-exit,iobase=0xf4,iosize=0x04`): move the port with `ports: { io: … }`,
// choose the decoded width with `options: { iosize: 1 | 2 | 4 }`.
import { defineDevice } from '../../bus/device.js';
import type { DebugExitOptions } from './options.js';
import { DebugExit } from './core.js';

export const debugExit = defineDevice<DebugExitOptions>({
  kind: 'debug-exit',
  title: "QEMU isa-debug-exit: a write of v stops the machine with status (v << 1) | 1",
  regions: [
    {
      name: 'io',
      // Regions are static: 4 ports are claimed; those at or past `iosize` are not decoded.
      size: 4,
      base: 0xf4,
      widths: [1, 2, 4],
      names: { read: ['exit (reads 0)', 'exit+1', 'exit+2', 'exit+3'], write: ['exit', 'exit+1', 'exit+2', 'exit+3'] },
    },
  ],
  describe: (s) => (s.exitStatus === null || s.exitStatus === undefined ? 'no exit requested' : `exit requested with status ${String(s.exitStatus)}`),
  create: (ctx, options) => new DebugExit(ctx, options.iosize),
});
