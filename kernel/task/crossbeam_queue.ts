// crossbeam_queue::ArrayQueue<T>: a bounded queue whose slots are allocated once, so pushing never
// allocates — what lets an interrupt handler push. Here the queue is bytes in simulated memory,
// read and written with load/store instructions:
//
//   addr + 0   head  u32   index of the next slot to pop
//   addr + 4   tail  u32   index of the next slot to push
//   addr + 8   slots capacity × element size
//
// head and tail count in [0, 2·capacity): slot = index mod capacity, and the queue holds
// (tail − head) mod 2·capacity elements, so "full" and "empty" are never confused.
//
// The crate is lock-free through compare-and-swap. This CPU has no cmpxchg, and an index update
// here is a load and a store; so each push/pop runs with interrupts off (without_interrupts,
// which leaves them off if they already were — inside an ISR or after sleep_if_idle's `cli`). On
// one CPU that is the same atomicity a `lock cmpxchg` gives: an interrupt handler pushing (a
// waker firing) can never interleave with the interrupted code's own push or pop.
import { load16, load32, load64, load8, store16, store32, store64, store8 } from '../../cpu/isa.js';
import { interrupts } from '../x86_64/instructions.js';

/** How an element is stored in a slot. */
export interface Codec<T> {
  readonly size: 1 | 2 | 4 | 8;
  load(addr: number): T;
  store(addr: number, value: T): void;
}

export const U8: Codec<number> = { size: 1, load: load8, store: store8 };
export const U16: Codec<number> = { size: 2, load: load16, store: store16 };
export const U64: Codec<number> = {
  size: 8,
  load: (addr) => Number(load64(addr)),
  store: (addr, value) => store64(addr, BigInt(value)),
};

const HEAD = 0;
const TAIL = 4;
const SLOTS = 8;

export class ArrayQueue<T> {
  /** Bytes a queue of `capacity` elements of `elementSize` bytes occupies. */
  static bytes(capacity: number, elementSize: number): number {
    return SLOTS + capacity * elementSize;
  }

  /** `ArrayQueue::new(capacity)` at `addr`: an empty queue (head = tail = 0 written to memory). */
  static new<T>(addr: number, capacity: number, codec: Codec<T>): ArrayQueue<T> {
    const q = new ArrayQueue(addr, capacity, codec);
    store32(addr + HEAD, 0);
    store32(addr + TAIL, 0);
    return q;
  }

  /** A view of a queue that already lives at `addr` (nothing is written). */
  constructor(readonly addr: number, private readonly cap: number, private readonly codec: Codec<T>) {
    if (!Number.isInteger(cap) || cap <= 0) throw new Error('capacity must be non-zero');
  }

  capacity(): number {
    return this.cap;
  }

  /** Push to the tail; `false` (the crate's `Err(value)`) when the queue is full. */
  push(value: T): boolean {
    return interrupts.without_interrupts(() => {
      const head = load32(this.addr + HEAD);
      const tail = load32(this.addr + TAIL);
      if (this.count(head, tail) >= this.cap) return false;
      this.codec.store(this.slot(tail), value);
      store32(this.addr + TAIL, (tail + 1) % (2 * this.cap));
      return true;
    });
  }

  /** Pop from the head; undefined (None) when empty. */
  pop(): T | undefined {
    return interrupts.without_interrupts(() => {
      const head = load32(this.addr + HEAD);
      const tail = load32(this.addr + TAIL);
      if (head === tail) return undefined;
      const value = this.codec.load(this.slot(head));
      store32(this.addr + HEAD, (head + 1) % (2 * this.cap));
      return value;
    });
  }

  len(): number {
    return this.count(load32(this.addr + HEAD), load32(this.addr + TAIL));
  }

  is_empty(): boolean {
    return this.len() === 0;
  }

  is_full(): boolean {
    return this.len() === this.cap;
  }

  private count(head: number, tail: number): number {
    return (tail - head + 2 * this.cap) % (2 * this.cap);
  }

  private slot(index: number): number {
    return this.addr + SLOTS + (index % this.cap) * this.codec.size;
  }
}
