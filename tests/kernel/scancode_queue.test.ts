// post 12's task::keyboard (blog-os-behaviour.md §13.4): SCANCODE_QUEUE is a OnceCell over an
// ArrayQueue<u8> of capacity 100 (a .bss static whose 100 slots ArrayQueue::new allocates in the heap), add_scancode's two warnings, and
// ScancodeStream's poll_next (fast path, register, re-check) with one wake per registration.
import { beforeEach, describe, expect, it } from 'vitest';
import { setFeatures } from '../../kernel/features.js';
import { initAllocator } from '../../kernel/allocator/index.js';
import { kernelDataImage } from '../../kernel/statics.js';
import { add_scancode, ScancodeStream, SCANCODE_QUEUE_AT, WAKER_AT } from '../../kernel/task/keyboard.js';
import { PENDING, poll } from '../../kernel/task/mod.js';
import { Context, Waker, type Wake } from '../../kernel/task/waker.js';
import { guestRig, type GuestRig } from '../support/guest.js';
import { throwOnPanic } from '../support/kernel-panic.js';

const UNINITIALIZED = 'WARNING: scancode queue uninitialized';
const FULL = 'WARNING: scancode queue full; dropping keyboard input';

let rig: GuestRig;
beforeEach(() => {
  rig = guestRig(4 << 20); // the kernel's statics are at 0x300000
  setFeatures({ post: 12 });
  throwOnPanic();
  initAllocator('fixed-size-block', HEAP_AT, 100 * 1024); // paging is off: a heap in low RAM
});

const HEAP_AT = 0x100000;

const screen = (r: number) => rig.row(r).replace(/\0/g, ' ').trimEnd();

/** A waker that counts its wakes. */
function countingWaker() {
  const counts = { wakes: 0 };
  const inner: Wake = { wake: () => void counts.wakes++, wake_by_ref: () => void counts.wakes++ };
  return { counts, waker: Waker.from(inner), cx: Context.from_waker(Waker.from(inner)) };
}

/** Everything the stream has now (stops at the first Pending). */
function drain(stream: ScancodeStream, cx: Context): number[] {
  const out: number[] = [];
  for (let b = stream.poll_next(cx); b !== PENDING; b = stream.poll_next(cx)) out.push(b as number);
  return out;
}

