// A binary buddy allocator over the heap region (not in the blog; the seed's "BuddyAllocator").
// Memory is handed out in blocks of 2^k bytes (k ≥ 4), each aligned to its size in absolute
// addresses, so a block of order k satisfies any alignment up to 2^k. The buddy of the block at
// a is a XOR 2^k; freeing a block whose buddy is free merges the two, again and again up.
//
// State (a static, 360 bytes):
//
//   state + 0    heap_start   usize   first byte managed (aligned up to 16)
//   state + 8    heap_end     usize   end (aligned down to 16)
//   state + 16   used         usize   bytes in handed-out blocks
//   state + 24   nonempty     u64     bit k set ⇔ free_list[k] is not empty
//   state + 32   free_list[k] Option<&Block> for k = 0..=40; read only while bit k of nonempty is set
//
// A free block holds its list link at its start: block + 0 = next (0 = None). Lists are
// singly linked and unsorted; merging looks for the buddy in the list of its order (short lists:
// at most a handful of blocks per order in practice). `nonempty` is read once per call and
// written once if it changed, so finding the smallest non-empty order costs one load, and it
// says which lists are empty: taking a list's last block clears its bit and leaves the stale
// head in place (the next push overwrites it), one store saved per level a merge climbs.
//
// init splits [start, end) into maximal aligned power-of-two blocks (a 100 KiB heap at a 64 KiB
// boundary: 64 KiB + 32 KiB + 4 KiB); a power-of-two heap aligned to its size is one block.
import { Mutex } from '../sync/spin.js';
import { align_up, loadUsize, storeUsize, type KernelAllocator, type Layout, LOCK_OFFSET, lockedStatic } from './global.js';

export const MIN_ORDER = 4;
export const MIN_BLOCK = 1 << MIN_ORDER;
export const MAX_ORDER = 40;

const HEAP_START = 0;
const HEAP_END = 8;
const USED = 16;
const NONEMPTY = 24;
const FREE_LIST = 32;
export const BUDDY_STATE_BYTES = FREE_LIST + 8 * (MAX_ORDER + 1);

export const BUDDY_ALLOCATOR_AT = lockedStatic('blog_os::allocator::buddy::ALLOCATOR', BUDDY_STATE_BYTES);

/** The order of the block a layout needs: 2^order ≥ max(size, align, 16). */
export function order_for(layout: Layout): number {
  const need = Math.max(layout.size, layout.align, MIN_BLOCK);
  let order = MIN_ORDER;
  for (let block = MIN_BLOCK; block < need; block *= 2) order++;
  return order;
}

// Host-side arithmetic on 41-bit masks and 48-bit addresses (exact in doubles): powers of two
// from a table, bit tests by division and a 32-bit AND (no `%` on doubles, no `**`).
const POW2: readonly number[] = Array.from({ length: MAX_ORDER + 2 }, (_, k) => 2 ** k);
const TWO_32 = 0x1_0000_0000;
const bit = (mask: number, k: number): boolean => (Math.floor(mask / POW2[k]) & 1) !== 0;
const setBit = (mask: number, k: number): number => (bit(mask, k) ? mask : mask + POW2[k]);
const clearBit = (mask: number, k: number): number => (bit(mask, k) ? mask - POW2[k] : mask);

/** The lowest set bit of `mask` (< 2^53) at position ≥ k (k ≤ 52), or -1. */
export function lowestBitFrom(mask: number, k: number): number {
  const lo = mask >>> 0;
  if (k < 32) {
    const m = lo & (-1 << k);
    if (m !== 0) return 31 - Math.clz32(m & -m);
    k = 32;
  }
  const m = ((mask - lo) / TWO_32) & (-1 << (k - 32));
  return m === 0 ? -1 : 63 - Math.clz32(m & -m);
}

export class BuddyAllocator implements KernelAllocator {
  readonly kind = 'buddy';
  /** Locked<A>: the spinlock every alloc and dealloc takes (Locked::lock). */
  readonly locked: Mutex<number>;

  constructor(readonly stateAt: number = BUDDY_ALLOCATOR_AT) {
    this.locked = new Mutex(stateAt, stateAt - LOCK_OFFSET);
  }

