// The linked_list_allocator crate (0.9.1): post 10's global allocator (`LockedHeap`) and the
// fallback of post 11's fixed-size block allocator (`Heap`). Free memory is a list of holes kept
// sorted by address; freeing merges a block with the holes right before and after it.
//
// A hole is written into the free memory it describes:
//
//   hole + 0   size  usize           bytes of the hole, header included (≥ 16)
//   hole + 8   next  Option<&Hole>   next hole at a higher address; 0 = None
//
// Heap { bottom, size, used, holes: HoleList { first: Hole } } is a structure in simulated
// memory (a static, or a field of the fixed-size block allocator); `first` is the dummy head
// hole of size 0 that lives in the Heap itself, not in the heap memory:
//
//   heap + 0    bottom       usize
//   heap + 8    size         usize
//   heap + 16   used         usize   bytes handed out (normalised sizes)
//   heap + 24   first.size   usize   always 0
//   heap + 32   first.next   Option<&Hole>
//
// Every request is normalised to a size of at least 16 and a multiple of 8 (the alignment is
// kept); deallocation normalises the same way, so a block always comes back whole.
import { Mutex } from '../sync/spin.js';
import { align_up, allocator_assert, loadUsize, storeUsize, type KernelAllocator, type Layout, LOCK_OFFSET, lockedStatic } from './global.js';

const BOTTOM = 0;
const SIZE = 8;
const USED = 16;
const FIRST = 24; // the dummy hole: FIRST + H_SIZE = 0, FIRST + H_NEXT = first real hole
export const HEAP_STATE_BYTES = 40;

const H_SIZE = 0;
const H_NEXT = 8;
/** HoleList::min_size() = size_of::<Hole>(); Hole's alignment is 8. */
export const HOLE_MIN_SIZE = 16;
const HOLE_ALIGN = 8;

/** `#[global_allocator] static ALLOCATOR: LockedHeap` of post 10. */
export const LOCKED_HEAP_AT = lockedStatic('blog_os::allocator::ALLOCATOR', HEAP_STATE_BYTES);

/** HoleList::align_layout: size ≥ 16, rounded up to a multiple of 8. */
export function normalisedSize(size: number): number {
  return align_up(Math.max(size, HOLE_MIN_SIZE), HOLE_ALIGN);
}

/** linked_list_allocator::Heap: a view of the structure at `at` (no lock: callers hold one). */
export class Heap {
  constructor(readonly at: number) {}

  /** Heap::empty(): no memory (every allocation fails). */
  empty(): void {
    for (let off = 0; off < HEAP_STATE_BYTES; off += 8) storeUsize(this.at + off, 0);
  }

  /** Heap::init(bottom, size): one hole of the whole size at align_up(bottom, 8). */
  init(bottom: number, size: number): void {
    const at = this.at;
    storeUsize(at + BOTTOM, bottom);
    storeUsize(at + SIZE, size);
    storeUsize(at + USED, 0);
    const hole = align_up(bottom, HOLE_ALIGN);
    storeUsize(hole + H_SIZE, Math.max(0, size - (hole - bottom)));
    storeUsize(hole + H_NEXT, 0);
    storeUsize(at + FIRST + H_SIZE, 0);
    storeUsize(at + FIRST + H_NEXT, hole);
  }

  /** Heap::allocate_first_fit: the block's address, or 0 (Err). */
  allocate_first_fit(layout: Layout): number {
    const size = normalisedSize(layout.size);
    const align = layout.align;
    let previous = this.at + FIRST;
    for (let hole = loadUsize(previous + H_NEXT); hole !== 0; hole = loadUsize(previous + H_NEXT)) {
      const holeSize = loadUsize(hole + H_SIZE);
      // split_hole: front padding only if the hole is not aligned already; then it is ≥ 16 bytes.
      const start = hole % align === 0 ? hole : align_up(hole + HOLE_MIN_SIZE, align);
      const holeEnd = hole + holeSize;
      const back = holeEnd - (start + size);
      if (back >= 0 && (back === 0 || back >= HOLE_MIN_SIZE)) {
        // Unlink the hole; link front padding, back padding, rest of the list — address order kept.
        let rest = loadUsize(hole + H_NEXT);
        if (back > 0) {
          const tail = start + size;
          storeUsize(tail + H_SIZE, back);
          storeUsize(tail + H_NEXT, rest);
          rest = tail;
        }
        if (start !== hole) {
          storeUsize(hole + H_SIZE, start - hole);
          storeUsize(hole + H_NEXT, rest);
        } else {
          storeUsize(previous + H_NEXT, rest);
        }
        storeUsize(this.at + USED, loadUsize(this.at + USED) + size);
        return start;
      }
      previous = hole;
    }
    return 0;
  }

