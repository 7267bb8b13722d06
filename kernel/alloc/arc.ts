// alloc::sync::Arc<T>: a reference-counted value shared between the executor and interrupt
// handlers. Arc::new allocates an ArcInner in the heap, laid out as Rc's RcBox:
//
//   inner + 0    strong  usize
//   inner + 8    weak    usize   (1 while any strong reference exists)
//   inner + off  data    T       off = align_up(16, align_of T)
//
// The counts change with `lock cmpxchg` loops on their low dword (counts stay far below 2^32),
// so an interrupt handler cloning or dropping an Arc cannot lose an update made by the code it
// interrupted. The last strong reference drops T (its drop glue), then the implicit weak
// reference, and frees the block. An Arc handle is a JS object holding the data pointer, as
// `Arc::into_raw` gives it; `Arc.from_raw` rebuilds one from that pointer.
import { cmpxchg32, load32 } from '../../cpu/isa.js';
import { alloc_or_oom, dealloc } from '../allocator/global.js';
import { rcbox_layout } from './rc.js';
import { USIZE, type ValueType } from './types.js';

const STRONG = 0;
const WEAK = 8;

/** `fetch_add(delta)` on the count at `at`: the old value. */
function fetch_add(at: number, delta: number): number {
  for (;;) {
    const old = load32(at);
    if (cmpxchg32(at, old, (old + delta) >>> 0) === old) return old;
  }
}

export class Arc<T> {
  private constructor(
    /** The data pointer (`Arc::as_ptr`). */
    readonly ptr: number,
    readonly type: ValueType<T>,
  ) {}

  /** Arc::new(value): strong = 1, weak = 1, the value moved in. */
  static new<T>(type: ValueType<T>, value: T): Arc<T> {
    const { layout, valueOffset } = rcbox_layout(type);
    const inner = alloc_or_oom(layout);
    USIZE.write(inner + STRONG, 1);
    USIZE.write(inner + WEAK, 1);
    type.write(inner + valueOffset, value);
    return new Arc(inner + valueOffset, type);
  }

  /** Arc::from_raw(ptr): take over one strong reference whose data pointer is `ptr`. */
  static from_raw<T>(type: ValueType<T>, ptr: number): Arc<T> {
    return new Arc(ptr, type);
  }

  /** The ArcInner's address (what the allocator handed out). */
  static inner<T>(type: ValueType<T>, ptr: number): number {
    return ptr - rcbox_layout(type).valueOffset;
  }

  static strong_count<T>(arc: Arc<T>): number {
    return USIZE.read(Arc.inner(arc.type, arc.ptr) + STRONG);
  }

  /** arc.clone(): one more strong reference (no allocation). */
  clone(): Arc<T> {
    Arc.increment_strong_count(this.type, this.ptr);
    return new Arc(this.ptr, this.type);
  }

  /** Arc::increment_strong_count(ptr) */
  static increment_strong_count<T>(type: ValueType<T>, ptr: number): void {
    fetch_add(Arc.inner(type, ptr) + STRONG, 1);
  }

  /** drop(arc): the last strong reference drops the value and frees the ArcInner. */
  drop(): void {
    Arc.decrement_strong_count(this.type, this.ptr);
  }

  /** Arc::decrement_strong_count(ptr) */
  static decrement_strong_count<T>(type: ValueType<T>, ptr: number): void {
    const inner = Arc.inner(type, ptr);
    if (fetch_add(inner + STRONG, -1) !== 1) return;
    type.drop?.(ptr);
    if (fetch_add(inner + WEAK, -1) === 1) dealloc(inner, rcbox_layout(type).layout);
  }

  /** `*arc` */
  get(): T {
    return this.type.read(this.ptr);
  }
}
