// QEMU's isa-debug-exit: a write of value v stops the machine with exit status (v << 1) | 1
// (device-models.md §1.6; blog_os writes 0x10 → 33 for success, 0x11 → 35 for failure).
//
// Choices:
// - The first write stops the machine at once (ctx.requestExit): old QEMU called exit() inside the
//   port write; QEMU ≥ 9.1 only queues a shutdown, so a guest can run on and write again
//   (blog-os-behaviour.md §15 item 8). Later writes, which a stopping machine should never see,
//   are traced and ignored.
// - The status is (v << 1) | 1 computed without 32-bit overflow (up to 2^33 - 1 for v = 0xFFFFFFFF);
//   the host truncates a process exit status to 8 bits, as it does for QEMU.
// - The region is declared 4 ports wide (regions are static); offsets at or past `iosize` are not
//   decoded: writes there are ignored, reads float (0xFF). An access that starts inside and runs
//   past `iosize` only carries its decoded low bytes, as QEMU's memory core clips it to the region.
//   Any decoded offset exits (QEMU's handler ignores the address).
// - Reads of decoded ports return 0 (QEMU's debug_exit_read).
import { z } from 'zod';
import type { AccessSize, DeviceContext, DeviceCore, DeviceState } from '../../bus/device.js';

export type IoSize = 1 | 2 | 4;

export const debugExitStateSchema = z.object({
  version: z.literal(1),
  /** Status of the write that stopped the machine, or null before any. */
  exitStatus: z.number().int().min(1).nullable(),
});
export type DebugExitState = z.infer<typeof debugExitStateSchema>;

/** Exit status QEMU reports for a written value: (v << 1) | 1, never even, never 0. */
export function exitStatusOf(value: number): number {
  return (value >>> 0) * 2 + 1;
}

export class DebugExit implements DeviceCore {
  private exitStatus: number | null = null;

  constructor(private readonly ctx: DeviceContext, private readonly iosize: IoSize) {}

  /** Bytes of an access at `offset` of `size` bytes that fall inside the decoded ports. */
  private decoded(offset: number, size: number): number {
    return Math.max(0, Math.min(size, this.iosize - offset));
  }

  read(region: number, offset: number, size: AccessSize): number {
    const bytes = region === 0 ? this.decoded(offset, size) : 0;
    if (bytes === 0) {
      this.ctx.guestError('read of a port isa-debug-exit does not decode', { region, offset, size, iosize: this.iosize });
    }
    // Decoded bytes read 0, the rest float high.
    const all = size === 4 ? 0xffff_ffff : (1 << (8 * size)) - 1;
    const zero = bytes === 4 ? 0xffff_ffff : (1 << (8 * bytes)) - 1;
    return (all & ~zero) >>> 0;
  }

  write(region: number, offset: number, size: AccessSize, value: number): void {
    const bytes = region === 0 ? this.decoded(offset, size) : 0;
    if (bytes === 0) {
      this.ctx.guestError('write to a port isa-debug-exit does not decode', { region, offset, size, value, iosize: this.iosize });
      return;
    }
    const v = bytes === 4 ? value >>> 0 : (value >>> 0) & ((1 << (8 * bytes)) - 1);
    if (this.exitStatus !== null) {
      this.ctx.trace('debugexit.ignored', { offset, size, value: v, status: this.exitStatus });
      return;
    }
    const status = exitStatusOf(v);
    this.exitStatus = status;
    this.ctx.trace('debugexit.write', { offset, size, value: v, status });
    this.ctx.requestExit(status, 'isa-debug-exit');
  }

  snapshot(): DebugExitState {
    return { version: 1, exitStatus: this.exitStatus };
  }

  restore(state: DeviceState): void {
    const parsed = debugExitStateSchema.safeParse(state);
    if (!parsed.success) throw new Error(`debug-exit: bad snapshot: ${parsed.error.message}`);
    this.exitStatus = parsed.data.exitStatus;
  }
}
