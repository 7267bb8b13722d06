// The #[global_allocator] seen from a guest thread's host thread: that thread loaded the kernel's
// modules itself and never installed an allocator, so its host-side list of linked allocators is
// empty (forgetLinkedAllocators stands in for such a thread). The word in .bss names the kind,
// and the thread allocates through a view on the kind's static — the same heap, the same state.
import { beforeEach, describe, expect, it } from 'vitest';
import { ALLOCATOR, forgetLinkedAllocators, type GlobalAlloc, type Layout } from '../../kernel/allocator/global.js';
import { ALLOCATOR_KINDS, initAllocator, type AllocatorKind } from '../../kernel/allocator/index.js';
import { guestRig } from '../support/guest.js';
import { throwOnPanic } from '../support/kernel-panic.js';

const HEAP_AT = 0x200000;
const L = (size: number, align = 8): Layout => ({ size, align });

beforeEach(() => {
  forgetLinkedAllocators();
});

/** Allocate a few blocks, free one, allocate again; `between` runs after the first allocation. */
function sequence(kind: AllocatorKind, between: () => void): number[] {
  guestRig(4 << 20);
  throwOnPanic();
  initAllocator(kind, HEAP_AT, 100 * 1024);
  const a = ALLOCATOR.alloc(L(24));
  between();
  const b = ALLOCATOR.alloc(L(100));
  ALLOCATOR.dealloc(a, L(24));
  const c = ALLOCATOR.alloc(L(24));
  const d = ALLOCATOR.alloc(L(2000, 64));
  return [a, b, c, d];
}

describe.each(ALLOCATOR_KINDS)('global allocator %s on another host thread', (kind) => {
  it('allocates from the same heap state: the same addresses as the thread that installed it', () => {
    const installer = sequence(kind, () => {});
    const other = sequence(kind, forgetLinkedAllocators);
    expect(other).toEqual(installer);
    expect(other.every((p) => p >= HEAP_AT && p < HEAP_AT + 100 * 1024)).toBe(true);
  });
});

describe('a global allocator the kernel cannot view', () => {
  it('a host-made GlobalAlloc (no kind) installed elsewhere is an error naming the cause', () => {
    guestRig(4 << 20);
    const host: GlobalAlloc = { alloc: () => 0x1234, dealloc: () => {} };
    ALLOCATOR.set(host);
    expect(ALLOCATOR.alloc(L(8))).toBe(0x1234);
    forgetLinkedAllocators();
    expect(() => ALLOCATOR.alloc(L(8))).toThrow(/installed on another host thread and has no view/);
  });
});
