// Property tests of every allocator (fast-check): random sequences of allocations and frees.
// Whatever the sequence: a block is aligned as asked, lies inside the heap, overlaps no other live
// block and no free region, and its bytes survive until it is freed (no allocator writes into
// live memory). After freeing everything, the merging allocators (the crate's linked list,
// buddy) and the bump allocator give the whole heap back — one allocation of all of it succeeds;
// the fixed-size block allocator has lost nothing (every byte is a hole of its fallback or a block
// on its lists); the blog's own linked-list allocator has lost at most its alignment padding.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { FixedSizeBlockAllocator, BLOCK_SIZES } from '../../kernel/allocator/fixed_size_block.js';
import type { KernelAllocator, Layout } from '../../kernel/allocator/global.js';
import { ALLOCATOR_KINDS, createAllocator, type AllocatorKind } from '../../kernel/allocator/index.js';
import { normalisedSize } from '../../kernel/allocator/linked_list_allocator.js';
import { guestRig, type GuestRig } from '../support/guest.js';
import { throwOnPanic } from '../support/kernel-panic.js';

const HEAP_AT = 0x200000;
const HEAP_BYTES = 0x10000; // 64 KiB: small enough that large requests run out of memory

type Op = { kind: 'alloc'; size: number; align: number } | { kind: 'free'; pick: number };

const sizeArb = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 64 }) },
  { weight: 3, arbitrary: fc.integer({ min: 65, max: 3000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 3001, max: 24000 }) },
);
const alignArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(1, 2, 4, 8) },
  { weight: 2, arbitrary: fc.constantFrom(16, 32, 64, 128) },
  { weight: 1, arbitrary: fc.constantFrom(256, 1024, 4096) },
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('alloc' as const), size: sizeArb, align: alignArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('free' as const), pick: fc.nat() }) },
);
const opsArb = fc.array(opArb, { minLength: 1, maxLength: 80 });

interface Live {
  ptr: number;
  layout: Layout;
  tag: number;
}

let rig: GuestRig;
beforeAll(() => {
  rig = guestRig(4 << 20); // statics at 0x300000
  throwOnPanic();
});

const disjoint = (a: number, as: number, b: number, bs: number) => a + as <= b || b + bs <= a;

function sameBytes(ptr: number, size: number, tag: number): boolean {
  const bytes = rig.memory.bytes;
  for (let i = ptr; i < ptr + size; i++) if (bytes[i] !== tag) return false;
  return true;
}

function checkFreeRegions(heap: KernelAllocator, live: Live[]): void {
  const regions = heap.freeRegions();
  for (const [at, size] of regions) {
    expect(at).toBeGreaterThanOrEqual(HEAP_AT);
    expect(at + size).toBeLessThanOrEqual(HEAP_AT + HEAP_BYTES);
    for (const b of live) expect(disjoint(at, size, b.ptr, b.layout.size)).toBe(true);
  }
  const sorted = [...regions].sort((x, y) => x[0] - y[0]);
  for (let i = 1; i < sorted.length; i++) expect(sorted[i - 1][0] + sorted[i - 1][1]).toBeLessThanOrEqual(sorted[i][0]);
}

/** Run the ops; returns the allocator and the blocks still live. */
function run(kindName: AllocatorKind, ops: Op[]): { heap: KernelAllocator; live: Live[] } {
  const heap = createAllocator(kindName, HEAP_AT, HEAP_BYTES);
  const live: Live[] = [];
  let nextTag = 1;
  for (const op of ops) {
    if (op.kind === 'free') {
      if (live.length === 0) continue;
      const [b] = live.splice(op.pick % live.length, 1);
      expect(sameBytes(b.ptr, b.layout.size, b.tag)).toBe(true);
      heap.dealloc(b.ptr, b.layout);
      continue;
    }
    const layout = { size: op.size, align: op.align };
    const ptr = heap.alloc(layout);
    if (ptr === 0) continue; // out of memory is allowed
    expect(ptr % op.align).toBe(0);
    expect(ptr).toBeGreaterThanOrEqual(HEAP_AT);
    expect(ptr + op.size).toBeLessThanOrEqual(HEAP_AT + HEAP_BYTES);
    for (const b of live) expect(disjoint(ptr, op.size, b.ptr, b.layout.size)).toBe(true);
    const tag = (nextTag++ % 255) + 1;
    rig.memory.bytes.fill(tag, ptr, ptr + op.size); // the program writes its data
    live.push({ ptr, layout, tag });
  }
  checkFreeRegions(heap, live);
  return { heap, live };
}

function freeAll(heap: KernelAllocator, live: Live[]): void {
  for (const b of live.reverse()) {
    expect(sameBytes(b.ptr, b.layout.size, b.tag)).toBe(true);
    heap.dealloc(b.ptr, b.layout);
  }
  checkFreeRegions(heap, []);
}

const total = (regions: Array<[number, number]>) => regions.reduce((n, [, s]) => n + s, 0);

describe.each(ALLOCATOR_KINDS)('%s', (kind) => {
  it('live blocks: aligned, inside the heap, disjoint, untouched; free regions disjoint from them', () => {
    fc.assert(fc.property(opsArb, (ops) => void run(kind, ops)), { numRuns: 150 });
  });

  it('after freeing everything: ' + (kind === 'linked-list' ? 'only alignment padding is lost' : 'no memory is lost'), () => {
    fc.assert(
      fc.property(opsArb, (ops) => {
        const { heap, live } = run(kind, ops);
        freeAll(heap, live);
        const free = heap.freeRegions();
        switch (kind) {
          case 'bump':
          case 'linked-list-allocator':
          case 'buddy':
            expect(free).toEqual([[HEAP_AT, HEAP_BYTES]]);
            expect(heap.alloc({ size: HEAP_BYTES, align: 8 })).toBe(HEAP_AT);
            break;
          case 'fixed-size-block': {
            // Every byte is a fallback hole or a block on a list (an 8-byte block costs 16).
            const fsb = heap as FixedSizeBlockAllocator;
            const inLists = BLOCK_SIZES.reduce((n, s, i) => n + normalisedSize(s) * fsb.listBlocks(i).length, 0);
            expect(fsb.fallback.used()).toBe(inLists);
            expect(total(fsb.fallback.holes()) + inLists).toBe(HEAP_BYTES);
            break;
          }
          case 'linked-list':
            // Front gaps of aligned allocations leak; all the rest comes back, unmerged.
            expect(total(free)).toBeLessThanOrEqual(HEAP_BYTES);
            expect(HEAP_BYTES - total(free)).toBeLessThanOrEqual(
              ops.filter((o) => o.kind === 'alloc' && o.align > 8).reduce((n, o) => n + (o.kind === 'alloc' ? o.align : 0), 0),
            );
            break;
        }
      }),
      { numRuns: 150 },
    );
  });
});
