// lazy_static!: a static initialised on first use, through spin::Once. Its state word lives in
// the kernel's .bss (0 incomplete, 1 running, 2 complete), so a machine reset — which reloads the
// kernel's statics — makes every Lazy uninitialised again, as reloading the image does on
// hardware. The value is whatever `init` builds: a view on simulated memory (the Writer, the IDT,
// a Mutex whose lock word is a static) or a host handle without state of its own. The host keeps
// it only as a cache of that view, valid while the state word says complete.
import { load32, pause, store32 } from '../cpu/isa.js';
import { staticAlloc } from './statics.js';

const INCOMPLETE = 0;
const RUNNING = 1;
const COMPLETE = 2;

let anonymous = 0;

export class Lazy<T> {
  /** Address of the Once state word. */
  readonly stateAt: number;
  private value: T | undefined;

  constructor(private readonly init: () => T, name?: string) {
    this.stateAt = staticAlloc(name ?? `lazy_static#${anonymous++}`, 4, 4);
  }

  get(): T {
    let state = load32(this.stateAt);
    if (state === COMPLETE) return this.value as T;
    if (state === INCOMPLETE) {
      store32(this.stateAt, RUNNING);
      this.value = this.init();
      store32(this.stateAt, COMPLETE);
      return this.value;
    }
    // RUNNING: another user (the code this interrupt or panic interrupted) is initialising it;
    // spin::Once waits for it — for ever, on one CPU (blog-os-behaviour.md §15 item 15).
    while ((state = load32(this.stateAt)) === RUNNING) pause();
    return this.get();
  }
}
