// The local APIC timer (SDM vol. 3A §11.5.4): a 32-bit count loaded from the initial-count
// register, decremented once per (bus clock ÷ divide configuration) tick; at zero it raises the
// LVT timer's interrupt and stops (one-shot) or reloads (periodic). Kept as times, not ticks:
// the count is computed from machine time when read, and the next expiry is the device deadline.
import { divisor, LVT, TIMER_MODE, TIMER_MODE_SHIFT } from './registers.js';
import type { LapicState } from './state.js';

export function timerMode(s: LapicState): number {
  return (s.lvt[LVT.TIMER] >>> TIMER_MODE_SHIFT) & 3;
}

const tickNs = (s: LapicState, busNs: number): number => divisor(s.divide) * busNs;

/** A write to the initial-count register (re)starts the count; 0 stops the timer. */
export function loadTimer(s: LapicState, now: number, busNs: number): void {
  s.timerStart = now;
  s.timerNext = s.initialCount === 0 || timerMode(s) === TIMER_MODE.TSC_DEADLINE ? -1 : now + s.initialCount * tickNs(s, busNs);
}

/** The current-count register: counts down from the initial count; 0 once a one-shot count has expired. */
export function currentCount(s: LapicState, now: number, busNs: number): number {
  if (s.timerNext < 0 || s.initialCount === 0) return 0;
  const elapsed = Math.floor((now - s.timerStart) / tickNs(s, busNs));
  if (timerMode(s) === TIMER_MODE.PERIODIC) return s.initialCount - (elapsed % s.initialCount);
  return Math.max(0, s.initialCount - elapsed);
}

/**
 * A new divide configuration: the count carries on from its current value at the new rate (the
 * fraction of the tick in progress is dropped).
 */
export function changeDivide(s: LapicState, dcr: number, now: number, busNs: number): void {
  if (s.timerNext < 0) {
    s.divide = dcr;
    return;
  }
  const count = currentCount(s, now, busNs);
  s.divide = dcr;
  const t = tickNs(s, busNs);
  s.timerNext = now + count * t;
  s.timerStart = s.timerNext - s.initialCount * t;
}

/**
 * The count reached zero at or before `now`: schedule the next expiry (periodic: one period on,
 * skipping periods a late call stepped over — the IRR holds one request per vector anyway) or
 * stop (one-shot). Returns the number of expiries this covers (0 when none was due).
 */
export function expire(s: LapicState, now: number, busNs: number): number {
  if (s.timerNext < 0 || now < s.timerNext) return 0;
  if (timerMode(s) !== TIMER_MODE.PERIODIC) {
    s.timerNext = -1;
    return 1;
  }
  const period = s.initialCount * tickNs(s, busNs);
  const missed = Math.floor((now - s.timerNext) / period);
  s.timerStart = s.timerNext + missed * period;
  s.timerNext = s.timerStart + period;
  return missed + 1;
}
