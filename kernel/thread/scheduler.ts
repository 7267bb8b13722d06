// The scheduler: round robin over the thread table, preempting on the timer.
//
// One CPU, so the scheduler's state (the table, the current slot, the tick count) is guarded by
// turning interrupts off rather than by a lock: every function here that changes it runs with
// IF = 0 — the timer handler because it is an interrupt gate, the rest inside without_interrupts.
// A switch therefore always happens with interrupts off, and whoever is switched to turns them
// back on the way it left: returning from its own timer interrupt (iretq restores its RFLAGS),
// leaving without_interrupts, or — a thread's first run — thread_start's `sti`.
//
//   tick()       the timer interrupt: count it, make runnable every sleeper whose tick has come
//   schedule()   switch to the next runnable thread after the current one, cyclically
//   spawn()      take a free slot and a host thread, Runnable; it first runs at a later switch
//   sleep_ms()   Sleeping until the tick count reaches now + ⌈ms / tick⌉, then switch away
//   yield_now()  switch away, staying runnable
//   idle()       the boot thread with nothing to do: another runnable thread first, else sti; hlt
//   exit()       Dead, switch away for good; the thread switched to reaps it (finish_switch)
import { cli, type GuestFn, fn, hlt, load32, load64, sti, store32, store64, threadCreate, threadRelease, threadSwitch } from '../../cpu/isa.js';
import { hlt_loop, vgaPanicHandler } from '../lib.js';
import { panic, setPanicHandler } from '../panic.js';
import { staticAlloc } from '../statics.js';
import { interrupts } from '../x86_64/instructions.js';
import { stack_top } from './stack.js';
import { MAX_THREADS, thread, ThreadState } from './thread.js';

// `static SCHEDULER`:
//   +0  current u32     the running thread's slot
//   +4  next_id u32
//   +8  ticks u64       timer interrupts since init
//   +16 switches u64    context switches made
//   +24 reap u32        slot + 1 of a thread that exited and whose host thread is still to give back
//   +28 tick_ns u32     the timer's period (a sleep is rounded up to whole ticks)
//   +32 ready u32       1 once init ran
const SCHEDULER_AT = staticAlloc('actorpc_kernel::thread::SCHEDULER', 40, 8);
const CURRENT = 0;
const NEXT_ID = 4;
const TICKS = 8;
const SWITCHES = 16;
const REAP = 24;
const TICK_NS = 28;
const READY = 32;

/**
 * The panic handler of a kernel with threads: print the message, then stop — with interrupts off,
 * as Linux's panic() turns them off first. The blog's hlt_loop keeps them on, and here the next
 * tick would switch to another thread and the kernel would carry on past the panic.
 */
export const thread_panic_handler = vgaPanicHandler((): never => {
  cli();
  return hlt_loop();
});

/** A thread's body: `fn(arg)`; returning from it ends the thread (thread_start calls exit). */
export type ThreadFn = GuestFn<[number], void>;

// Function code is not data: a thread's entry is stored as its address, and the code behind each
// address is looked up here (every host thread defines the same functions at the same addresses,
// as every host thread loads the same kernel).
const thread_fns = new Map<number, ThreadFn>();

/** Define a function threads can run (`spawn(f, arg)`). */
export function thread_fn(name: string, body: (arg: number) => void): ThreadFn {
  const f = fn(name, body);
  thread_fns.set(f.addr, f);
  return f;
}

/** The boot thread becomes thread 0; ticks of `tick_ns` each. Interrupts off. */
export function init(tick_ns: number): void {
  for (let slot = 0; slot < MAX_THREADS; slot++) thread(slot).state = ThreadState.Free;
  const boot = thread(0);
  boot.state = ThreadState.Runnable;
  boot.id = 0;
  boot.clear_context(); // the first switch away saves the boot thread's RSP here
  store32(SCHEDULER_AT + CURRENT, 0);
  store32(SCHEDULER_AT + NEXT_ID, 1);
  store64(SCHEDULER_AT + TICKS, 0n);
  store64(SCHEDULER_AT + SWITCHES, 0n);
  store32(SCHEDULER_AT + REAP, 0);
  store32(SCHEDULER_AT + TICK_NS, tick_ns);
  store32(SCHEDULER_AT + READY, 1);
}

export function current_slot(): number {
  return load32(SCHEDULER_AT + CURRENT);
}

/** The running thread's id. */
export function current_id(): number {
  return thread(current_slot()).id;
}

export function ticks(): number {
  return Number(load64(SCHEDULER_AT + TICKS));
}

export function switches(): number {
  return Number(load64(SCHEDULER_AT + SWITCHES));
}

export function tick_ns(): number {
  return load32(SCHEDULER_AT + TICK_NS);
}

/** Timer ticks a sleep of `ms` lasts: rounded up, at least one. */
export function ticks_for_ms(ms: number): number {
  return Math.max(1, Math.ceil((ms * 1e6) / tick_ns()));
}

/** Round robin: the first runnable slot after `from`, cyclically; `from` itself if no other is. */
export function pick_next(from: number): number {
  for (let k = 1; k <= MAX_THREADS; k++) {
    const slot = (from + k) % MAX_THREADS;
    if (thread(slot).state === ThreadState.Runnable) return slot;
  }
  return from;
}

/** The timer interrupt's part: one more tick; every sleeper whose tick has come is runnable again. */
export function tick(): void {
  const now = ticks() + 1;
  store64(SCHEDULER_AT + TICKS, BigInt(now));
  for (let slot = 1; slot < MAX_THREADS; slot++) {
    const t = thread(slot);
    if (t.state === ThreadState.Sleeping && t.wake_tick <= now) t.state = ThreadState.Runnable;
  }
}

