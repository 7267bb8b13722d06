// crossbeam_queue::ArrayQueue<T>: a bounded queue whose slots are allocated once, by
// ArrayQueue::new — so pushing never allocates, which is what lets an interrupt handler push.
// The struct and its slot buffer are bytes in simulated memory:
//
//   q + 0    head     usize   stamp of the next slot to pop  (lap + index)
//   q + 8    tail     usize   stamp of the next slot to push
//   q + 16   buffer   *Slot   Box<[Slot<T>]>, allocated in the heap by new()
//   q + 24   cap      usize
//   q + 32   one_lap  usize   (cap + 1).next_power_of_two()
//
//   slot + 0  stamp   usize   tells whether the slot is free for this lap or holds a value
//   slot + 8  value   T       (T ≤ 8 bytes: a slot is 16 bytes, as crossbeam's Slot<u8>/Slot<u64>)
//
// So ArrayQueue::new(100) allocates 1600 bytes, as the crate's does. The crate's head and tail
// sit in CachePadded cells (128 bytes each on x86_64); here they are plain words (a deviation in
// the struct's size only). The crate is lock-free through compare-and-swap; a push or pop here
// runs with interrupts off (without_interrupts, which leaves them off if they already were —
// inside an ISR or after sleep_if_idle's `cli`): on one CPU that gives the same atomicity, an
// interrupt handler pushing (a waker firing) never interleaves with the interrupted push or pop.
import { load16, load64, load8, store16, store64, store8 } from '../../cpu/isa.js';
import { alloc_or_oom, dealloc, loadUsize, storeUsize, type Layout } from '../allocator/global.js';
import type { ValueType } from '../alloc/types.js';
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
const TAIL = 8;
const BUFFER = 16;
const CAP = 24;
const ONE_LAP = 32;
export const ARRAY_QUEUE_BYTES = 40;
export const SLOT_BYTES = 16;
const STAMP = 0;
const VALUE = 8;

/** An ArrayQueue value before it is placed: its buffer is allocated already (the crate's `new` returns it by value). */
export interface ArrayQueueValue {
  readonly buffer: number;
  readonly cap: number;
}

function next_power_of_two(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** The layout of the slot buffer of a queue of `cap` elements. */
export function buffer_layout(cap: number): Layout {
  return { size: cap * SLOT_BYTES, align: 8 };
}

/** How an ArrayQueue is stored inside another value (an Arc's data, a OnceCell's): drop frees its buffer. */
export const ARRAY_QUEUE: ValueType<ArrayQueueValue> = {
  name: 'ArrayQueue',
  size: ARRAY_QUEUE_BYTES,
  align: 8,
  read: (at) => ({ buffer: loadUsize(at + BUFFER), cap: loadUsize(at + CAP) }),
  write: (at, v) => {
    storeUsize(at + HEAD, 0);
    storeUsize(at + TAIL, 0);
    storeUsize(at + BUFFER, v.buffer);
    storeUsize(at + CAP, v.cap);
    storeUsize(at + ONE_LAP, next_power_of_two(v.cap + 1));
  },
  drop: (at) => dealloc(loadUsize(at + BUFFER), buffer_layout(loadUsize(at + CAP))),
};

export class ArrayQueue<T> {
  /**
   * `ArrayQueue::new(cap)`: allocate the slot buffer (each slot's stamp = its index); the
   * struct is written where the caller moves it (ARRAY_QUEUE.write). Out of memory → the OOM panic.
   */
  static allocate(cap: number): ArrayQueueValue {
    if (!Number.isInteger(cap) || cap <= 0) throw new Error('capacity must be non-zero');
    const buffer = alloc_or_oom(buffer_layout(cap));
    for (let i = 0; i < cap; i++) storeUsize(buffer + i * SLOT_BYTES + STAMP, i);
    return { buffer, cap };
  }

  /** `ArrayQueue::new(cap)` placed at `at`. */
  static new<T>(at: number, cap: number, codec: Codec<T>): ArrayQueue<T> {
    ARRAY_QUEUE.write(at, ArrayQueue.allocate(cap));
    return new ArrayQueue(at, codec);
  }

  /** A view of the queue that lives at `addr` (nothing is written). */
  constructor(readonly addr: number, private readonly codec: Codec<T>) {}

  capacity(): number {
    return loadUsize(this.addr + CAP);
  }

  /** The slot buffer's address. */
  buffer(): number {
    return loadUsize(this.addr + BUFFER);
  }

  /** Push to the tail; `false` (the crate's `Err(value)`) when the queue is full. */
  push(value: T): boolean {
    return interrupts.without_interrupts(() => {
      const q = this.addr;
      const tail = loadUsize(q + TAIL);
      const oneLap = loadUsize(q + ONE_LAP);
      const index = tail % oneLap;
      const slot = loadUsize(q + BUFFER) + index * SLOT_BYTES;
      // A slot is free for this lap when its stamp equals the tail; otherwise it still holds
      // the value pushed one lap ago: the queue is full.
      if (loadUsize(slot + STAMP) !== tail) return false;
      const newTail = index + 1 < loadUsize(q + CAP) ? tail + 1 : tail - index + oneLap;
      storeUsize(q + TAIL, newTail);
      this.codec.store(slot + VALUE, value);
      storeUsize(slot + STAMP, tail + 1);
      return true;
    });
  }

  /** Pop from the head; undefined (None) when empty. */
  pop(): T | undefined {
    return interrupts.without_interrupts(() => {
      const q = this.addr;
      const head = loadUsize(q + HEAD);
      const oneLap = loadUsize(q + ONE_LAP);
      const index = head % oneLap;
      const slot = loadUsize(q + BUFFER) + index * SLOT_BYTES;
      // A slot holds a value for this lap when its stamp is head + 1; else the queue is empty.
      if (loadUsize(slot + STAMP) !== head + 1) return undefined;
      const newHead = index + 1 < loadUsize(q + CAP) ? head + 1 : head - index + oneLap;
      storeUsize(q + HEAD, newHead);
      const value = this.codec.load(slot + VALUE);
      storeUsize(slot + STAMP, head + oneLap);
      return value;
    });
  }

  len(): number {
    const q = this.addr;
    const head = loadUsize(q + HEAD);
    const tail = loadUsize(q + TAIL);
    const oneLap = loadUsize(q + ONE_LAP);
    const cap = loadUsize(q + CAP);
    const hix = head % oneLap;
    const tix = tail % oneLap;
    if (hix < tix) return tix - hix;
    if (hix > tix) return cap - hix + tix;
    return tail === head ? 0 : cap;
  }

  is_empty(): boolean {
    return this.len() === 0;
  }

  is_full(): boolean {
    return this.len() === this.capacity();
  }
}
