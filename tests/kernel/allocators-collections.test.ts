// Box, Vec and Rc on the global allocator (blog-os-behaviour.md §11, §12.4, §15 item 12): post
// 10/11's demo and its addresses (heap_value at the heap start, vec 0x800 further), the OOM panic
// before the heap exists, Vec's growth policy (RawVec MIN_NON_ZERO_CAP, doubling, realloc =
// alloc + copy + dealloc) and RcBox {strong, weak, value} as bytes in the heap.
import { beforeEach, describe, expect, it } from 'vitest';
import { ALLOCATOR, Dummy, type KernelAllocator } from '../../kernel/allocator/global.js';
import { ALLOCATOR_KINDS, HEAP_SIZE, HEAP_START, initAllocator, type AllocatorKind } from '../../kernel/allocator/index.js';
import { LockedHeap } from '../../kernel/allocator/linked_list_allocator.js';
import { Box } from '../../kernel/alloc/boxed.js';
import { Rc } from '../../kernel/alloc/rc.js';
import { I32, U64, U8, type ValueType } from '../../kernel/alloc/types.js';
import { Vec } from '../../kernel/alloc/vec.js';
import { MachineReset } from '../../cpu/errors.js';
import { PageTableFlags as F } from '../../cpu/paging.js';
import { HEAP_ALLOCATION_TESTS } from '../../kernel/tests/heap_allocation.js';
import { cpuRig } from '../support/cpu-rig.js';
import { guestRig, type GuestRig } from '../support/guest.js';
import { throwOnPanic } from '../support/kernel-panic.js';

const HEAP_AT = 0x200000;
const OOM = (n: number) => `panicked at library/alloc/src/alloc.rs:435:13:\nmemory allocation of ${n} bytes failed`;

let rig: GuestRig;
beforeEach(() => {
  rig = guestRig(4 << 20);
  throwOnPanic();
});

function panicInfo(f: () => void): string {
  try {
    f();
  } catch (e) {
    return (e as { info?: string }).info ?? String(e);
  }
  return 'no panic';
}

/** kernel_main's heap demo of posts 10 and 11; what it prints. */
function demo(): { lines: string[]; drop: () => void } {
  const hex = (a: number) => `0x${a.toString(16)}`;
  const heap_value = Box.new_i32(41);
  const lines = [`heap_value at ${hex(heap_value.as_ptr())}`];
  const vec = Vec.new(I32);
  for (let i = 0; i < 500; i++) vec.push(i);
  lines.push(`vec at ${hex(vec.as_ptr())}`);
  const reference_counted = Rc.new(Vec.type(I32), Vec.from(I32, [1, 2, 3]));
  const cloned_reference = reference_counted.clone();
  lines.push(`current reference count is ${Rc.strong_count(cloned_reference)}`);
  reference_counted.drop();
  lines.push(`reference count is ${Rc.strong_count(cloned_reference)} now`);
  return {
    lines,
    drop: () => {
      cloned_reference.drop();
      vec.drop();
      heap_value.drop();
    },
  };
}

describe('the heap demo of posts 10 and 11', () => {
  it.each(['linked-list-allocator', 'fixed-size-block'] as AllocatorKind[])('%s: heap_value at the heap start, vec 0x800 further', (kind) => {
    initAllocator(kind, HEAP_AT, HEAP_SIZE);
    expect(demo().lines).toEqual([
      'heap_value at 0x200000',
      'vec at 0x200800',
      'current reference count is 2',
      'reference count is 1 now',
    ]);
  });

  it.each(ALLOCATOR_KINDS)('%s: the reference counts are 2, then 1', (kind) => {
    initAllocator(kind, HEAP_AT, HEAP_SIZE);
    expect(demo().lines.slice(2)).toEqual(['current reference count is 2', 'reference count is 1 now']);
  });

  it('dropping everything gives the crate heap back whole (the Rc drops its Vec\'s buffer)', () => {
    const heap = initAllocator('linked-list-allocator', HEAP_AT, HEAP_SIZE) as LockedHeap;
    demo().drop();
    expect(heap.freeRegions()).toEqual([[HEAP_AT, HEAP_SIZE]]);
    expect(heap.heap.used()).toBe(0);
  });
});

describe('out of memory', () => {
  it('before init_heap the global allocator is the empty heap: Box::new(41) panics', () => {
    expect(panicInfo(() => Box.new_i32(41))).toBe(OOM(4));
  });

  it('the Dummy allocator: the same panic; its dealloc panics', () => {
    ALLOCATOR.set(Dummy);
    expect(panicInfo(() => Box.new_i32(41))).toBe(OOM(4));
    expect(panicInfo(() => Dummy.dealloc(8, { size: 4, align: 4 }))).toMatch(/dealloc should be never called$/);
  });

  it('a Vec that outgrows the heap reports the size of the failed request', () => {
    initAllocator('fixed-size-block', HEAP_AT, 4096);
    const v = Vec.new(U64);
    expect(panicInfo(() => {
      for (let i = 0; i < 1000; i++) v.push(i);
    })).toBe(OOM(4096)); // capacity 512 → 4096 bytes, while the 2048-byte buffer is still live
  });

  it('a reboot (statics reset) brings back the empty heap', () => {
    initAllocator('buddy', HEAP_AT, HEAP_SIZE);
    Box.new_i32(1);
    rig = guestRig(4 << 20);
    expect(panicInfo(() => Box.new_i32(1))).toBe(OOM(4));
  });
});