/**
 * Linux's finish_task_switch: the first thing a thread does once switched to. If the thread it
 * was switched from had exited, nothing runs on that thread's stack any more: give its host
 * thread back and free the slot.
 */
function finish_switch(): void {
  const reap = load32(SCHEDULER_AT + REAP);
  if (reap === 0) return;
  store32(SCHEDULER_AT + REAP, 0);
  const dead = thread(reap - 1);
  threadRelease(dead.context);
  dead.state = ThreadState.Free;
}

/** Switch from the current thread to slot `next` (interrupts off); returns when switched back. */
function switch_to(next: number): void {
  const prev = current_slot();
  if (next === prev) return;
  store32(SCHEDULER_AT + CURRENT, next);
  store64(SCHEDULER_AT + SWITCHES, BigInt(switches() + 1));
  threadSwitch(thread(prev).context, thread(next).context);
  finish_switch();
}

/** Give the CPU to the next runnable thread (interrupts must be off: the timer handler, or a voluntary switch). */
export function schedule(): void {
  if (load32(SCHEDULER_AT + READY) !== 1) return;
  switch_to(pick_next(current_slot()));
}

/** Let the other runnable threads run first; this one stays runnable. */
export function yield_now(): void {
  interrupts.without_interrupts(schedule);
}

/**
 * The boot thread has nothing to do (its executor's queue is empty; call with interrupts off): if
 * another thread can run, it gets the CPU now and the boot thread, still runnable, comes back in
 * its turn; only when no one else can run does the CPU `sti; hlt` until the next interrupt — an
 * idle task runs only when nothing else is runnable. Returns with interrupts on.
 */
export function idle(): void {
  const slot = current_slot();
  if (load32(SCHEDULER_AT + READY) === 1 && pick_next(slot) !== slot) {
    schedule();
    sti();
    return;
  }
  sti(); // sti; hlt back to back: an interrupt pending now ends the hlt instead of slipping in between
  hlt();
}

/**
 * Sleep for at least `ms` (in whole timer ticks). The boot thread never leaves the run queue —
 * the scheduler falls back to it — so it waits in `hlt` instead, still runnable.
 */
export function sleep_ms(ms: number): void {
  const n = ticks_for_ms(ms);
  interrupts.without_interrupts(() => {
    const wake = ticks() + n;
    const slot = current_slot();
    if (slot === 0) {
      while (ticks() < wake) {
        sti(); // sti; hlt: the tick that ends the wait cannot slip in between
        hlt();
        interrupts.disable();
      }
      return;
    }
    const me = thread(slot);
    me.wake_tick = wake;
    me.state = ThreadState.Sleeping;
    schedule();
  });
}

/** End the running thread: Dead, and switch away for good. */
export function exit(): never {
  interrupts.disable();
  const slot = current_slot();
  if (slot === 0) return panic('the boot thread cannot exit', 'src/thread/scheduler.rs:190:26');
  thread(slot).state = ThreadState.Dead;
  store32(SCHEDULER_AT + REAP, slot + 1);
  schedule();
  return panic('a dead thread was switched to', 'src/thread/scheduler.rs:194:10');
}

/**
 * Every thread's first code, on its own stack and host thread (ret_from_fork + schedule_tail):
 * the switch that got here was made with interrupts off, so finish it — reap a thread that has
 * just exited — and turn interrupts on; then run the thread's function, and exit when it returns.
 */
const thread_start = fn('actorpc_kernel::thread::thread_start', (slot: number): never => {
  setPanicHandler(thread_panic_handler); // host-side state: this host thread's own, as kernel_main's
  finish_switch();
  sti();
  const me = thread(slot);
  const body = thread_fns.get(me.entry);
  if (!body) return panic(`no thread function at 0x${me.entry.toString(16)}`, 'src/thread/scheduler.rs:208:21');
  body(me.arg);
  return exit();
});

/** Start a thread running `f(arg)`; it first runs when the scheduler picks it. Returns its id. */
export function spawn(f: ThreadFn, arg = 0): number {
  if (!thread_fns.has(f.addr)) return panic(`spawn: ${f.symbol.name} was not defined with thread_fn`, 'src/thread/scheduler.rs:215:39');
  return interrupts.without_interrupts(() => {
    if (load32(SCHEDULER_AT + READY) !== 1) return panic('spawn before thread::init', 'src/thread/scheduler.rs:217:52');
    let slot = 1;
    while (slot < MAX_THREADS && thread(slot).state !== ThreadState.Free) slot++;
    if (slot === MAX_THREADS) return panic(`spawn: all ${MAX_THREADS} thread slots are in use`, 'src/thread/scheduler.rs:220:38');
    const t = thread(slot);
    t.clear_context();
    t.entry = f.addr;
    t.arg = arg;
    t.stack_top = stack_top(slot);
    t.wake_tick = 0;
    if (!threadCreate(t.context, thread_start, slot, t.stack_top)) {
      return panic(
        'spawn: no host thread is free for a new guest thread: each guest thread runs on a host thread of its own; raise cpu.threads in the machine YAML (e.g. cpu: { threads: 4 })',
        'src/thread/scheduler.rs:228:14',
      );
    }
    const id = load32(SCHEDULER_AT + NEXT_ID);
    store32(SCHEDULER_AT + NEXT_ID, id + 1);
    t.id = id;
    t.state = ThreadState.Runnable;
    return id;
  });
}
