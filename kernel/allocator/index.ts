// allocator.rs: the heap's place in the address space and the choice of global allocator.
// Post 10 uses the linked_list_allocator crate; post 11 ends with the fixed-size block
// allocator (the bump and the blog's own linked-list allocator stay in the tree as alternatives);
// the buddy allocator is ours.
//
// Setting up the heap (init_heap in kernel/memory): map every page of
// [HEAP_START, HEAP_START + HEAP_SIZE) PRESENT | WRITABLE, then
//     initAllocator(kind, HEAP_START, HEAP_SIZE)
// which writes the allocator's state (its static) and free-list header (into the heap — so the
// pages must be mapped first) and makes it the global allocator used by Box, Vec and Rc.
import { BumpAllocator } from './bump.js';
import { FixedSizeBlockAllocator } from './fixed_size_block.js';
import { ALLOCATOR, DummyAllocator, heapInitialised, registerAllocatorView, type KernelAllocator } from './global.js';
import { LinkedListAllocator } from './linked_list.js';
import { LockedHeap } from './linked_list_allocator.js';
import { BuddyAllocator } from './buddy.js';

export { ALLOCATOR, align_up, layout, handle_alloc_error, type GlobalAlloc, type KernelAllocator, type Layout } from './global.js';

export const HEAP_START = 0x4444_4444_0000;
export const HEAP_SIZE = 100 * 1024; // 100 KiB

export type AllocatorKind = 'bump' | 'linked-list' | 'linked-list-allocator' | 'fixed-size-block' | 'buddy' | 'dummy';

/** The allocators that allocate ('dummy', post 10's teaching step, fails every request). */
export const ALLOCATOR_KINDS: readonly AllocatorKind[] = ['bump', 'linked-list', 'linked-list-allocator', 'fixed-size-block', 'buddy'];

/** The global allocator of each post: post 10 the crate's LockedHeap, post 11 on the fixed-size block one. */
export function allocatorForPost(post: number): AllocatorKind {
  return post <= 10 ? 'linked-list-allocator' : 'fixed-size-block';
}

/**
 * An initialised allocator of `kind` over [heapStart, heapStart + heapSize). Its state goes to
 * the kind's static unless `stateAt` names other memory (tests running several at once). It is
 * not installed as the global allocator (initAllocator does that).
 */
export function createAllocator(kind: AllocatorKind, heapStart: number, heapSize: number, stateAt?: number): KernelAllocator {
  let a: KernelAllocator & { init(start: number, size: number): void };
  switch (kind) {
    case 'bump':
      a = new BumpAllocator(stateAt);
      break;
    case 'linked-list':
      a = new LinkedListAllocator(stateAt);
      break;
    case 'linked-list-allocator':
      a = new LockedHeap(stateAt);
      break;
    case 'fixed-size-block':
      a = new FixedSizeBlockAllocator(stateAt);
      break;
    case 'buddy':
      a = new BuddyAllocator(stateAt);
      break;
    case 'dummy':
      a = new DummyAllocator();
      break;
    default:
      throw new Error(`unknown allocator kind ${String(kind)}`);
  }
  a.init(heapStart, heapSize);
  return a;
}

// Another host thread (a guest thread's) sees the global allocator through a view on the kind's
// static: its state was written there by init, on the thread that installed it.
registerAllocatorView('bump', () => new BumpAllocator());
registerAllocatorView('linked-list', () => new LinkedListAllocator());
registerAllocatorView('linked-list-allocator', () => new LockedHeap());
registerAllocatorView('fixed-size-block', () => new FixedSizeBlockAllocator());
registerAllocatorView('buddy', () => new BuddyAllocator());
registerAllocatorView('dummy', () => new DummyAllocator());

/**
 * The allocator half of init_heap: initialise `kind` over the (already mapped) heap and make
 * it the `#[global_allocator]`. Returns it for inspection.
 */
export function initAllocator(kind: AllocatorKind, heapStart: number = HEAP_START, heapSize: number = HEAP_SIZE): KernelAllocator {
  const a = createAllocator(kind, heapStart, heapSize);
  ALLOCATOR.set(a);
  heapInitialised();
  return a;
}