describe('Vec', () => {
  let heap: KernelAllocator;
  beforeEach(() => {
    heap = initAllocator('linked-list-allocator', HEAP_AT, HEAP_SIZE);
  });

  it('grows 0 → 4 → 8 → 16 … for u64; MIN_NON_ZERO_CAP is 8 for bytes and 1 for elements > 1 KiB', () => {
    const v = Vec.new(U64);
    const caps = [v.capacity()];
    for (let i = 0; i < 40; i++) {
      v.push(i);
      if (v.capacity() !== caps.at(-1)) caps.push(v.capacity());
    }
    expect(caps).toEqual([0, 4, 8, 16, 32, 64]);
    const bytes = Vec.new(U8);
    bytes.push(1);
    expect(bytes.capacity()).toBe(8);
    const big: ValueType<number> = { name: '[u8; 2000]', size: 2000, align: 1, read: () => 0, write: () => {} };
    const bigs = Vec.new(big);
    bigs.push(0);
    expect(bigs.capacity()).toBe(1);
    bigs.push(0);
    expect(bigs.capacity()).toBe(2);
    expect(Vec.min_non_zero_cap(1024)).toBe(4);
  });

  it('elements are bytes of the heap; growing copies them to the new block and frees the old', () => {
    const v = Vec.new(U64);
    for (let i = 0; i < 4; i++) v.push(0x1111 * (i + 1));
    const first = v.as_ptr();
    expect(Number(rig.memory.read64(first + 24))).toBe(0x4444);
    v.push(5); // capacity 8: alloc new, copy 32 bytes, dealloc old
    expect(v.as_ptr()).not.toBe(first);
    expect([...v.iter()]).toEqual([0x1111, 0x2222, 0x3333, 0x4444, 5]);
    expect(heap.freeRegions()[0]).toEqual([first, 32]); // the old buffer is a hole again
    expect(v.pop()).toBe(5);
    expect(v.len()).toBe(4);
    expect(v.get(3)).toBe(0x4444);
    expect(panicInfo(() => v.get(4))).toMatch(/index out of bounds: the len is 4 but the index is 4$/);
    v.drop();
    expect(heap.freeRegions()).toEqual([[HEAP_AT, HEAP_SIZE]]);
  });

  it('vec![1, 2, 3] has exactly three slots; Vec::new allocates nothing', () => {
    const v = Vec.from(I32, [1, -2, 3]);
    expect([v.capacity(), v.len(), v.sum()]).toEqual([3, 3, 2]);
    expect(heap.freeRegions()).toEqual([[HEAP_AT + 16, HEAP_SIZE - 16]]); // 12 bytes → 16
    const empty = Vec.new(U64);
    expect(empty.as_ptr()).toBe(8); // dangling
    empty.drop();
  });
});

describe('Box and Rc', () => {
  it('Box<u64> stores its value in the heap and frees it on drop', () => {
    const heap = initAllocator('fixed-size-block', HEAP_AT, HEAP_SIZE);
    const b = Box.new_u64(0x1234_5678_9abc);
    expect(Number(rig.memory.read64(b.as_ptr()))).toBe(0x1234_5678_9abc);
    b.set(7);
    expect(b.get()).toBe(7);
    b.drop();
    expect(() => b.get()).toThrow(/dropped Box/);
    expect(heap.freeRegions()[0]).toEqual([HEAP_AT, 8]); // back on the 8-byte list
  });

  it('RcBox {strong, weak, value}: counts in memory; the last drop frees it', () => {
    const heap = initAllocator('linked-list-allocator', HEAP_AT, HEAP_SIZE);
    const a = Rc.new(U64, 99);
    const box = a.rcbox_ptr();
    const words = () => [0, 8, 16].map((o) => Number(rig.memory.read64(box + o)));
    expect(words()).toEqual([1, 1, 99]);
    const b = a.clone();
    const c = b.clone();
    expect(words()).toEqual([3, 1, 99]);
    expect([Rc.strong_count(c), Rc.weak_count(c), Rc.ptr_eq(a, c), c.get()]).toEqual([3, 0, true, 99]);
    a.drop();
    b.drop();
    expect(words()).toEqual([1, 1, 99]);
    c.drop();
    expect(heap.freeRegions()).toEqual([[HEAP_AT, HEAP_SIZE]]);
  });
});

describe('with paging on: the heap at HEAP_START = 0x4444_4444_0000', () => {
  /** A kernel CPU with identity-mapped memory (statics included); the heap's 25 pages mapped or not. */
  function pagedRig(mapHeap: boolean) {
    const r = cpuRig({ paging: true, tracing: false });
    throwOnPanic();
    if (mapHeap) {
      for (let i = 0; i < HEAP_SIZE / 0x1000; i++) {
        r.pt!.map(HEAP_START + i * 0x1000, HEAP_FRAMES + i * 0x1000, { flags: F.PRESENT | F.WRITABLE });
      }
    }
    return r;
  }
  const HEAP_FRAMES = 0x100000;

  it.each(['linked-list-allocator', 'fixed-size-block'] as AllocatorKind[])('%s: the demo prints the blog\'s addresses', (kind) => {
    const r = pagedRig(true);
    initAllocator(kind); // HEAP_START, HEAP_SIZE
    expect(demo().lines).toEqual([
      'heap_value at 0x444444440000',
      'vec at 0x444444440800',
      'current reference count is 2',
      'reference count is 1 now',
    ]);
    expect(r.memory.read32(HEAP_FRAMES)).toBe(41); // *heap_value, in the frame behind the first heap page
  });

  it('the four heap_allocation tests pass through the MMU (fixed-size block)', () => {
    pagedRig(true);
    initAllocator('fixed-size-block');
    for (const t of HEAP_ALLOCATION_TESTS) t.body();
  });

  it('initialising the allocator before the pages are mapped faults on its first header write', () => {
    const r = pagedRig(false);
    expect(() => initAllocator('linked-list-allocator')).toThrow(MachineReset); // #PF, no handler: triple fault
    expect(r.cpu.cr2).toBe(HEAP_START);
  });
});
