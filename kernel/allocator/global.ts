// core::alloc for the kernel: Layout, the GlobalAlloc trait, align_up, the #[global_allocator]
// slot and the out-of-memory path. Allocators hand out addresses of simulated memory (virtual
// addresses: the heap pages must be mapped before an allocator writes its first header there).
//
// Pointers are plain numbers: every kernel address fits in 48 bits, which a double holds exactly.
// 0 is the null pointer. A pointer stored in simulated memory is a u64 (store64/load64: one
// `mov` each), so the free lists of every allocator are real 8-byte links in guest memory.
import { load32, load64, load8, store32, store64, store8 } from '../../cpu/isa.js';
import { panic } from '../panic.js';
import { staticAlloc } from '../statics.js';
import { Mutex } from '../sync/spin.js';

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

/** Locked<A> = spin::Mutex<A>: the lock word, then A at this offset (A is 8-aligned). */
export const LOCK_OFFSET = 8;

/** A `static ALLOCATOR: Locked<A>` of `bytes` bytes of state: returns A's address (the lock word is 8 bytes before it). */
export function lockedStatic(name: string, bytes: number): number {
  return staticAlloc(name, LOCK_OFFSET + bytes, 8) + LOCK_OFFSET;
}

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

/** `kernel.allocator: dummy`: post 10's `Dummy` as the global allocator (zero bytes of state). */
export class DummyAllocator implements KernelAllocator {
  readonly kind = 'dummy';
  readonly stateAt = lockedStatic('blog_os::allocator::Dummy', 0);
  readonly locked = new Mutex<unknown>(undefined, this.stateAt - LOCK_OFFSET);
  init(): void {}
  alloc(l: Layout): number {
    return Dummy.alloc(l);
  }
  dealloc(ptr: number, l: Layout): void {
    Dummy.dealloc(ptr, l);
  }
  freeRegions(): Array<[number, number]> {
    return [];
  }
}

/**
 * `#[global_allocator]`: a u32 in .bss naming the installed allocator (0: none yet, the empty
 * heap — so a reset, which zeroes .bss, brings the empty heap back). The allocators themselves
 * are views on their own statics; the host only keeps the list of the ones the kernel linked.
 *
 *   bits 0-15   index + 1 in this host thread's `linked` list
 *   bits 16-23  the allocator's kind (KIND_CODES index + 1; 0 for a host-made GlobalAlloc)
 *
 * The kind is for the other host threads (guest threads, cpu/threads.ts): their `linked` list is
 * empty, so they rebuild a view of the kind's allocator on its static (allocator/index.ts registers
 * how) — the allocator's state is all in memory already.
 */
export const GLOBAL_ALLOCATOR_AT = staticAlloc('blog_os::allocator::GLOBAL_ALLOCATOR', 4, 4);
const linked: GlobalAlloc[] = [];
const KIND_CODES = ['bump', 'linked-list', 'linked-list-allocator', 'fixed-size-block', 'buddy', 'dummy'] as const;
const views = new Map<string, () => KernelAllocator>();
/** Views built on this host thread for an allocator another host thread installed, by word. */
const viewed = new Map<number, GlobalAlloc>();

/** How to view the global allocator of `kind` on a host thread that did not install it (on its default static). */
export function registerAllocatorView(kind: string, view: () => KernelAllocator): void {
  views.set(kind, view);
}

function installed(): GlobalAlloc {
  const word = load32(GLOBAL_ALLOCATOR_AT);
  const n = word & 0xffff;
  if (n === 0) return EMPTY;
  const mine = linked[n - 1];
  if (mine) return mine;
  let v = viewed.get(word);
  if (!v) {
    const kind = KIND_CODES[(word >>> 16) - 1];
    const view = kind && views.get(kind);
    if (!view) throw new Error(`the global allocator was installed on another host thread and has no view (word 0x${word.toString(16)})`);
    v = view();
    viewed.set(word, v);
  }
  return v;
}

/** Forget this host thread's list of linked allocators, as a host thread that never installed one (tests). */
export function forgetLinkedAllocators(): void {
  linked.length = 0;
  viewed.clear();
}

function sameAllocator(a: GlobalAlloc, b: GlobalAlloc): boolean {
  const ka = a as Partial<KernelAllocator>;
  const kb = b as Partial<KernelAllocator>;
  return a === b || (ka.kind !== undefined && ka.kind === kb.kind && ka.stateAt === kb.stateAt);
}

/**
 * `#[global_allocator] static ALLOCATOR`: the allocator Box, Vec and Rc use. initAllocator
 * (allocator/index.ts) sets it once the heap pages are mapped; until then it is the empty heap.
 */
export const ALLOCATOR = {
  get: installed,
  set(a: GlobalAlloc): void {
    let i = linked.findIndex((b) => sameAllocator(a, b));
    if (i < 0) i = linked.push(a) - 1;
    else linked[i] = a;
    const kind = KIND_CODES.indexOf((a as Partial<KernelAllocator>).kind as (typeof KIND_CODES)[number]) + 1;
    store32(GLOBAL_ALLOCATOR_AT, (kind << 16) | (i + 1));
  },
  alloc(l: Layout): number {
    return installed().alloc(l);
  },
  dealloc(ptr: number, l: Layout): void {
    installed().dealloc(ptr, l);
  },
};

// Host objects tied to heap blocks (the generator frames of async fns) are forgotten when the
// heap is initialised: no block of an earlier boot exists any more.
const heapInitHooks: Array<() => void> = [];

export function onHeapInit(f: () => void): void {
  heapInitHooks.push(f);
}

/** Called by initAllocator once a fresh heap is the global allocator's. */
export function heapInitialised(): void {
  for (const f of heapInitHooks) f();
}

/** alloc::alloc::alloc (__rust_alloc): through the global allocator; 0 on failure. */
export function alloc(l: Layout): number {
  return installed().alloc(l);
}

/** alloc::alloc::dealloc (__rust_dealloc). */
export function dealloc(ptr: number, l: Layout): void {
  installed().dealloc(ptr, l);
}

/**
 * alloc::alloc::realloc (__rust_realloc). GlobalAlloc's default: allocate `newSize` bytes with
 * the old alignment, copy min(old, new) bytes, free the old block. 0 on failure (old block kept).
 */
export function realloc(ptr: number, l: Layout, newSize: number): number {
  const a = installed();
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
