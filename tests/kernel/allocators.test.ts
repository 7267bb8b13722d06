// The allocators of posts 10 and 11 and the buddy allocator, one by one (blog-os-behaviour.md
// §11.1, §12, §15 item 14): their state and free lists as bytes in simulated memory, alignment,
// out of memory, the blog's linked-list allocator leaking front padding and never merging, the
// crate's merging, the fixed-size block allocator's lists and fallback, buddies merging back.
import { beforeEach, describe, expect, it } from 'vitest';
import { MachineStop } from '../../cpu/errors.js';
import { lowestBitFrom } from '../../kernel/allocator/buddy.js';
import { BumpAllocator } from '../../kernel/allocator/bump.js';
import { BLOCK_SIZES, FixedSizeBlockAllocator, list_index } from '../../kernel/allocator/fixed_size_block.js';
import type { KernelAllocator, Layout } from '../../kernel/allocator/global.js';
import { ALLOCATOR_KINDS, createAllocator, HEAP_SIZE, type AllocatorKind } from '../../kernel/allocator/index.js';
import { LockedHeap } from '../../kernel/allocator/linked_list_allocator.js';
import { KERNEL_DATA_BASE, KERNEL_DATA_SIZE } from '../../kernel/statics.js';
import { guestRig, type GuestRig } from '../support/guest.js';
import { KernelPanic, throwOnPanic } from '../support/kernel-panic.js';

const HEAP_AT = 0x200000;
const L = (size: number, align: number): Layout => ({ size, align });
const total = (regions: Array<[number, number]>) => regions.reduce((n, [, s]) => n + s, 0);

let rig: GuestRig;
function setUp<A extends KernelAllocator>(kind: AllocatorKind, size = HEAP_SIZE, stopAt?: number): A {
  rig = guestRig(4 << 20, stopAt === undefined ? {} : { cpu: { stopAt } }); // statics at 0x300000
  throwOnPanic();
  return createAllocator(kind, HEAP_AT, size) as A;
}
const u64 = (addr: number) => Number(rig.memory.read64(addr));

describe.each(ALLOCATOR_KINDS)('%s: common behaviour', (kind) => {
  let heap: KernelAllocator;
  beforeEach(() => {
    heap = setUp(kind);
  });

  it('honours every alignment from 1 to 4096; blocks lie in the heap and do not overlap', () => {
    const blocks: Array<[number, number]> = [];
    for (const align of [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096]) {
      for (const size of [1, 3, 8, 24, 100]) {
        const p = heap.alloc(L(size, align));
        expect(p).not.toBe(0);
        expect(p % align).toBe(0);
        expect(p).toBeGreaterThanOrEqual(HEAP_AT);
        expect(p + size).toBeLessThanOrEqual(HEAP_AT + HEAP_SIZE);
        for (const [q, s] of blocks) expect(p + size <= q || q + s <= p).toBe(true);
        blocks.push([p, size]);
      }
    }
  });

  it('returns null (0) when the heap cannot satisfy a request', () => {
    expect(heap.alloc(L(HEAP_SIZE + 1, 8))).toBe(0);
    expect(heap.alloc(L(8, 8))).not.toBe(0); // and still works
  });

  it('keeps its state in simulated memory: a static in the kernel data region', () => {
    expect(heap.stateAt).toBeGreaterThanOrEqual(KERNEL_DATA_BASE);
    expect(heap.stateAt).toBeLessThan(KERNEL_DATA_BASE + KERNEL_DATA_SIZE);
    const before = rig.memory.bytes.slice(heap.stateAt, heap.stateAt + 128);
    heap.alloc(L(32, 8));
    expect(rig.memory.bytes.slice(heap.stateAt, heap.stateAt + 128)).not.toEqual(before);
  });

  it('allocating while the allocator lock is held spins forever (post 10: never allocate in an ISR)', () => {
    heap = setUp(kind, HEAP_SIZE, 50_000);
    const guard = heap.locked.lock();
    expect(() => heap.alloc(L(8, 8))).toThrow(MachineStop); // spun on `pause` until stopAt
    expect(rig.memory.read32(heap.locked.lockAt)).toBe(1); // the lock word, in memory, still held
    void guard;
  });
});

