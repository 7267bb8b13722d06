// allocator (post 10): the heap region and init_heap — map its pages PRESENT | WRITABLE with
// frames from the frame allocator, then hand the region to the global allocator. Which
// allocator: the post's (10: linked_list_allocator, 11+: fixed-size block) or kernel.allocator.
import { features } from './features.js';
import { allocatorForPost, HEAP_SIZE, HEAP_START, initAllocator, type AllocatorKind } from './allocator/index.js';
import { Err, expect, VirtAddr, type Result } from './x86_64/addr.js';
import { MapToError, Page, PageTableFlags, type FrameAllocator, type OffsetPageTable } from './x86_64/paging.js';
import type { BootInfo } from './x86_64/bootinfo.js';
import * as memory from './memory.js';
import { BootInfoFrameAllocator } from './memory.js';

export { HEAP_SIZE, HEAP_START };

export function heapAllocatorKind(): AllocatorKind {
  return (features().allocator as AllocatorKind | undefined) ?? allocatorForPost(features().post);
}

export function init_heap(mapper: OffsetPageTable, frame_allocator: FrameAllocator): Result<void, MapToError> {
  const heap_start = VirtAddr.new(HEAP_START);
  const heap_end = heap_start.add(HEAP_SIZE - 1);
  const pages = Page.range_inclusive(Page.containing_address(heap_start), Page.containing_address(heap_end));
  for (const page of pages) {
    const frame = frame_allocator.allocate_frame();
    if (!frame) return Err(MapToError.FrameAllocationFailed);
    const flags = PageTableFlags.PRESENT | PageTableFlags.WRITABLE;
    const r = mapper.map_to(page, frame, flags, frame_allocator);
    if (!r.ok) return r;
    r.value.flush();
  }
  initAllocator(heapAllocatorKind(), HEAP_START, HEAP_SIZE);
  return { ok: true, value: undefined };
}

/** allocator::init_heap(&mut mapper, &mut frame_allocator).expect("heap initialization failed") */
export function init_heap_or_panic(mapper: OffsetPageTable, frame_allocator: FrameAllocator): void {
  expect(init_heap(mapper, frame_allocator), 'heap initialization failed', 'src/main.rs:36:55');
}

/** kernel_main's heap set-up from post 10 on: the mapper over the physical-memory offset, the BootInfo frame allocator, init_heap. */
export function heap_from_boot_info(boot_info: BootInfo): void {
  const mapper = memory.init(VirtAddr.new(boot_info.physical_memory_offset));
  init_heap_or_panic(mapper, BootInfoFrameAllocator.init(boot_info.memory_map));
}
