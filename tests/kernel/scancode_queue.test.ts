// post 12's task::keyboard (blog-os-behaviour.md §13.4): SCANCODE_QUEUE is a OnceCell over an
// ArrayQueue<u8> of capacity 100 in simulated memory, add_scancode's two warnings, and
// ScancodeStream's poll_next (fast path, register, re-check) with one wake per registration.
import { beforeEach, describe, expect, it } from 'vitest';
import { setFeatures } from '../../kernel/features.js';
import { resetStatics } from '../../kernel/lazy_static.js';
import { add_scancode, ScancodeStream, SCANCODE_QUEUE_AT } from '../../kernel/task/keyboard.js';
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
});

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
  it('the OnceCell state and the queue (head, tail, byte cells) are bytes at SCANCODE_QUEUE_AT', () => {
    expect(rig.memory.read32(SCANCODE_QUEUE_AT)).toBe(0); // uninit: zeroed static
    ScancodeStream.new();
    expect(rig.memory.read32(SCANCODE_QUEUE_AT)).toBe(2); // ready
    add_scancode(0x1e);
    add_scancode(0x9e);
    const q = SCANCODE_QUEUE_AT + 8;
    expect([rig.memory.read32(q), rig.memory.read32(q + 4)]).toEqual([0, 2]);
    expect([...rig.memory.bytes.subarray(q + 8, q + 10)]).toEqual([0x1e, 0x9e]);
  });

  it('a byte written into the ring by hand comes out of the stream', () => {
    const stream = ScancodeStream.new();
    const q = SCANCODE_QUEUE_AT + 8;
    rig.memory.bytes[q + 8] = 0x42;
    rig.memory.write32(q + 4, 1);
    const { cx } = countingWaker();
    expect(stream.poll_next(cx)).toBe(0x42);
  });

  it('a reset (statics zeroed, lazy statics forgotten) finds the queue uninitialised again', () => {
    ScancodeStream.new();
    rig.memory.bytes.fill(0, SCANCODE_QUEUE_AT, SCANCODE_QUEUE_AT + 16);
    resetStatics();
    add_scancode(0x1e);
    expect(screen(23)).toBe(UNINITIALIZED);
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