describe('bump', () => {
  it('state = heap_start, heap_end, next, allocations; next resets when the count reaches 0', () => {
    const heap = setUp<BumpAllocator>('bump');
    const s = heap.stateAt;
    expect([u64(s), u64(s + 8), u64(s + 16), u64(s + 24)]).toEqual([HEAP_AT, HEAP_AT + HEAP_SIZE, HEAP_AT, 0]);
    const a = heap.alloc(L(4, 4));
    const b = heap.alloc(L(8, 8));
    expect([a, b]).toEqual([HEAP_AT, HEAP_AT + 8]); // b aligned up over the gap
    expect([u64(s + 16), u64(s + 24)]).toEqual([HEAP_AT + 16, 2]);
    heap.dealloc(b, L(8, 8));
    expect(heap.alloc(L(8, 8))).toBe(HEAP_AT + 16); // freeing b gave nothing back
    heap.dealloc(a, L(4, 4));
    heap.dealloc(HEAP_AT + 16, L(8, 8));
    expect([u64(s + 16), u64(s + 24)]).toEqual([HEAP_AT, 0]);
    expect(heap.alloc(L(HEAP_SIZE, 8))).toBe(HEAP_AT); // the whole heap again
  });
});

describe('linked-list (the blog\'s own)', () => {
  it('nodes {size, next} at the start of each free region; pushes at the front', () => {
    const heap = setUp('linked-list');
    expect(u64(heap.stateAt)).toBe(0); // dummy head: size 0
    expect(u64(heap.stateAt + 8)).toBe(HEAP_AT);
    expect([u64(HEAP_AT), u64(HEAP_AT + 8)]).toEqual([HEAP_SIZE, 0]);
    const a = heap.alloc(L(1, 1)); // size_align: 16 bytes, align 8
    expect(a).toBe(HEAP_AT);
    expect(heap.freeRegions()).toEqual([[HEAP_AT + 16, HEAP_SIZE - 16]]);
    heap.dealloc(a, L(1, 1));
    expect(heap.freeRegions()).toEqual([[HEAP_AT, 16], [HEAP_AT + 16, HEAP_SIZE - 16]]); // front, unmerged
    expect([u64(HEAP_AT), u64(HEAP_AT + 8)]).toEqual([16, HEAP_AT + 16]);
  });

  it('leaks the alignment gap in front of an allocation (issue #796)', () => {
    const heap = setUp('linked-list');
    const a = heap.alloc(L(16, 8)); // 0x200000
    const b = heap.alloc(L(64, 64)); // the region starts at 0x200010: aligned to 0x200040
    expect(b).toBe(HEAP_AT + 0x40);
    expect(total(heap.freeRegions())).toBe(HEAP_SIZE - 16 - 48 - 64); // 48 bytes gone
    heap.dealloc(a, L(16, 8));
    heap.dealloc(b, L(64, 64));
    expect(total(heap.freeRegions())).toBe(HEAP_SIZE - 48); // for good
  });

  it('never merges: after freeing everything, the whole heap cannot be allocated', () => {
    const heap = setUp('linked-list');
    const ps = [heap.alloc(L(100, 8)), heap.alloc(L(200, 8)), heap.alloc(L(300, 8))];
    ps.forEach((p, i) => heap.dealloc(p, L([100, 200, 300][i], 8)));
    expect(total(heap.freeRegions())).toBe(HEAP_SIZE);
    expect(heap.freeRegions().length).toBe(4);
    expect(heap.alloc(L(HEAP_SIZE, 8))).toBe(0);
  });

  it('rejects a region whose rest would be smaller than a node', () => {
    const heap = setUp('linked-list', 64);
    expect(heap.alloc(L(56, 8))).toBe(0); // 8 bytes would be left over
    expect(heap.alloc(L(48, 8))).toBe(HEAP_AT);
  });
});

