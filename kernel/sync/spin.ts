// spin::Mutex: a lock that busy-waits. The lock is a word in simulated memory (spin's
// `lock: AtomicBool`, here a u32: 0 free, 1 held) taken with `lock cmpxchg` and released with a
// store, so it is part of whatever static or heap object holds the Mutex: a machine reset, which
// reloads the kernel's statics, frees it. Each failed attempt executes `pause`, an instruction,
// so machine time moves and interrupts stay deliverable while a CPU spins — which is exactly how
// the blog's print deadlock (an interrupt handler spinning on a lock its own CPU holds) happens.
//
// The protected data `T` is a view (a handle that reads and writes simulated memory) or, for
// function-like values, a host object holding no mutable state.
import { cmpxchg32, load32, pause, store32 } from '../../cpu/isa.js';
import { staticAlloc } from '../statics.js';

let anonymous = 0;

export class Mutex<T> {
  /** The lock word's address. */
  readonly lockAt: number;

  /**
   * `Mutex::new(data)` with its lock word at `lock`: an address, a static's name (one address per
   * name), or nothing for a static Mutex defined once at module level (an anonymous .bss word).
   */
  constructor(private readonly data: T, lock?: number | string) {
    this.lockAt = typeof lock === 'number' ? lock : staticAlloc(lock ?? `spin::Mutex#${anonymous++}`, 4, 4);
  }

  lock(): MutexGuard<T> {
    while (cmpxchg32(this.lockAt, 0, 1) !== 0) {
      while (load32(this.lockAt) !== 0) pause(); // spin on a plain read, as spin's `is_locked` loop
    }
    return new MutexGuard(this, this.data);
  }

  /** `try_lock`: the guard, or undefined when the lock is held. */
  try_lock(): MutexGuard<T> | undefined {
    return cmpxchg32(this.lockAt, 0, 1) === 0 ? new MutexGuard(this, this.data) : undefined;
  }

  /**
   * Run `f` with the lock held; the guard is dropped when it returns. A throw (a panic under
   * panic = abort, a reset, the machine stopping) leaves the lock held, as on the hardware: no
   * guest code runs while the host unwinds.
   */
  with<R>(f: (data: T) => R): R {
    const guard = this.lock();
    const r = f(guard.data);
    guard.drop();
    return r;
  }

  get isLocked(): boolean {
    return load32(this.lockAt) !== 0;
  }

  /** @internal */
  release(): void {
    store32(this.lockAt, 0);
  }
}

export class MutexGuard<T> {
  private live = true;
  constructor(private readonly mutex: Mutex<T>, readonly data: T) {}
  drop(): void {
    if (!this.live) return;
    this.live = false;
    this.mutex.release();
  }
}
