// What one counting element (CE) and its OUT pin do from a known starting point on, as pure
// functions of the clock edge number (QEMU's analytic approach: nothing ticks).
//
// A counter is always in one Segment. Everything that can change its course (a control word,
// a count write, a GATE edge) happens at a known edge; the channel then evaluates the old segment
// at that edge and starts a new one. Modes follow the Intel 8254 datasheet ("Mode Definitions"):
//
//   mode 0  interrupt on terminal count   OUT low from the count write until the CE reaches 0
//   mode 1  hardware one-shot             OUT low from the trigger load until the CE reaches 0
//   mode 2  rate generator                OUT low for one clock when the CE is 1, then reload
//   mode 3  square wave                   OUT high ceil(N/2) clocks, low floor(N/2) clocks
//   mode 4  software strobe               OUT low for the one clock at which the CE is 0
//   mode 5  hardware strobe               as mode 4, started by a GATE rising edge
//
// QEMU (i8254_common.c) draws modes 1, 2, 4 and 5 with the opposite polarity (a one-clock *high*
// pulse in mode 2, OUT high while a mode 1 one-shot runs) and counts from the instant of the
// write; here OUT follows the datasheet and a count is loaded on the next clock edge. An
// edge-triggered IRQ0 sees the same rate either way.
import type { Level } from '../../bus/device.js';

export type Mode = 0 | 1 | 2 | 3 | 4 | 5;

export type Segment =
  /** CE not counting and not resumable: no count loaded since the control word, or modes 2/3 with GATE low. */
  | { kind: 'idle'; value: number; out: Level }
  /** Modes 0/4 with GATE low: counting suspended; a GATE high resumes from `value`. */
  | { kind: 'hold'; value: number; out: Level; fired: boolean }
  /**
   * Modes 0/1/4/5: the CE holds `value` at edge `start` and decrements on every later edge, wrapping
   * (0 then means the full range). `fired`: terminal count already reached before `start`.
   */
  | { kind: 'count'; start: number; value: number; fired: boolean }
  /** Modes 2/3: periodic with reload value `n` (1..modulus); `phase` = clocks into the period at `start`. */
  | { kind: 'cycle'; start: number; n: number; phase: number };

export type CountSegment = Extract<Segment, { kind: 'count' }>;
export type CycleSegment = Extract<Segment, { kind: 'cycle' }>;

const mod = (a: number, m: number): number => ((a % m) + m) % m;

/** Mode 3: clocks per period with OUT high. Odd N is high (N+1)/2 and low (N-1)/2 (datasheet). */
export const highClocks = (n: number): number => (n + 1) >> 1;

/** Edge at which a counting segment's CE reaches 0 (Infinity once that has happened). */
function terminalTick(seg: CountSegment, modulus: number): number {
  return seg.fired ? Infinity : seg.start + (seg.value === 0 ? modulus : seg.value);
}

const isStrobe = (mode: Mode): boolean => mode === 4 || mode === 5;

/** Position in the period of a cycle segment at edge k. */
function phaseAt(seg: CycleSegment, k: number): number {
  return mod(k - seg.start + seg.phase, seg.n);
}

/** OUT at edge k. */
export function outAt(seg: Segment, mode: Mode, modulus: number, k: number): Level {
  switch (seg.kind) {
    case 'idle':
    case 'hold':
      return seg.out;
    case 'count': {
      if (seg.fired) return 1;
      const z = terminalTick(seg, modulus);
      if (isStrobe(mode)) return k === z ? 0 : 1;
      return k >= z ? 1 : 0;
    }
    case 'cycle': {
      const p = phaseAt(seg, k);
      if (mode === 2) return p === seg.n - 1 ? 0 : 1;
      return p < highClocks(seg.n) ? 1 : 0;
    }
  }
}

