// lazy_static!: a static initialised on first use, through spin::Once. Its state word lives in
// the kernel's .bss (0 incomplete, 1 running, 2 complete), so a machine reset — which reloads the
// kernel's statics — makes every Lazy uninitialised again, as reloading the image does on
// hardware. The value is whatever `init` builds: a view on simulated memory (the Writer, the IDT,
// a Mutex whose lock word is a static) or a host handle without state of its own. The host keeps
// it only as a cache of that view, valid while the state word says complete.
//
// Guest threads run on host threads of their own (cpu/threads.ts), and each host thread loads the
// kernel's modules itself: a Lazy initialised on the boot thread reads COMPLETE on another one,
// whose cache is empty. `view` rebuilds the handle there from memory alone (no store: the value
// is already in memory, and another thread may be using it); a Lazy without one cannot be used
// on a second host thread, and says so.
import { load32, pause, store32 } from '../cpu/isa.js';
import { staticAlloc } from './statics.js';

const INCOMPLETE = 0;
const RUNNING = 1;
const COMPLETE = 2;

let anonymous = 0;

export class Lazy<T> {
  /** Address of the Once state word. */
  readonly stateAt: number;
  readonly name: string;
  private value: T | undefined;
  /** Whether `value` holds a handle built on this host thread (by init or view). */
  private cached = false;

  /**
   * @param init builds the value (writing whatever memory it needs), on first use
   * @param name the static's symbol (an anonymous .bss word otherwise)
   * @param view rebuilds the handle on this host thread from memory already initialised, writing nothing
   */
  constructor(private readonly init: () => T, name?: string, private readonly view?: () => T) {
    this.name = name ?? `lazy_static#${anonymous++}`;
    this.stateAt = staticAlloc(this.name, 4, 4);
  }

  get(): T {
    let state = load32(this.stateAt);
    if (state === COMPLETE) {
      if (this.cached) return this.value as T;
      // Initialised by another host thread (or before this host thread loaded the module).
      if (!this.view) throw new Error(`Lazy ${this.name} was initialised on another host thread and has no view (give it one: new Lazy(init, name, view))`);
      this.value = this.view();
      this.cached = true;
      return this.value;
    }
    if (state === INCOMPLETE) {
      store32(this.stateAt, RUNNING);
      this.value = this.init();
      this.cached = true;
      store32(this.stateAt, COMPLETE);
      return this.value;
    }
    // RUNNING: another user (the code this interrupt or panic interrupted) is initialising it;
    // spin::Once waits for it — for ever, on one CPU (blog-os-behaviour.md §15 item 15).
    while ((state = load32(this.stateAt)) === RUNNING) pause();
    return this.get();
  }
}