  init(heapStart: number, heapSize: number): void {
    this.locked.with((s) => {
      const start = align_up(heapStart, MIN_BLOCK);
      const end = Math.max(start, heapStart + heapSize - ((heapStart + heapSize) % MIN_BLOCK));
      storeUsize(s + HEAP_START, start);
      storeUsize(s + HEAP_END, end);
      storeUsize(s + USED, 0);
      for (let k = 0; k <= MAX_ORDER; k++) storeUsize(s + FREE_LIST + 8 * k, 0);
      let mask = 0;
      for (let at = start; at + MIN_BLOCK <= end; ) {
        let order = MIN_ORDER;
        while (order < MAX_ORDER && at % 2 ** (order + 1) === 0 && at + 2 ** (order + 1) <= end) order++;
        const headAt = s + FREE_LIST + 8 * order;
        storeUsize(at, loadUsize(headAt));
        storeUsize(headAt, at);
        mask = setBit(mask, order);
        at += 2 ** order;
      }
      storeUsize(s + NONEMPTY, mask);
    });
  }

  alloc(layout: Layout): number {
    const order = order_for(layout);
    if (order > MAX_ORDER) return 0;
    return this.locked.with((s) => {
      let mask = loadUsize(s + NONEMPTY);
      let j = lowestBitFrom(mask, order);
      if (j < 0 || j > MAX_ORDER) return 0; // no block big enough
      // Pop a block of order j.
      const headAt = s + FREE_LIST + 8 * j;
      const block = loadUsize(headAt);
      const next = loadUsize(block);
      if (next === 0) mask = clearBit(mask, j); // now empty: the stale head is never read
      else storeUsize(headAt, next);
      // Split it down: the upper half of each split goes on the (empty) list one order lower.
      while (j > order) {
        j--;
        const upper = block + POW2[j];
        storeUsize(upper, 0);
        storeUsize(s + FREE_LIST + 8 * j, upper);
        mask = setBit(mask, j);
      }
      storeUsize(s + NONEMPTY, mask);
      storeUsize(s + USED, loadUsize(s + USED) + POW2[order]);
      return block;
    });
  }

  dealloc(ptr: number, layout: Layout): void {
    let order = order_for(layout);
    this.locked.with((s) => {
      const mask0 = loadUsize(s + NONEMPTY);
      let mask = mask0;
      storeUsize(s + USED, loadUsize(s + USED) - POW2[order]);
      let block = ptr;
      for (;;) {
        const size = POW2[order];
        const headAt = s + FREE_LIST + 8 * order;
        let head = 0; // None: the list is empty
        if (bit(mask, order)) {
          head = loadUsize(headAt);
          if (order < MAX_ORDER) {
            const buddy = (Math.floor(block / size) & 1) === 0 ? block + size : block - size; // block XOR size
            // Find the buddy on its list; `link` is the field that points at the node looked at.
            let link = headAt;
            let node = head;
            while (node !== 0 && node !== buddy) {
              link = node;
              node = loadUsize(node);
            }
            if (node === buddy) {
              const after = loadUsize(buddy);
              if (link !== headAt) storeUsize(link, after);
              else if (after !== 0) storeUsize(headAt, after);
              else mask = clearBit(mask, order); // its last block: the list is empty now
              block = Math.min(block, buddy);
              order++;
              continue;
            }
          }
        }
        storeUsize(block, head);
        storeUsize(headAt, block);
        mask = setBit(mask, order);
        break;
      }
      if (mask !== mask0) storeUsize(s + NONEMPTY, mask);
    });
  }

  /** Bytes in handed-out blocks. */
  used(): number {
    return loadUsize(this.stateAt + USED);
  }

  /** Free blocks, smallest order first: [address, size]. */
  freeRegions(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    const mask = loadUsize(this.stateAt + NONEMPTY);
    for (let k = 0; k <= MAX_ORDER; k++) {
      if (!bit(mask, k)) continue;
      for (let n = loadUsize(this.stateAt + FREE_LIST + 8 * k); n !== 0; n = loadUsize(n)) out.push([n, POW2[k]]);
    }
    return out;
  }
}