  /** Heap::deallocate: insert the block in address order, merging with adjacent holes. */
  deallocate(ptr: number, layout: Layout): void {
    let size = normalisedSize(layout.size);
    storeUsize(this.at + USED, loadUsize(this.at + USED) - size);
    let hole = this.at + FIRST;
    let holeAddr = 0; // the dummy hole counts as address 0: it comes before every block
    for (;;) {
      const holeSize = loadUsize(hole + H_SIZE);
      allocator_assert(
        holeAddr + holeSize <= ptr,
        'invalid deallocation (probably a double free)',
        'linked_list_allocator-0.9.1/src/hole.rs:268:9',
      );
      const next = loadUsize(hole + H_NEXT);
      const nextSize = next !== 0 ? loadUsize(next + H_SIZE) : 0;
      const touchesHole = holeSize !== 0 && holeAddr + holeSize === ptr;
      if (touchesHole && next !== 0 && ptr + size === next) {
        // ___XXXFFFFYYYYY___ : the block fills the gap, three become one
        storeUsize(hole + H_SIZE, holeSize + size + nextSize);
        storeUsize(hole + H_NEXT, loadUsize(next + H_NEXT));
      } else if (touchesHole) {
        // ___XXXFFFF___ : grow this hole
        storeUsize(hole + H_SIZE, holeSize + size);
      } else if (next !== 0 && ptr + size === next) {
        // ___XXX__FFFFYYYYY___ : absorb the next hole, then free the merged block from here
        storeUsize(hole + H_NEXT, loadUsize(next + H_NEXT));
        size += nextSize;
        continue;
      } else if (next !== 0 && next <= ptr) {
        hole = next; // the block lies further on
        holeAddr = next;
        continue;
      } else {
        // ___XXX__FFFF__YYYYY___ : a new hole between this one and the next
        storeUsize(ptr + H_SIZE, size);
        storeUsize(ptr + H_NEXT, next);
        storeUsize(hole + H_NEXT, ptr);
      }
      return;
    }
  }

  bottom(): number {
    return loadUsize(this.at + BOTTOM);
  }

  size(): number {
    return loadUsize(this.at + SIZE);
  }

  used(): number {
    return loadUsize(this.at + USED);
  }

  free(): number {
    return this.size() - this.used();
  }

  /** The holes, in list (= address) order. */
  holes(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (let h = loadUsize(this.at + FIRST + H_NEXT); h !== 0; h = loadUsize(h + H_NEXT)) out.push([h, loadUsize(h + H_SIZE)]);
    return out;
  }
}

/** linked_list_allocator::LockedHeap: a Heap behind a spinlock, as a GlobalAlloc. */
export class LockedHeap implements KernelAllocator {
  readonly kind = 'linked-list-allocator';
  readonly heap: Heap;
  /** Locked<A>: the spinlock every alloc and dealloc takes (Locked::lock). */
  readonly locked: Mutex<Heap>;

  constructor(readonly stateAt: number = LOCKED_HEAP_AT) {
    this.heap = new Heap(stateAt);
    this.locked = new Mutex(this.heap, stateAt - LOCK_OFFSET);
  }

  /** `LockedHeap::empty()`, written to memory. */
  empty(): void {
    this.locked.with((h) => h.empty());
  }

  /** `ALLOCATOR.lock().init(heap_start, heap_size)`. */
  init(heapStart: number, heapSize: number): void {
    this.locked.with((h) => h.init(heapStart, heapSize));
  }

  alloc(layout: Layout): number {
    return this.locked.with((h) => h.allocate_first_fit(layout));
  }

  dealloc(ptr: number, layout: Layout): void {
    this.locked.with((h) => h.deallocate(ptr, layout));
  }

  freeRegions(): Array<[number, number]> {
    return this.heap.holes();
  }
}