describe('linked-list-allocator (the crate, 0.9.1)', () => {
  it('Heap {bottom, size, used, first hole}; one hole {size, next} over the whole heap', () => {
    const heap = setUp<LockedHeap>('linked-list-allocator');
    const s = heap.stateAt;
    expect([u64(s), u64(s + 8), u64(s + 16), u64(s + 24), u64(s + 32)]).toEqual([HEAP_AT, HEAP_SIZE, 0, 0, HEAP_AT]);
    expect([u64(HEAP_AT), u64(HEAP_AT + 8)]).toEqual([HEAP_SIZE, 0]);
  });

  it('normalises sizes to ≥ 16 and multiples of 8 (counted in used)', () => {
    const heap = setUp<LockedHeap>('linked-list-allocator');
    expect(heap.alloc(L(4, 4))).toBe(HEAP_AT);
    expect(heap.alloc(L(17, 1))).toBe(HEAP_AT + 16);
    expect(heap.heap.used()).toBe(16 + 24);
  });

  it('front padding becomes a hole (address order kept), and freeing merges it all back', () => {
    const heap = setUp<LockedHeap>('linked-list-allocator');
    const a = heap.alloc(L(8, 8)); // [0, 16)
    const b = heap.alloc(L(64, 64)); // hole at 16 is not aligned: start = align_up(16 + 16, 64) = 64
    expect(b).toBe(HEAP_AT + 64);
    expect(heap.freeRegions()).toEqual([[HEAP_AT + 16, 48], [HEAP_AT + 128, HEAP_SIZE - 128]]);
    const c = heap.alloc(L(32, 16)); // first fit: the padding hole
    expect(c).toBe(HEAP_AT + 16);
    heap.dealloc(b, L(64, 64));
    heap.dealloc(a, L(8, 8));
    heap.dealloc(c, L(32, 16));
    expect(heap.freeRegions()).toEqual([[HEAP_AT, HEAP_SIZE]]);
    expect(heap.heap.used()).toBe(0);
  });

  it('a double free panics', () => {
    const heap = setUp('linked-list-allocator');
    const a = heap.alloc(L(16, 8));
    heap.alloc(L(16, 8));
    heap.dealloc(a, L(16, 8));
    expect(() => heap.dealloc(a, L(16, 8))).toThrow(/invalid deallocation \(probably a double free\)/);
  });
});

describe('fixed-size-block', () => {
  it('list_index picks the first block size ≥ max(size, align); none above 2048', () => {
    expect(BLOCK_SIZES).toEqual([8, 16, 32, 64, 128, 256, 512, 1024, 2048]);
    expect([L(1, 1), L(8, 8), L(9, 1), L(4, 64), L(2048, 8), L(2049, 8)].map(list_index)).toEqual([0, 0, 1, 3, 8, undefined]);
  });

  it('lists start empty; an 8-byte block costs 16 bytes of the fallback; freed blocks are reused LIFO', () => {
    const heap = setUp<FixedSizeBlockAllocator>('fixed-size-block');
    for (let i = 0; i < BLOCK_SIZES.length; i++) expect(u64(heap.stateAt + 8 * i)).toBe(0);
    const a = heap.alloc(L(8, 8));
    const b = heap.alloc(L(8, 8));
    expect([a, b]).toEqual([HEAP_AT, HEAP_AT + 16]);
    heap.dealloc(a, L(8, 8));
    heap.dealloc(b, L(8, 8));
    expect(heap.listBlocks(0)).toEqual([b, a]);
    expect(u64(heap.stateAt)).toBe(b); // list_heads[0]
    expect(u64(b)).toBe(a); // ListNode.next written into the free block
    expect(heap.alloc(L(8, 8))).toBe(b);
    expect(heap.alloc(L(5, 1))).toBe(a);
    expect(heap.fallback.used()).toBe(32); // never given back
  });

  it('uses the fallback for requests above 2048 bytes, and gives them back to it', () => {
    const heap = setUp<FixedSizeBlockAllocator>('fixed-size-block');
    const small = heap.alloc(L(8, 8));
    const big = heap.alloc(L(4096, 8));
    expect(big).toBe(HEAP_AT + 16);
    expect(heap.fallback.used()).toBe(16 + 4096);
    heap.dealloc(big, L(4096, 8));
    expect(heap.fallback.used()).toBe(16);
    expect(heap.fallback.holes()).toEqual([[HEAP_AT + 16, HEAP_SIZE - 16]]); // merged in the fallback
    heap.dealloc(small, L(8, 8));
    expect(heap.listBlocks(0)).toEqual([small]); // a small block stays on its list
    expect(heap.fallback.used()).toBe(16);
  });

  it('a block is aligned to its size (64-aligned request for 4 bytes → a 64-byte block)', () => {
    const heap = setUp<FixedSizeBlockAllocator>('fixed-size-block');
    heap.alloc(L(8, 8));
    expect(heap.alloc(L(4, 64))).toBe(HEAP_AT + 64);
    expect(heap.fallback.holes()[0]).toEqual([HEAP_AT + 16, 48]); // the crate's front padding hole
  });
});

