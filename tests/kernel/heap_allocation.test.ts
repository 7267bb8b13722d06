// tests/heap_allocation.rs (blog-os-behaviour.md §11, §12, §14) against every allocator: the
// blog's four tests run as guest code on a CPU, with the heap (HEAP_SIZE = 100 KiB) at physical
// 0x200000 — paging is off, so that is also its virtual address — and the allocators' statics at
// 0x300000. The bump allocator passes the first three and runs out of memory in
// many_boxes_long_lived, with the OOM panic the blog shows; every other allocator passes all four.
import { beforeEach, describe, expect, it } from 'vitest';
import { ALLOCATOR_KINDS, HEAP_SIZE, initAllocator, type AllocatorKind } from '../../kernel/allocator/index.js';
import { ALLOCATOR, type KernelAllocator } from '../../kernel/allocator/global.js';
import { BumpAllocator } from '../../kernel/allocator/bump.js';
import {
  HEAP_ALLOCATION_TESTS,
  heapAllocationTests,
  large_vec,
  many_boxes,
  many_boxes_long_lived,
  simple_allocation,
} from '../../kernel/tests/heap_allocation.js';
import { guestRig, type GuestRig } from '../support/guest.js';
import { KernelPanic, throwOnPanic } from '../support/kernel-panic.js';

const HEAP_AT = 0x200000;

let rig: GuestRig;
let heap: KernelAllocator;

function setUp(kind: AllocatorKind): void {
  rig = guestRig(4 << 20); // the kernel's statics are at 0x300000
  throwOnPanic();
  heap = initAllocator(kind, HEAP_AT, HEAP_SIZE);
}



describe('the test list', () => {
  it('post 10 has three tests, post 11 four, with the type names the runner prints', () => {
    expect(heapAllocationTests(10).map((t) => t.name)).toEqual([
      'heap_allocation::simple_allocation',
      'heap_allocation::large_vec',
      'heap_allocation::many_boxes',
    ]);
    expect(HEAP_ALLOCATION_TESTS.map((t) => t.name).at(-1)).toBe('heap_allocation::many_boxes_long_lived');
    expect(HEAP_SIZE).toBe(102_400);
  });
});

describe.each(ALLOCATOR_KINDS)('%s allocator', (kind) => {
  beforeEach(() => setUp(kind));

  it('simple_allocation', () => {
    simple_allocation();
  });

  it('large_vec (sum 499 500)', () => {
    large_vec();
  });

  it('many_boxes (102 400 boxes)', () => {
    many_boxes();
  });

  if (kind === 'bump') {
    it('many_boxes_long_lived fails: memory allocation of 8 bytes failed, after ~12 800 boxes', () => {
      // Count the allocations that succeed (a wrapper around the bump allocator).
      let succeeded = 0;
      ALLOCATOR.set({
        alloc: (l) => {
          const p = heap.alloc(l);
          if (p !== 0) succeeded++;
          return p;
        },
        dealloc: (p, l) => heap.dealloc(p, l),
      });
      let caught: unknown;
      try {
        many_boxes_long_lived();
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(KernelPanic);
      expect((caught as KernelPanic).info).toBe('panicked at library/alloc/src/alloc.rs:435:13:\nmemory allocation of 8 bytes failed');
      // The long-lived i32 takes 4 bytes, each usize box 8 (aligned up): (102 400 − 8) / 8 boxes fit.
      expect(succeeded - 1).toBe((HEAP_SIZE - 8) / 8);
      expect((heap as BumpAllocator).allocations()).toBe(1);
      expect(heap.freeRegions()).toEqual([]);
    });
  } else {
    it('many_boxes_long_lived', () => {
      many_boxes_long_lived();
    });
  }

  it('the whole suite in one boot, in order, on one heap', () => {
    const tests = kind === 'bump' ? HEAP_ALLOCATION_TESTS.slice(0, 3) : HEAP_ALLOCATION_TESTS;
    for (const t of tests) t.body();
  });
});
