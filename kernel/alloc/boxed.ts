// alloc::boxed::Box<T>: a value on the heap. Box::new allocates Layout::new::<T>() from the
// global allocator (out of memory → `memory allocation of N bytes failed`), stores the value's
// bytes there; dropping the box runs T's drop glue and frees the block with the same layout.
// The Box itself (the pointer) is a JS object, as a Box on the Rust stack is a register or a
// stack slot; what it points at is bytes in the simulated heap.
import { alloc_or_oom, dealloc, type Layout } from '../allocator/global.js';
import { I32, U64, USIZE, type ValueType } from './types.js';

export class Box<T> {
  private live = true;

  private constructor(
    private readonly ptr: number,
    readonly type: ValueType<T>,
  ) {}

  /** Layout::new::<T>() */
  static layout<T>(type: ValueType<T>): Layout {
    return { size: type.size, align: type.align };
  }

  /** Box::new(value). A zero-sized T allocates nothing (the pointer is dangling: its alignment). */
  static new<T>(type: ValueType<T>, value: T): Box<T> {
    const ptr = type.size === 0 ? type.align : alloc_or_oom(Box.layout(type));
    type.write(ptr, value);
    return new Box(ptr, type);
  }

  /** Box::new(v) for an i32 (what the literal `41` is). */
  static new_i32(v: number): Box<number> {
    return Box.new(I32, v);
  }

  static new_u64(v: number): Box<number> {
    return Box.new(U64, v);
  }

  static new_usize(v: number): Box<number> {
    return Box.new(USIZE, v);
  }

  /** Box::from_raw: take ownership of a block allocated with Layout::new::<T>(). */
  static from_raw<T>(type: ValueType<T>, ptr: number): Box<T> {
    return new Box(ptr, type);
  }

  /** `*b` */
  get(): T {
    return this.type.read(this.check());
  }

  /** `*b = v` */
  set(v: T): void {
    this.type.write(this.check(), v);
  }

  /** The address `{:p}` prints. */
  as_ptr(): number {
    return this.check();
  }

  /** Box::into_raw / Box::leak: the block is no longer freed by this box. */
  into_raw(): number {
    const ptr = this.check();
    this.live = false;
    return ptr;
  }

  /** drop(b): T's drop glue, then dealloc(ptr, Layout::new::<T>()). */
  drop(): void {
    const ptr = this.check();
    this.live = false;
    this.type.drop?.(ptr);
    if (this.type.size !== 0) dealloc(ptr, Box.layout(this.type));
  }

  private check(): number {
    if (!this.live) throw new Error(`use of a moved or dropped Box<${this.type.name}>`);
    return this.ptr;
  }
}
