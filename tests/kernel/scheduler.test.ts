// The round-robin scheduler's bookkeeping (kernel/thread), on a CPU without guest-thread workers:
// the thread table in .bss, round-robin selection, ticks waking sleepers, sleeps rounded up to
// whole ticks, and spawn's failure when the machine has no host thread to give. Switching between
// threads needs host threads of their own; tests/machine/preemption.test.ts boots that.
import { beforeEach, describe, expect, it } from 'vitest';
import { fn } from '../../cpu/isa.js';
import { BSS_SECTION } from '../../kernel/statics.js';
import * as scheduler from '../../kernel/thread/scheduler.js';
import { stack_bottom, stack_top, THREAD_STACK_SIZE } from '../../kernel/thread/stack.js';
import { MAX_THREADS, thread, THREADS_AT, ThreadState } from '../../kernel/thread/thread.js';
import { guestRig } from '../support/guest.js';
import { throwOnPanic } from '../support/kernel-panic.js';

const MS = 1e6;
const body = scheduler.thread_fn('test::scheduler::body', () => {});

beforeEach(() => {
  guestRig();
  throwOnPanic();
  scheduler.init(10 * MS);
});

describe('the thread table', () => {
  it('lives in the kernel .bss; init makes the boot thread slot 0, runnable, id 0, and frees the rest', () => {
    expect(THREADS_AT).toBeGreaterThanOrEqual(BSS_SECTION.start);
    expect(THREADS_AT + MAX_THREADS * 64).toBeLessThanOrEqual(BSS_SECTION.end);
    expect(thread(0).state).toBe(ThreadState.Runnable);
    expect(scheduler.current_slot()).toBe(0);
    expect(scheduler.current_id()).toBe(0);
    for (let s = 1; s < MAX_THREADS; s++) expect(thread(s).state).toBe(ThreadState.Free);
  });

  it('each slot has a 16 KiB stack with 48 KiB of unmapped guard below it; slots do not overlap', () => {
    expect(stack_top(1) - stack_bottom(1)).toBe(THREAD_STACK_SIZE);
    expect(stack_bottom(2) - stack_top(1)).toBe(48 * 1024);
    expect(stack_top(1) % 16).toBe(0);
  });
});

describe('round robin', () => {
  it('picks the next runnable slot after the current one, wrapping to the boot thread', () => {
    for (const s of [1, 2, 3]) thread(s).state = ThreadState.Runnable;
    expect(scheduler.pick_next(0)).toBe(1);
    expect(scheduler.pick_next(1)).toBe(2);
    expect(scheduler.pick_next(3)).toBe(0);
  });

  it('skips sleeping, dead and free slots', () => {
    thread(1).state = ThreadState.Runnable;
    thread(2).state = ThreadState.Sleeping;
    thread(3).state = ThreadState.Dead;
    thread(5).state = ThreadState.Runnable;
    expect(scheduler.pick_next(1)).toBe(5);
    expect(scheduler.pick_next(5)).toBe(0);
  });

  it('keeps the current thread when it is the only runnable one: yield_now makes no switch', () => {
    expect(scheduler.pick_next(0)).toBe(0);
    scheduler.yield_now();
    expect(scheduler.switches()).toBe(0);
    expect(scheduler.current_slot()).toBe(0);
  });
});

describe('ticks and sleeping', () => {
  it('a sleep lasts whole ticks, rounded up, at least one', () => {
    expect(scheduler.ticks_for_ms(30)).toBe(3);
    expect(scheduler.ticks_for_ms(25)).toBe(3);
    expect(scheduler.ticks_for_ms(1)).toBe(1);
    expect(scheduler.ticks_for_ms(0)).toBe(1);
    scheduler.init(1 * MS);
    expect(scheduler.ticks_for_ms(30)).toBe(30);
  });

  it('a tick counts, and makes a sleeper runnable once the count reaches its wake tick, not before', () => {
    const t = thread(2);
    t.state = ThreadState.Sleeping;
    t.wake_tick = 3;
    scheduler.tick();
    scheduler.tick();
    expect(scheduler.ticks()).toBe(2);
    expect(t.state).toBe(ThreadState.Sleeping);
    scheduler.tick();
    expect(t.state).toBe(ThreadState.Runnable);
  });

  it('a tick leaves dead and free slots alone', () => {
    thread(1).state = ThreadState.Dead;
    scheduler.tick();
    expect(thread(1).state).toBe(ThreadState.Dead);
    expect(thread(2).state).toBe(ThreadState.Free);
  });
});

describe('spawn', () => {
  it('on a machine without guest-thread workers, panics telling to raise cpu.threads, and leaves the slot free', () => {
    expect(() => scheduler.spawn(body, 7)).toThrow(/no host thread is free for a new guest thread.*raise cpu\.threads in the machine YAML/);
    expect(thread(1).state).toBe(ThreadState.Free);
  });

  it('refuses a function not defined with thread_fn (its code could not be found from its address)', () => {
    const plain = fn('test::scheduler::plain', (_arg: number) => {});
    expect(() => scheduler.spawn(plain)).toThrow(/test::scheduler::plain was not defined with thread_fn/);
  });

  it('before init there is no scheduler to spawn into', () => {
    guestRig(); // fresh memory: the scheduler static is zero again
    throwOnPanic();
    expect(() => scheduler.spawn(body)).toThrow(/spawn before thread::init/);
  });
});
