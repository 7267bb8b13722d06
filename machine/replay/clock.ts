// The machine clock as the monitor and record/replay see it: every read the machine takes is
// counted (the count is where recorded events are keyed), in realtime it can be paused while the
// monitor holds the CPU, and with record/replay a realtime read is logged, or taken from the log.
// The wrapper forwards every other member of the clock it wraps (charge, skipTo, costs, …).
import type { MachineClock } from '../../bus/clock.js';

/** Where a recorded realtime read goes / a replayed one comes from. */
export interface ReadLog {
  /** Record: the value read. */
  put?(value: number): void;
  /** Replay: the value of read number `index` (0-based); throws when the recording has no more. */
  take?(index: number): number;
}

export interface SessionClock extends MachineClock {
  /** Reads the machine has taken. */
  readonly reads: number;
  /** The last value read (no new read: for event stamps outside the machine's own reads). */
  readonly last: number;
  /** The same time base, uncounted and unlogged (a halted CPU's host wait polls it). */
  readonly uncounted: MachineClock;
  /** Realtime: machine time stands still from now until resume() (the monitor holds the CPU). */
  pause(): void;
  resume(): void;
  /** The first read with icount() ≥ n returns -Infinity, uncounted: an extra poll for `step` that sees no time pass. */
  freezeAt(n: number, icount: () => number): void;
  /** Called before each counted read (replay: a recorded stop lands here). */
  beforeRead?: (index: number) => void;
}

export function sessionClock(inner: MachineClock, log: ReadLog = {}): SessionClock {
  const realtime = inner.mode === 'realtime';
  let paused = 0; // ns of host time spent paused
  let pausedAt = -1;
  let reads = 0;
  let last = 0;
  let freezeIcount = Infinity;
  let icountOf: (() => number) | undefined;
  const hostNow = (): number => (pausedAt >= 0 ? pausedAt : inner.now() - paused);
  const clock = forward(inner) as SessionClock & { now(): number };
  const uncounted = forward(inner) as MachineClock & { now(): number };
  uncounted.now = () => (log.take ? last : hostNow());
  Object.defineProperties(clock, {
    reads: { get: () => reads },
    last: { get: () => last },
    uncounted: { value: uncounted },
  });
  clock.now = () => {
    if (freezeIcount !== Infinity && icountOf!() >= freezeIcount) {
      // The extra poll sees no time at all: nothing comes due, nothing is published.
      freezeIcount = Infinity;
      return -Infinity;
    }
    clock.beforeRead?.(reads);
    let v: number;
    if (log.take && realtime) v = log.take(reads);
    else {
      v = realtime ? hostNow() : inner.now();
      if (realtime) log.put?.(v);
    }
    reads++;
    last = v;
    return v;
  };
  clock.pause = () => {
    if (realtime && pausedAt < 0) pausedAt = inner.now() - paused;
  };
  clock.resume = () => {
    if (pausedAt < 0) return;
    paused = inner.now() - pausedAt;
    pausedAt = -1;
  };
  clock.freezeAt = (n, icount) => {
    freezeIcount = n;
    icountOf = icount;
  };
  return clock;
}

/** An object whose methods call `inner`'s (bound) and whose other members read through to it. */
function forward(inner: MachineClock): MachineClock {
  const out: Record<string, unknown> = {};
  const seen = new Set<string>();
  for (let o: object | null = inner; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const key of Object.getOwnPropertyNames(o)) {
      if (key === 'constructor' || seen.has(key)) continue;
      seen.add(key);
      const v = (inner as unknown as Record<string, unknown>)[key];
      if (typeof v === 'function') out[key] = (v as (...a: unknown[]) => unknown).bind(inner);
      else Object.defineProperty(out, key, { get: () => (inner as unknown as Record<string, unknown>)[key], enumerable: true });
    }
  }
  return out as unknown as MachineClock;
}