describe('buddy', () => {
  it('finds the smallest non-empty order at or above the one asked for, in both halves of the 41-bit mask', () => {
    const mask = 2 ** 4 + 2 ** 12 + 2 ** 35 + 2 ** 40;
    expect([0, 4, 5, 12, 13, 31, 32, 35, 36, 40, 41].map((k) => lowestBitFrom(mask, k))).toEqual([4, 4, 12, 12, 35, 35, 35, 35, 40, 40, -1]);
    expect(lowestBitFrom(0, 4)).toBe(-1);
    expect(lowestBitFrom(2 ** 31, 4)).toBe(31);
    expect(lowestBitFrom(2 ** 32, 31)).toBe(32);
  });

  it('a 100 KiB heap at a 64 KiB boundary is three blocks: 64 KiB, 32 KiB, 4 KiB', () => {
    const heap = setUp('buddy');
    expect(heap.freeRegions()).toEqual([[HEAP_AT + 0x18000, 0x1000], [HEAP_AT + 0x10000, 0x8000], [HEAP_AT, 0x10000]]);
    expect(u64(heap.stateAt + 24)).toBe(2 ** 12 + 2 ** 15 + 2 ** 16); // nonempty-lists mask
  });

  it('splits the smallest block that fits: 16 bytes from the 4 KiB block', () => {
    const heap = setUp('buddy');
    expect(heap.alloc(L(8, 8))).toBe(HEAP_AT + 0x18000);
    const sizes = heap.freeRegions().map(([, s]) => s);
    expect(sizes).toEqual([16, 32, 64, 128, 256, 512, 1024, 2048, 0x8000, 0x10000]);
  });

  it('rounds up to a power of two ≥ the alignment', () => {
    const heap = setUp('buddy', 0x40000);
    expect(heap.alloc(L(100, 8))).toBe(HEAP_AT); // a 128-byte block
    expect(heap.alloc(L(1, 1024))).toBe(HEAP_AT + 1024);
    expect(heap.alloc(L(8, 8))).toBe(HEAP_AT + 128);
  });

  it('merges buddies back to one block when everything is freed', () => {
    const size = 0x40000;
    const heap = setUp('buddy', size);
    expect(heap.freeRegions()).toEqual([[HEAP_AT, size]]);
    const layouts = [L(8, 8), L(100, 8), L(3000, 8), L(16, 256), L(40000, 8), L(8, 8)];
    const ps = layouts.map((l) => heap.alloc(l));
    expect(ps).not.toContain(0);
    expect(heap.alloc(L(size, 8))).toBe(0);
    // Free in a scrambled order; a block whose buddy is in use waits on its list.
    for (const i of [3, 0, 5, 2, 1]) heap.dealloc(ps[i], layouts[i]);
    expect(heap.freeRegions().length).toBeGreaterThan(1);
    heap.dealloc(ps[4], layouts[4]);
    expect(heap.freeRegions()).toEqual([[HEAP_AT, size]]);
    expect(u64(heap.stateAt + 16)).toBe(0); // used
    expect(heap.alloc(L(size, 8))).toBe(HEAP_AT);
  });
});

describe('kernel panics from the allocators', () => {
  it('the blog\'s linked-list asserts an 8-aligned region', () => {
    const heap = setUp('linked-list');
    expect(() => heap.dealloc(HEAP_AT + 4, L(16, 8))).toThrow(KernelPanic);
  });
});
