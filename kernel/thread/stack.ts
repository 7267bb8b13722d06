// Thread stacks: 16 KiB each, in a region of their own at 0x5555_0000_0000. Slot i (1..7; the boot
// thread keeps the bootloader's stack) owns 64 KiB of address space of which only the top 16 KiB
// are mapped: the 48 KiB below are a guard, so a thread that overflows its stack takes a page
// fault (then a double fault on IST1, which panics) instead of writing over its neighbour — what
// Linux's vmapped stacks (CONFIG_VMAP_STACK) buy. The pages are mapped once, at boot, with the
// frame allocator kernel_main owns; spawning a thread only takes a free slot.
import { panic } from '../panic.js';
import { expect, VirtAddr } from '../x86_64/addr.js';
import { Page, PageTableFlags, type FrameAllocator, type OffsetPageTable } from '../x86_64/paging.js';
import { MAX_THREADS } from './thread.js';

export const THREAD_STACKS_START = 0x5555_0000_0000;
export const STACK_SLOT_BYTES = 0x10000;
export const THREAD_STACK_SIZE = 16 * 1024;

/** The (exclusive) top of slot `slot`'s stack: RSP of a thread that has pushed nothing. */
export function stack_top(slot: number): number {
  return THREAD_STACKS_START + (slot + 1) * STACK_SLOT_BYTES;
}

/** The lowest mapped byte of slot `slot`'s stack (the guard ends just below). */
export function stack_bottom(slot: number): number {
  return stack_top(slot) - THREAD_STACK_SIZE;
}

/** Map every slot's stack pages present, writable, no-execute. */
export function map_thread_stacks(mapper: OffsetPageTable, frames: FrameAllocator): void {
  const flags = PageTableFlags.PRESENT | PageTableFlags.WRITABLE | PageTableFlags.NO_EXECUTE;
  for (let slot = 1; slot < MAX_THREADS; slot++) {
    const first = Page.containing_address(VirtAddr.new(stack_bottom(slot)));
    const last = Page.containing_address(VirtAddr.new(stack_top(slot) - 1));
    for (const page of Page.range_inclusive(first, last)) {
      const frame = frames.allocate_frame();
      if (!frame) return panic('no free frame for a thread stack', 'src/thread/stack.rs:34:26');
      expect(mapper.map_to(page, frame, flags, frames), 'mapping a thread stack failed', 'src/thread/stack.rs:35:7').flush();
    }
  }
}
