// alloc::vec::Vec<T>: { ptr, cap, len } with the buffer in the simulated heap. Growth follows
// RawVec::grow_amortized: new capacity = max(2·cap, len + additional, MIN_NON_ZERO_CAP), where
// MIN_NON_ZERO_CAP is 8 for 1-byte elements, 4 for elements up to 1024 bytes, 1 otherwise.
// A first allocation is `alloc`; every later growth is `realloc`, which for the blog's
// allocators is GlobalAlloc's default: allocate the new block, copy, free the old one. That
// sequence is what puts post 10's `vec at 0x444444440800`.
//
// The Vec struct itself is a JS object (the Rust one sits on the stack); inside another heap
// value (Rc<Vec<T>>) it is three usize fields — ptr, cap, len — see Vec.type().
import { alloc, dealloc, handle_alloc_error, realloc, type Layout } from '../allocator/global.js';
import { panic } from '../panic.js';
import { USIZE, type ValueType } from './types.js';

const ISIZE_MAX = 2 ** 63 - 1;

export class Vec<T> {
  private live = true;

  private constructor(
    readonly type: ValueType<T>,
    private ptr: number,
    private cap: number,
    private length: number,
  ) {}

  /** Vec::new(): no allocation; the pointer is dangling (the element alignment). */
  static new<T>(type: ValueType<T>): Vec<T> {
    return new Vec(type, type.align, type.size === 0 ? Number.MAX_SAFE_INTEGER : 0, 0);
  }

  /** Vec::with_capacity(n): exactly n slots. */
  static with_capacity<T>(type: ValueType<T>, n: number): Vec<T> {
    const v = Vec.new(type);
    if (n > 0 && type.size > 0) v.setBuffer(n);
    return v;
  }

  /** vec![a, b, c]: a boxed slice of exactly that many elements turned into a Vec. */
  static from<T>(type: ValueType<T>, values: readonly T[]): Vec<T> {
    const v = Vec.with_capacity(type, values.length);
    for (const x of values) v.push(x);
    return v;
  }

  /** RawVec's MIN_NON_ZERO_CAP for this element size. */
  static min_non_zero_cap(elementSize: number): number {
    return elementSize === 1 ? 8 : elementSize <= 1024 ? 4 : 1;
  }

  /**
   * How a Vec<T> is stored inside another heap value: ptr, cap, len (3 × usize). Reading gives a
   * Vec that shares the buffer (a `&Vec<T>`: do not grow it); drop frees the buffer.
   */
  static type<T>(element: ValueType<T>): ValueType<Vec<T>> {
    return {
      name: `Vec<${element.name}>`,
      size: 24,
      align: 8,
      read: (addr) => new Vec(element, USIZE.read(addr), USIZE.read(addr + 8), USIZE.read(addr + 16)),
      write: (addr, v) => {
        USIZE.write(addr, v.ptr);
        USIZE.write(addr + 8, v.cap);
        USIZE.write(addr + 16, v.length);
        v.live = false; // moved into memory
      },
      drop: (addr) => Vec.type(element).read(addr).drop(),
    };
  }

  len(): number {
    this.check();
    return this.length;
  }

  capacity(): number {
    this.check();
    return this.cap;
  }

  is_empty(): boolean {
    return this.len() === 0;
  }

  /** The buffer's address (`{:p}` of `vec.as_slice()`). */
  as_ptr(): number {
    this.check();
    return this.ptr;
  }

  push(value: T): void {
    this.check();
    if (this.length === this.cap) this.grow_amortized(this.length, 1);
    this.type.write(this.ptr + this.length * this.type.size, value);
    this.length++;
  }

  pop(): T | undefined {
    this.check();
    if (this.length === 0) return undefined;
    this.length--;
    return this.type.read(this.ptr + this.length * this.type.size);
  }

  /** `v[i]`, with Rust's bounds-check panic. */
  get(i: number): T {
    return this.type.read(this.slot(i));
  }

  set(i: number, value: T): void {
    this.type.write(this.slot(i), value);
  }

  /** `for x in v.iter()` */
  *iter(): Generator<T, void, undefined> {
    this.check();
    for (let i = 0; i < this.length; i++) yield this.type.read(this.ptr + i * this.type.size);
  }

  /** `v.iter().sum::<T>()` for numeric elements. */
  sum(this: Vec<number>): number {
    this.check();
    let total = 0;
    for (let i = 0; i < this.length; i++) total += this.type.read(this.ptr + i * this.type.size);
    return total;
  }

  /** Drop every element, then free the buffer (if one was allocated). */
  drop(): void {
    this.check();
    this.live = false;
    const { size, drop } = this.type;
    if (drop) for (let i = 0; i < this.length; i++) drop(this.ptr + i * size);
    if (this.cap > 0 && size > 0) dealloc(this.ptr, this.layoutFor(this.cap));
  }

  private layoutFor(cap: number): Layout {
    return { size: cap * this.type.size, align: this.type.align };
  }

  private grow_amortized(len: number, additional: number): void {
    const required = len + additional;
    const cap = Math.max(this.cap * 2, required, Vec.min_non_zero_cap(this.type.size));
    this.setBuffer(cap);
  }

  /** finish_grow: alloc the first buffer, realloc after that; OOM → handle_alloc_error. */
  private setBuffer(cap: number): void {
    const newLayout = this.layoutFor(cap);
    if (newLayout.size > ISIZE_MAX) panic('capacity overflow', 'library/alloc/src/raw_vec.rs:25:5');
    const ptr = this.cap === 0 ? alloc(newLayout) : realloc(this.ptr, this.layoutFor(this.cap), newLayout.size);
    if (ptr === 0) handle_alloc_error(newLayout);
    this.ptr = ptr;
    this.cap = cap;
  }

  private slot(i: number): number {
    this.check();
    if (!Number.isInteger(i) || i < 0 || i >= this.length) {
      panic(`index out of bounds: the len is ${this.length} but the index is ${i}`, 'src/main.rs:0:0');
    }
    return this.ptr + i * this.type.size;
  }

  private check(): void {
    if (!this.live) throw new Error(`use of a moved or dropped Vec<${this.type.name}>`);
  }
}
