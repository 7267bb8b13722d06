// core::alloc for the kernel: Layout, the GlobalAlloc trait, align_up, the #[global_allocator]
// slot and the out-of-memory path. Allocators hand out addresses of simulated memory (virtual
// addresses: the heap pages must be mapped before an allocator writes its first header there).
//
// Pointers are plain numbers: every kernel address fits in 48 bits, which a double holds exactly.
// 0 is the null pointer. A pointer stored in simulated memory is a u64 (store64/load64: one
// `mov` each), so the free lists of every allocator are real 8-byte links in guest memory.
import { load64, load8, store64, store8 } from '../../cpu/isa.js';
import { Lazy } from '../lazy_static.js';
import { panic } from '../panic.js';
import type { Mutex } from '../sync/spin.js';

/** core::alloc::Layout: a size in bytes and a power-of-two alignment. */
export interface Layout {
  readonly size: number;
  readonly align: number;
}

/** Layout::from_size_align(size, align).unwrap() */
export function layout(size: number, align: number): Layout {
  if (!Number.isInteger(size) || size < 0 || !isPowerOfTwo(align)) {
    return panic(
      'called `Result::unwrap()` on an `Err` value: LayoutError',
      'library/core/src/alloc/layout.rs:0:0',
    );
  }
  return { size, align };
}

export function isPowerOfTwo(n: number): boolean {
  if (!Number.isInteger(n) || n < 1) return false;
  while (n > 1) {
    if (n % 2 !== 0) return false;
    n /= 2;
  }
  return true;
}

/** The blog's align_up: the smallest multiple of `align` (a power of two) ≥ addr. Exact up to 2^53. */
export function align_up(addr: number, align: number): number {
  const rem = addr % align;
  return rem === 0 ? addr : addr - rem + align;
}

/** unsafe trait GlobalAlloc. `alloc` returns 0 (null) when it cannot satisfy the layout. */
export interface GlobalAlloc {
  alloc(layout: Layout): number;
  dealloc(ptr: number, layout: Layout): void;
  /** Optional override; otherwise `realloc` below does the trait's default (alloc, copy, dealloc). */
  realloc?(ptr: number, layout: Layout, newSize: number): number;
}

/** An allocator of this module: a GlobalAlloc whose state can be inspected (tests, debugging). */
export interface KernelAllocator extends GlobalAlloc {
  readonly kind: string;
  /** Address of the allocator's state (its static, in the kernel's data region). */
  readonly stateAt: number;
  /** The spinlock around the state (Locked<A>); allocating while it is held spins forever. */
  readonly locked: Mutex<unknown>;
  /** The free memory as the allocator's own structures describe it: [address, size] pairs. */
  freeRegions(): Array<[number, number]>;
}

// ---- the pointers in simulated memory --------------------------------------------------------

/** Read a u64 field (a usize or a pointer) of a structure in simulated memory. */
export function loadUsize(addr: number): number {
  return Number(load64(addr));
}

/** Write a u64 field (a usize or a pointer). */
export function storeUsize(addr: number, value: number): void {
  store64(addr, BigInt(value));
}

/** core::ptr::copy_nonoverlapping: 8 bytes per instruction (`rep movsq`), then the tail bytewise. */
export function copy_nonoverlapping(src: number, dst: number, count: number): void {
  let i = 0;
  for (; i + 8 <= count; i += 8) store64(dst + i, load64(src + i));
  for (; i < count; i++) store8(dst + i, load8(src + i));
}

// ---- #[global_allocator] -----------------------------------------------------------------------

/**
 * The empty heap (`LockedHeap::empty()`): the global allocator before init_heap. Every request
 * fails, so the first Box panics with the OOM message.
 */
export const EMPTY: GlobalAlloc = {
  alloc: () => 0,
  dealloc: () => panic('invalid deallocation on an empty heap', 'src/allocator.rs:0:0'),
};

/** The blog's teaching-step `Dummy`: alloc returns null, dealloc must never be called. */
export const Dummy: GlobalAlloc = {
  alloc: () => 0,
  dealloc: () => panic('dealloc should be never called', 'src/allocator.rs:28:9'),
};

// The static belongs to one boot: a reset brings back the empty heap.
const SLOT = new Lazy<{ allocator: GlobalAlloc }>(() => ({ allocator: EMPTY }));

/**
 * `#[global_allocator] static ALLOCATOR`: the allocator Box, Vec and Rc use. initAllocator
 * (allocator/index.ts) sets it once the heap pages are mapped; until then it is the empty heap.
 */
export const ALLOCATOR = {
  get(): GlobalAlloc {
    return SLOT.get().allocator;
  },
  set(a: GlobalAlloc): void {
    SLOT.get().allocator = a;
  },
  alloc(l: Layout): number {
    return SLOT.get().allocator.alloc(l);
  },
  dealloc(ptr: number, l: Layout): void {
    SLOT.get().allocator.dealloc(ptr, l);
  },
};

/** alloc::alloc::alloc (__rust_alloc): through the global allocator; 0 on failure. */
export function alloc(l: Layout): number {
  return SLOT.get().allocator.alloc(l);
}

/** alloc::alloc::dealloc (__rust_dealloc). */
export function dealloc(ptr: number, l: Layout): void {
  SLOT.get().allocator.dealloc(ptr, l);
}

/**
 * alloc::alloc::realloc (__rust_realloc). GlobalAlloc's default: allocate `newSize` bytes with
 * the old alignment, copy min(old, new) bytes, free the old block. 0 on failure (old block kept).
 */
export function realloc(ptr: number, l: Layout, newSize: number): number {
  const a = SLOT.get().allocator;
  if (a.realloc) return a.realloc(ptr, l, newSize);
  const fresh = a.alloc({ size: newSize, align: l.align });
  if (fresh !== 0) {
    copy_nonoverlapping(ptr, fresh, Math.min(l.size, newSize));
    a.dealloc(ptr, l);
  }
  return fresh;
}

/**
 * handle_alloc_error: with the blog's `#[alloc_error_handler]` gone, Rust's default OOM path
 * panics with `memory allocation of N bytes failed` (source position: the alloc crate's
 * __rdl_oom; the line number is nominal).
 */
export function handle_alloc_error(l: Layout): never {
  return panic(`memory allocation of ${l.size} bytes failed`, 'library/alloc/src/alloc.rs:435:13');
}

/** Allocate through the global allocator or take the OOM path (what Box::new and RawVec do). */
export function alloc_or_oom(l: Layout): number {
  const ptr = alloc(l);
  return ptr === 0 ? handle_alloc_error(l) : ptr;
}

/** Rust's assert!/assert_eq! failure inside allocator code (a kernel panic). */
export function allocator_assert(cond: boolean, message: string, location: string): void {
  if (!cond) panic(message, location);
}
