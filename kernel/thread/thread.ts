// thread: the kernel's thread table. Each guest thread has a Thread struct in the kernel's .bss —
// its state, id, the tick it sleeps until, its context block (what a context switch saves: the
// stack pointer and, on this machine, the host thread its stack lives on; cpu/threads.ts), its
// stack and its entry function — so an interrupt handler on any thread sees the same table.
// Slot 0 is the boot thread (kernel_main, which runs the async executor): always runnable, it is
// what the scheduler falls back to when every other thread sleeps, like an idle task.
//
//   +0   state u32        Free 0, Runnable 1, Sleeping 2, Dead 3
//   +4   id u32           0 for the boot thread, then 1, 2, … in spawn order (never reused)
//   +8   wake_tick u64    a sleeping thread is runnable again once the tick count reaches it
//   +16  context [16]     CONTEXT_BYTES: saved RSP, host thread (cpu/threads.ts)
//   +32  stack_top u64
//   +40  entry u64        the thread function's address
//   +48  arg u64
import { CONTEXT_BYTES, load32, load64, store32, store64 } from '../../cpu/isa.js';
import { staticAlloc } from '../statics.js';

/** Slots in the table, the boot thread's included. */
export const MAX_THREADS = 8;
export const THREAD_BYTES = 64;

export const ThreadState = { Free: 0, Runnable: 1, Sleeping: 2, Dead: 3 } as const;
export type ThreadState = (typeof ThreadState)[keyof typeof ThreadState];
export const STATE_NAMES = ['Free', 'Runnable', 'Sleeping', 'Dead'] as const;

const STATE = 0;
const ID = 4;
const WAKE_TICK = 8;
const CONTEXT = 16;
const STACK_TOP = 32;
const ENTRY = 40;
const ARG = 48;

if (CONTEXT + CONTEXT_BYTES > STACK_TOP) throw new Error('thread: the context block does not fit its field');

/** `static THREADS: [Thread; MAX_THREADS]` (zero: every slot Free). */
export const THREADS_AT = staticAlloc('actorpc_kernel::thread::THREADS', MAX_THREADS * THREAD_BYTES, 16);

/** A view of the Thread in slot `slot`. */
export class Thread {
  readonly at: number;
  constructor(readonly slot: number) {
    if (!(slot >= 0 && slot < MAX_THREADS)) throw new RangeError(`thread slot ${slot} out of range (0..${MAX_THREADS - 1})`);
    this.at = THREADS_AT + slot * THREAD_BYTES;
  }

  get state(): ThreadState { return load32(this.at + STATE) as ThreadState; }
  set state(s: ThreadState) { store32(this.at + STATE, s); }
  get id(): number { return load32(this.at + ID); }
  set id(v: number) { store32(this.at + ID, v); }
  get wake_tick(): number { return Number(load64(this.at + WAKE_TICK)); }
  set wake_tick(v: number) { store64(this.at + WAKE_TICK, BigInt(v)); }
  get stack_top(): number { return Number(load64(this.at + STACK_TOP)); }
  set stack_top(v: number) { store64(this.at + STACK_TOP, BigInt(v)); }
  get entry(): number { return Number(load64(this.at + ENTRY)); }
  set entry(v: number) { store64(this.at + ENTRY, BigInt(v)); }
  get arg(): number { return Number(load64(this.at + ARG)); }
  set arg(v: number) { store64(this.at + ARG, BigInt(v)); }

  /** The context block's address (what threadCreate/threadSwitch/threadRelease take). */
  get context(): number { return this.at + CONTEXT; }

  /** Zero the context block (a fresh thread, before threadCreate writes it). */
  clear_context(): void {
    for (let i = 0; i < CONTEXT_BYTES; i += 8) store64(this.context + i, 0n);
  }
}

export function thread(slot: number): Thread {
  return new Thread(slot);
}
