// spin::Mutex: a lock that busy-waits. Each failed attempt executes `pause`, an instruction, so
// machine time moves and interrupts stay deliverable while a CPU spins — which is exactly how
// the blog's print deadlock (an interrupt handler spinning on a lock its own CPU holds) happens.
import { pause } from '../../cpu/isa.js';

export class Mutex<T> {
  private locked = false;

  constructor(private readonly data: T) {}

  lock(): MutexGuard<T> {
    while (this.locked) pause();
    this.locked = true;
    return new MutexGuard(this, this.data);
  }

  /** Run `f` with the lock held; the guard is dropped when it returns (or throws). */
  with<R>(f: (data: T) => R): R {
    const guard = this.lock();
    try {
      return f(guard.data);
    } finally {
      guard.drop();
    }
  }

  get isLocked(): boolean { return this.locked; }

  /** @internal */
  release(): void { this.locked = false; }
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
