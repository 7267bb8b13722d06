// allocator/bump.rs (post 11): the bump allocator. Its state is a static in the kernel's data
// region, four usize fields read and written with load/store instructions:
//
//   state + 0   heap_start    usize
//   state + 8   heap_end      usize
//   state + 16  next          usize   first free byte
//   state + 24  allocations   usize   live allocations
//
// alloc aligns `next` up and bumps it; dealloc only counts, and resets `next` to heap_start
// when the count reaches zero. A long-lived allocation therefore pins the heap: the blog's
// many_boxes_long_lived runs out of memory after ~12 800 boxes.
import { Mutex } from '../sync/spin.js';
import { align_up, loadUsize, storeUsize, type KernelAllocator, type Layout, LOCK_OFFSET, lockedStatic } from './global.js';

const HEAP_START = 0;
const HEAP_END = 8;
const NEXT = 16;
const ALLOCATIONS = 24;
export const BUMP_STATE_BYTES = 32;

/** `static ALLOCATOR: Locked<BumpAllocator>` when the bump allocator is the global one. */
export const BUMP_ALLOCATOR_AT = lockedStatic('blog_os::allocator::bump::ALLOCATOR', BUMP_STATE_BYTES);

export class BumpAllocator implements KernelAllocator {
  readonly kind = 'bump';
  /** Locked<A>: the spinlock every alloc and dealloc takes (Locked::lock). */
  readonly locked: Mutex<number>;

  /** `Locked::new(BumpAllocator::new())`: a view of the state at `stateAt` (nothing written yet). */
  constructor(readonly stateAt: number = BUMP_ALLOCATOR_AT) {
    this.locked = new Mutex(stateAt, stateAt - LOCK_OFFSET);
  }

  /** `init(heap_start, heap_size)`: the whole heap is unused. */
  init(heapStart: number, heapSize: number): void {
    this.locked.with((s) => {
      storeUsize(s + HEAP_START, heapStart);
      storeUsize(s + HEAP_END, heapStart + heapSize);
      storeUsize(s + NEXT, heapStart);
      storeUsize(s + ALLOCATIONS, 0);
    });
  }

  alloc(layout: Layout): number {
    return this.locked.with((s) => {
      const start = align_up(loadUsize(s + NEXT), layout.align);
      const end = start + layout.size;
      if (end > loadUsize(s + HEAP_END)) return 0; // out of memory
      storeUsize(s + NEXT, end);
      storeUsize(s + ALLOCATIONS, loadUsize(s + ALLOCATIONS) + 1);
      return start;
    });
  }

  dealloc(_ptr: number, _layout: Layout): void {
    this.locked.with((s) => {
      const allocations = loadUsize(s + ALLOCATIONS) - 1;
      storeUsize(s + ALLOCATIONS, allocations);
      if (allocations === 0) storeUsize(s + NEXT, loadUsize(s + HEAP_START));
    });
  }

  /** Live allocations (the `allocations` field). */
  allocations(): number {
    return loadUsize(this.stateAt + ALLOCATIONS);
  }

  freeRegions(): Array<[number, number]> {
    const next = loadUsize(this.stateAt + NEXT);
    const end = loadUsize(this.stateAt + HEAP_END);
    return next < end ? [[next, end - next]] : [];
  }
}
