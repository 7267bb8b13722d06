// alloc::rc::Rc<T>: a reference-counted value. Rc::new allocates an RcBox in the heap:
//
//   rcbox + 0    strong  usize
//   rcbox + 8    weak    usize   (1 while any strong reference exists: the strong ones' shared weak)
//   rcbox + off  value   T       off = align_up(16, align_of T)
//
// clone increments `strong` in memory; dropping an Rc decrements it, and the last one drops
// the value (its drop glue: a Vec frees its buffer), then releases the implicit weak reference
// and frees the RcBox when `weak` reaches 0.
import { align_up, alloc_or_oom, dealloc, type Layout } from '../allocator/global.js';
import { USIZE, type ValueType } from './types.js';

const STRONG = 0;
const WEAK = 8;

/** Layout of RcBox<T> and the value's offset in it. */
export function rcbox_layout<T>(type: ValueType<T>): { layout: Layout; valueOffset: number } {
  const align = Math.max(8, type.align);
  const valueOffset = align_up(16, type.align);
  return { layout: { size: align_up(valueOffset + type.size, align), align }, valueOffset };
}

export class Rc<T> {
  private live = true;

  private constructor(
    private readonly rcbox: number,
    readonly type: ValueType<T>,
  ) {}

  /** Rc::new(value): strong = 1, weak = 1, the value moved in. */
  static new<T>(type: ValueType<T>, value: T): Rc<T> {
    const { layout, valueOffset } = rcbox_layout(type);
    const rcbox = alloc_or_oom(layout);
    USIZE.write(rcbox + STRONG, 1);
    USIZE.write(rcbox + WEAK, 1);
    type.write(rcbox + valueOffset, value);
    return new Rc(rcbox, type);
  }

  /** Rc::strong_count(&rc) */
  static strong_count<T>(rc: Rc<T>): number {
    return USIZE.read(rc.check() + STRONG);
  }

  /** Rc::weak_count(&rc): the weak references, without the implicit one. */
  static weak_count<T>(rc: Rc<T>): number {
    return USIZE.read(rc.check() + WEAK) - 1;
  }

  /** Rc::ptr_eq */
  static ptr_eq<T>(a: Rc<T>, b: Rc<T>): boolean {
    return a.check() === b.check();
  }

  /** rc.clone(): one more strong reference to the same RcBox. */
  clone(): Rc<T> {
    const rcbox = this.check();
    USIZE.write(rcbox + STRONG, USIZE.read(rcbox + STRONG) + 1);
    return new Rc(rcbox, this.type);
  }

  /** `&*rc` (for a Vec: a view sharing the buffer). */
  get(): T {
    return this.type.read(this.as_ptr());
  }

  /** Rc::as_ptr: the value's address. */
  as_ptr(): number {
    return this.check() + rcbox_layout(this.type).valueOffset;
  }

  /** The RcBox's address (what the allocator handed out). */
  rcbox_ptr(): number {
    return this.check();
  }

  /** drop(rc) */
  drop(): void {
    const rcbox = this.check();
    this.live = false;
    const strong = USIZE.read(rcbox + STRONG) - 1;
    USIZE.write(rcbox + STRONG, strong);
    if (strong !== 0) return;
    const { layout, valueOffset } = rcbox_layout(this.type);
    this.type.drop?.(rcbox + valueOffset);
    const weak = USIZE.read(rcbox + WEAK) - 1;
    USIZE.write(rcbox + WEAK, weak);
    if (weak === 0) dealloc(rcbox, layout);
  }

  private check(): number {
    if (!this.live) throw new Error(`use of a moved or dropped Rc<${this.type.name}>`);
    return this.rcbox;
  }
}