describe('add_scancode', () => {
  it('before ScancodeStream::new: prints the uninitialized warning and drops the byte', () => {
    add_scancode(0x1e);
    expect(screen(23)).toBe(UNINITIALIZED);
    expect(screen(24)).toBe('');
  });

  it('one keystroke before initialisation (make + break, two interrupts) warns twice', () => {
    add_scancode(0x1e);
    add_scancode(0x9e);
    expect([screen(22), screen(23)]).toEqual([UNINITIALIZED, UNINITIALIZED]);
  });

  it('queues 100 bytes silently, warns "queue full" for the 101st and drops it', () => {
    const stream = ScancodeStream.new();
    for (let i = 0; i < 100; i++) add_scancode(i);
    expect(screen(23)).toBe('');
    add_scancode(0xaa);
    expect(screen(23)).toBe(FULL);
    const { cx } = countingWaker();
    expect(drain(stream, cx)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('bytes come out in the order they went in, across the ring wrapping many times', () => {
    const stream = ScancodeStream.new();
    const { cx } = countingWaker();
    const out: number[] = [];
    for (let i = 0; i < 450; i++) {
      add_scancode(i & 0xff);
      if (i % 7 === 6) out.push(...drain(stream, cx));
    }
    out.push(...drain(stream, cx));
    expect(out).toEqual(Array.from({ length: 450 }, (_, i) => i & 0xff));
    expect(screen(23)).toBe('');
  });
});

describe('SCANCODE_QUEUE in simulated memory', () => {
  const q = SCANCODE_QUEUE_AT + 8;
  const u64 = (a: number) => Number(rig.memory.read64(a));

  it('the OnceCell state and the queue struct are at SCANCODE_QUEUE_AT; its 1600-byte slot buffer is in the heap', () => {
    expect(rig.memory.read32(SCANCODE_QUEUE_AT)).toBe(0); // uninit: zeroed static
    ScancodeStream.new();
    expect(rig.memory.read32(SCANCODE_QUEUE_AT)).toBe(2); // ready
    add_scancode(0x1e);
    add_scancode(0x9e);
    const buffer = u64(q + 16);
    expect(buffer).toBeGreaterThanOrEqual(HEAP_AT);
    expect(buffer).toBeLessThan(HEAP_AT + 100 * 1024);
    expect([u64(q), u64(q + 8), u64(q + 24), u64(q + 32)]).toEqual([0, 2, 100, 128]); // head, tail, cap, one_lap
    // crossbeam slots: 16 bytes each, stamp then value; a filled slot's stamp is its index + 1
    expect([u64(buffer), rig.memory.bytes[buffer + 8], u64(buffer + 16), rig.memory.bytes[buffer + 24]]).toEqual([1, 0x1e, 2, 0x9e]);
  });

  it('a byte written into a slot by hand (value, stamp, tail) comes out of the stream', () => {
    const stream = ScancodeStream.new();
    const buffer = u64(q + 16);
    rig.memory.bytes[buffer + 8] = 0x42;
    rig.memory.write64(buffer, 1n);
    rig.memory.write64(q + 8, 1n);
    const { cx } = countingWaker();
    expect(stream.poll_next(cx)).toBe(0x42);
  });

  it('a reset (statics reloaded: .bss zeroed, .data copied) finds the queue uninitialised again', () => {
    const stream = ScancodeStream.new();
    expect(stream.poll_next(countingWaker().cx)).toBe(PENDING); // a waker registered in WAKER
    expect(rig.memory.read64(WAKER_AT + 8)).not.toBe(0n);
    // What the bootloader does at the next boot:
    rig.memory.bytes.fill(0, 0x300000, 0x400000);
    for (const [at, bytes] of kernelDataImage()) rig.memory.bytes.set(bytes, at);
    expect(rig.memory.read64(WAKER_AT + 8)).toBe(0n); // no waker: AtomicWaker::new()
    add_scancode(0x1e);
    expect(screen(23)).toBe(UNINITIALIZED);
    expect(() => ScancodeStream.new()).toThrow(/memory allocation of 1600 bytes failed$/); // the heap is gone too
    rig.memory.bytes.fill(0, 0x300000, 0x400000);
    for (const [at, bytes] of kernelDataImage()) rig.memory.bytes.set(bytes, at);
    initAllocator('fixed-size-block', HEAP_AT, 100 * 1024); // the next boot's init_heap
    expect(() => ScancodeStream.new()).not.toThrow();
  });
});

describe('ScancodeStream', () => {
  it('a second ScancodeStream::new panics', () => {
    ScancodeStream.new();
    expect(() => ScancodeStream.new()).toThrow(/panicked at .*\nScancodeStream::new should only be called once: AlreadyInit$/);
  });

  it('poll_next without the queue panics "scancode queue not initialized"', () => {
    const stream = ScancodeStream.new();
    rig.memory.write32(SCANCODE_QUEUE_AT, 0);
    const { cx } = countingWaker();
    expect(() => stream.poll_next(cx)).toThrow(/\nscancode queue not initialized: Uninit$/);
  });

  it('Pending registers the waker; the next push wakes it once (one wake per registration)', () => {
    const stream = ScancodeStream.new();
    const { counts, cx } = countingWaker();
    expect(stream.poll_next(cx)).toBe(PENDING);
    add_scancode(0x1e);
    add_scancode(0x9e);
    expect(counts.wakes).toBe(1);
    expect(drain(stream, cx)).toEqual([0x1e, 0x9e]);
  });

  it('fast path: a byte already queued is Ready without registering the waker', () => {
    const stream = ScancodeStream.new();
    const { counts, cx } = countingWaker();
    add_scancode(0x10);
    expect(stream.poll_next(cx)).toBe(0x10);
    add_scancode(0x11);
    expect(counts.wakes).toBe(0);
  });

  it('re-check: a byte that arrives while the waker is being registered is returned, and the waker taken back', () => {
    const stream = ScancodeStream.new();
    const { counts, waker } = countingWaker();
    // The ISR fires between poll_next's first pop and its registration.
    const racing = { waker: () => (add_scancode(0x2c), waker) } as unknown as Context;
    expect(stream.poll_next(racing)).toBe(0x2c);
    add_scancode(0x2d);
    expect(counts.wakes).toBe(0); // WAKER.take() removed the registration
  });

  it('next() is a future: Pending on an empty queue, then Ready with the byte once one arrives', () => {
    const stream = ScancodeStream.new();
    const { counts, cx } = countingWaker();
    const fut = stream.next();
    expect(poll(fut, cx)).toBe(PENDING);
    add_scancode(0x39);
    expect(counts.wakes).toBe(1);
    expect(poll(fut, cx)).toBe(0x39);
  });
});
