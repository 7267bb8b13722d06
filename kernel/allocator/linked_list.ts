// allocator/linked_list.rs (post 11): the blog's own linked-list allocator. Every free region
// starts with a ListNode written into the region itself:
//
//   node + 0   size  usize              bytes of the region, node included
//   node + 8   next  Option<&ListNode>  0 = None
//
// The allocator's state is its dummy head node (size 0), a static:
//
//   state + 0  head.size = 0
//   state + 8  head.next
//
// Regions are pushed at the front: the list is unsorted and never merged. An allocation takes
// the first region it fits in; the part behind the allocation goes back on the list, the
// alignment gap in front of it is lost for good (blog_os issue #796).
import { Mutex } from '../sync/spin.js';
import { panic } from '../panic.js';
import { align_up, allocator_assert, loadUsize, storeUsize, type KernelAllocator, type Layout, LOCK_OFFSET, lockedStatic } from './global.js';

const SIZE = 0;
const NEXT = 8;
/** mem::size_of::<ListNode>() and its alignment. */
export const LIST_NODE_SIZE = 16;
export const LIST_NODE_ALIGN = 8;

export const LINKED_LIST_ALLOCATOR_AT = lockedStatic('blog_os::allocator::linked_list::ALLOCATOR', LIST_NODE_SIZE);

/** `size_align`: alignment raised to 8, size padded to it, then at least one ListNode. */
export function size_align(layout: Layout): { size: number; align: number } {
  const align = Math.max(layout.align, LIST_NODE_ALIGN);
  const size = Math.max(align_up(layout.size, align), LIST_NODE_SIZE);
  return { size, align };
}

export class LinkedListAllocator implements KernelAllocator {
  readonly kind = 'linked-list';
  /** Locked<A>: the spinlock every alloc and dealloc takes (Locked::lock). */
  readonly locked: Mutex<number>;

  /** `Locked::new(LinkedListAllocator::new())` at `stateAt`. */
  constructor(readonly stateAt: number = LINKED_LIST_ALLOCATOR_AT) {
    this.locked = new Mutex(stateAt, stateAt - LOCK_OFFSET);
  }

  /** `init(heap_start, heap_size)` = add_free_region over the whole heap (on an empty list). */
  init(heapStart: number, heapSize: number): void {
    this.locked.with((head) => {
      storeUsize(head + SIZE, 0);
      storeUsize(head + NEXT, 0);
      add_free_region(head, heapStart, heapSize);
    });
  }

  alloc(layout: Layout): number {
    const { size, align } = size_align(layout);
    return this.locked.with((head) => {
      const found = find_region(head, size, align);
      if (!found) return 0;
      const allocEnd = found.start + size;
      const excess = found.regionEnd - allocEnd;
      if (excess > 0) add_free_region(head, allocEnd, excess);
      return found.start;
    });
  }

  dealloc(ptr: number, layout: Layout): void {
    const { size } = size_align(layout);
    this.locked.with((head) => add_free_region(head, ptr, size));
  }

  freeRegions(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (let node = loadUsize(this.stateAt + NEXT); node !== 0; node = loadUsize(node + NEXT)) {
      out.push([node, loadUsize(node + SIZE)]);
    }
    return out;
  }
}

/** Push a node for [addr, addr + size) at the front of the list. */
function add_free_region(head: number, addr: number, size: number): void {
  const aligned = align_up(addr, LIST_NODE_ALIGN);
  if (aligned !== addr) {
    panic(`assertion \`left == right\` failed\n  left: ${aligned}\n right: ${addr}`, 'src/allocator/linked_list.rs:48:9');
  }
  allocator_assert(size >= LIST_NODE_SIZE, 'assertion failed: size >= mem::size_of::<ListNode>()', 'src/allocator/linked_list.rs:49:9');
  storeUsize(addr + SIZE, size);
  storeUsize(addr + NEXT, loadUsize(head + NEXT));
  storeUsize(head + NEXT, addr);
}

/** First region the allocation fits in, unlinked from the list; with the allocation's start. */
function find_region(head: number, size: number, align: number): { start: number; regionEnd: number } | undefined {
  let current = head;
  for (let region = loadUsize(current + NEXT); region !== 0; region = loadUsize(current + NEXT)) {
    const regionSize = loadUsize(region + SIZE);
    const start = alloc_from_region(region, regionSize, size, align);
    if (start !== undefined) {
      storeUsize(current + NEXT, loadUsize(region + NEXT));
      return { start, regionEnd: region + regionSize };
    }
    current = region;
  }
  return undefined;
}

/** Where an allocation would start in the region, if it fits (and leaves no unusable sliver). */
function alloc_from_region(region: number, regionSize: number, size: number, align: number): number | undefined {
  const start = align_up(region, align);
  const end = start + size;
  const regionEnd = region + regionSize;
  if (end > regionEnd) return undefined; // region too small
  const excess = regionEnd - end;
  if (excess > 0 && excess < LIST_NODE_SIZE) return undefined; // rest too small for a node
  return start;
}
