// How a halted CPU waits on the host in realtime, until its next deadline or a wake-up (an IRQ
// from another thread, host input, a stop request): time.idle's `poll`, `sleep` or `adaptive`.
// Virtual time never waits on the host (the CPU skips to its next deadline); with no deadline
// left it only sleeps.
import type { MachineClock } from '../bus/clock.js';
import { C_CPU_WAKE } from '../bus/control.js';
import { HaltPollWindow } from './halt-poll.js';

/** A halted CPU (realtime) wakes early by 1.5× the lateness it has seen (within these bounds) and polls the clock for the rest. */
const WAKE_EARLY_MIN_NS = 100_000;
const WAKE_EARLY_MAX_NS = 2_000_000;

export type IdleMode = 'adaptive' | 'sleep' | 'poll';

export class HaltWait {
  /** How late a timed Atomics.wait has been waking (ns, decaying maximum). */
  private sleepLateness = 150_000;
  /** time.idle: adaptive — how long a halt polls before it sleeps. */
  readonly window = new HaltPollWindow();
  private readonly mode: IdleMode;

  constructor(private readonly i32: Int32Array, private readonly clock: MachineClock, mode: IdleMode = 'adaptive') {
    // Polling ends by the host clock; in virtual time (no deadline left) the CPU only sleeps.
    this.mode = clock.mode === 'realtime' ? mode : 'sleep';
  }

  /** Host time spent waiting here (ms): the CPU thread's idle share, for --stats. */
  waitedMs = 0;

  /** Wait until `next` (machine ns; Infinity: none) or until the wake word moves off `seen`. */
  wait(seen: number, now: number, next: number): void {
    const started = performance.now();
    this.waitFor(seen, now, next);
    this.waitedMs += performance.now() - started;
  }

  private waitFor(seen: number, now: number, next: number): void {
    const i32 = this.i32;
    const mode = this.mode;
    const early = Math.min(WAKE_EARLY_MAX_NS, this.sleepLateness * 1.5 + WAKE_EARLY_MIN_NS);
    if (mode === 'poll') {
      // Halt polling: spin on the wake word (≤ 1 ms a round, then look for work again).
      const until = Math.min(next, now + 1_000_000);
      while (this.clock.now() < until && Atomics.load(i32, C_CPU_WAKE) === seen);
    } else if (next - now > early) {
      // Adaptive: poll the wake word for the learned window first (never past the sleep's end).
      const until = now + (mode === 'adaptive' ? Math.min(this.window.ns, next - early - now) : 0);
      while (this.clock.now() < until && Atomics.load(i32, C_CPU_WAKE) === seen);
      if (Atomics.load(i32, C_CPU_WAKE) !== seen) {
        if (mode === 'adaptive') this.window.update(this.clock.now() - now, true);
      } else {
        // Atomics.wait's timeout fires late (70 µs to several hundred here, more for longer sleeps):
        // sleep until `early` before the deadline, learning how late wake-ups run…
        const target = next === Infinity ? now + 1e9 : next - early;
        const r = Atomics.wait(i32, C_CPU_WAKE, seen, (target - now) / 1e6);
        if (r === 'timed-out') this.sleepLateness = Math.max(this.sleepLateness * 0.9, this.clock.now() - target);
        if (mode === 'adaptive') this.window.update(this.clock.now() - now, r !== 'timed-out');
      }
    } else {
      // …then poll the clock (and the wake word) for the last stretch, so the deadline is on time.
      while (this.clock.now() < next && Atomics.load(i32, C_CPU_WAKE) === seen);
    }
  }
}
