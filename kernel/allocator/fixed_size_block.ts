// allocator/fixed_size_block.rs (post 11): the final global allocator of the blog. Requests up
// to 2048 bytes are served from per-size free lists of blocks (8, 16, ..., 2048 bytes, each
// aligned to its size); an empty list asks the linked_list_allocator fallback for a fresh block;
// bigger requests go to the fallback directly. Freed blocks go on their list and never back to
// the fallback.
//
// State (a static, 112 bytes):
//
//   state + 0 .. 72    list_heads[9]        Option<&ListNode>, one per block size; 0 = None
//   state + 72 .. 112  fallback_allocator   linked_list_allocator::Heap (see linked_list_allocator.ts)
//
// A free block holds a ListNode { next: Option<&ListNode> } (8 bytes) at its start.
import { Mutex } from '../sync/spin.js';
import { allocator_assert, loadUsize, storeUsize, type KernelAllocator, type Layout, LOCK_OFFSET, lockedStatic } from './global.js';
import { Heap, HEAP_STATE_BYTES } from './linked_list_allocator.js';

/** The block sizes to use; each must be a power of two (it is also the block's alignment). */
export const BLOCK_SIZES = [8, 16, 32, 64, 128, 256, 512, 1024, 2048] as const;

const LIST_HEADS = 0;
const FALLBACK = 8 * BLOCK_SIZES.length;
export const FIXED_SIZE_BLOCK_STATE_BYTES = FALLBACK + HEAP_STATE_BYTES;
const LIST_NODE_SIZE = 8;

export const FIXED_SIZE_BLOCK_ALLOCATOR_AT = lockedStatic('blog_os::allocator::fixed_size_block::ALLOCATOR', FIXED_SIZE_BLOCK_STATE_BYTES);

/** The first block size ≥ max(size, align); undefined when the request needs more than 2048. */
export function list_index(layout: Layout): number | undefined {
  const required = Math.max(layout.size, layout.align);
  const i = BLOCK_SIZES.findIndex((s) => s >= required);
  return i < 0 ? undefined : i;
}

export class FixedSizeBlockAllocator implements KernelAllocator {
  readonly kind = 'fixed-size-block';
  /** The fallback allocator, a field of this one's state. */
  readonly fallback: Heap;
  /** Locked<A>: the spinlock every alloc and dealloc takes (Locked::lock). */
  readonly locked: Mutex<number>;

  /** `Locked::new(FixedSizeBlockAllocator::new())` at `stateAt`. */
  constructor(readonly stateAt: number = FIXED_SIZE_BLOCK_ALLOCATOR_AT) {
    this.fallback = new Heap(stateAt + FALLBACK);
    this.locked = new Mutex(stateAt, stateAt - LOCK_OFFSET);
  }

  /**
   * `new()` then `init(heap_start, heap_size)`: every list empty, the fallback gets the whole
   * heap. The lists fill lazily as blocks are freed.
   */
  init(heapStart: number, heapSize: number): void {
    this.locked.with((s) => {
      for (let i = 0; i < BLOCK_SIZES.length; i++) storeUsize(s + LIST_HEADS + 8 * i, 0);
      this.fallback.init(heapStart, heapSize);
    });
  }

  alloc(layout: Layout): number {
    return this.locked.with((s) => {
      const index = list_index(layout);
      if (index === undefined) return this.fallback.allocate_first_fit(layout);
      const headAt = s + LIST_HEADS + 8 * index;
      const node = loadUsize(headAt);
      if (node !== 0) {
        storeUsize(headAt, loadUsize(node)); // pop: list_heads[index] = node.next
        return node;
      }
      // No block of that size yet: one from the fallback, size = align = block size.
      const blockSize = BLOCK_SIZES[index];
      return this.fallback.allocate_first_fit({ size: blockSize, align: blockSize });
    });
  }

  dealloc(ptr: number, layout: Layout): void {
    this.locked.with((s) => {
      const index = list_index(layout);
      if (index === undefined) {
        allocator_assert(ptr !== 0, 'called `Option::unwrap()` on a `None` value', 'src/allocator/fixed_size_block.rs:91:46');
        this.fallback.deallocate(ptr, layout);
        return;
      }
      allocator_assert(LIST_NODE_SIZE <= BLOCK_SIZES[index], 'assertion failed: mem::size_of::<ListNode>() <= BLOCK_SIZES[index]', 'src/allocator/fixed_size_block.rs:83:17');
      const headAt = s + LIST_HEADS + 8 * index;
      storeUsize(ptr, loadUsize(headAt)); // new_node.next = old head
      storeUsize(headAt, ptr);
    });
  }

  /** The blocks on list `index` (block size BLOCK_SIZES[index]), head first. */
  listBlocks(index: number): number[] {
    const out: number[] = [];
    for (let n = loadUsize(this.stateAt + LIST_HEADS + 8 * index); n !== 0; n = loadUsize(n)) out.push(n);
    return out;
  }

  /** Free memory: every listed block, then the fallback's holes. */
  freeRegions(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    BLOCK_SIZES.forEach((size, i) => {
      for (const b of this.listBlocks(i)) out.push([b, size]);
    });
    return out.concat(this.fallback.holes());
  }
}