/** CE contents at edge k, 0..modulus (the full count is `modulus`, which reads as 0). */
export function valueAt(seg: Segment, mode: Mode, modulus: number, k: number): number {
  switch (seg.kind) {
    case 'idle':
    case 'hold':
      return seg.value;
    case 'count':
      return mod(seg.value - (k - seg.start), modulus);
    case 'cycle': {
      const { n } = seg;
      const p = phaseAt(seg, k);
      if (mode === 2) return n - p;
      // Mode 3: an even N counts down by 2 in each half. An odd N is loaded, then decremented by 1
      // (high half) or 3 (low half) on the next clock, then by 2: both halves end at 2 and reload.
      const h = highClocks(n);
      const i = p < h ? p : p - h;
      if (i === 0) return n;
      if (n % 2 === 0) return n - 2 * i;
      return n - 1 - 2 * i + (p < h ? 2 : 0);
    }
  }
}

/** First edge after k at which OUT differs from its level at the edge before; Infinity if none. */
export function nextChangeAt(seg: Segment, mode: Mode, modulus: number, k: number): number {
  switch (seg.kind) {
    case 'idle':
    case 'hold':
      return Infinity;
    case 'count': {
      const z = terminalTick(seg, modulus);
      if (k < z) return z;
      return isStrobe(mode) && k === z ? z + 1 : Infinity;
    }
    case 'cycle': {
      const { n } = seg;
      if (n === 1) return Infinity; // illegal count: OUT stays low (mode 2) or high (mode 3)
      const p = phaseAt(seg, k);
      if (mode === 2) return p === n - 1 ? k + 1 : k + (n - 1 - p);
      const h = highClocks(n);
      return p < h ? k + (h - p) : k + (n - p);
    }
  }
}

/**
 * Rising edges of OUT within one segment: edges j with a < j ≤ b where OUT(j−1) = 0 and OUT(j) = 1
 * (what an edge-triggered IRQ0 counts). Periodic segments rise once per period, at phase 0 (mode
 * 2: the end of the one-clock low pulse; mode 3: the start of the high half), so they are counted
 * in closed form; the one-shot kinds change at most twice.
 */
export function risingEdgesIn(seg: Segment, mode: Mode, modulus: number, a: number, b: number): number {
  if (!(b > a)) return 0;
  if (seg.kind === 'cycle') {
    if (seg.n < 2) return 0; // count 1: OUT never changes
    const c = seg.start - seg.phase; // edges ≡ c (mod n) are at phase 0
    return Math.floor((b - c) / seg.n) - Math.floor((a - c) / seg.n);
  }
  let rises = 0;
  for (let j = a; ;) {
    const at = nextChangeAt(seg, mode, modulus, j);
    if (at > b || at <= j) return rises;
    if (outAt(seg, mode, modulus, at) === 1) rises++;
    j = at;
  }
}

/**
 * Modes 2/3: where a count written during counting takes over. Mode 2 reloads at the end of the
 * current period; mode 3 at the end of the current half-cycle (datasheet), starting the new count
 * in the half that follows.
 */
export function cycleReload(seg: CycleSegment, mode: Mode, k: number, newN: number): CycleSegment {
  const p = phaseAt(seg, k);
  if (mode === 3) {
    const h = highClocks(seg.n);
    if (p < h) {
      const at = k + (h - p);
      return { kind: 'cycle', start: at, n: newN, phase: highClocks(newN) };
    }
  }
  const at = k + (seg.n - p);
  return { kind: 'cycle', start: at, n: newN, phase: 0 };
}

/** Modes 0/4, GATE falls at edge k: freeze the CE (no decrement on later edges). */
export function pause(seg: Segment, mode: Mode, modulus: number, k: number): Segment {
  if (seg.kind !== 'count') return seg;
  const fired = seg.fired || k >= terminalTick(seg, modulus);
  // A mode 4 strobe caught by the falling GATE ends there: OUT returns high (a simplification;
  // the datasheet does not say what a GATE edge does to the one-clock strobe).
  const out: Level = isStrobe(mode) ? 1 : fired ? 1 : 0;
  return { kind: 'hold', value: valueAt(seg, mode, modulus, k), out, fired };
}

/** Modes 0/4, GATE rises at edge k: decrementing resumes on the next edge. */
export function resume(seg: Segment, k: number): Segment {
  if (seg.kind !== 'hold') return seg;
  return { kind: 'count', start: k, value: seg.value, fired: seg.fired };
}
