// Calibrating the local APIC timer against the PIT. The APIC timer counts at the bus clock ÷ the
// divide configuration, a rate no register states (SDM vol. 3A §11.5.4: "the processor's bus
// clock or core crystal clock frequency"), so a kernel measures it against a clock it knows:
// Linux's calibrate_APIC_clock counts APIC ticks across PIT interrupts; here, with interrupts off,
// across a known number of PIT clocks read by polling.
//
// PIT channel 0 is left by the firmware in mode 2 (rate generator) with a reload of 65536, counting
// down at 1.193182 MHz (the 8254 datasheet's input clock on a PC: 14.31818 MHz ÷ 12). A counter
// latch command (0x00 to port 0x43: channel 0, latch) freezes its count until it is read, low byte
// then high byte, from port 0x40. In mode 2 the count runs N … 1 then reloads N; 65536 reads as 0,
// so the clocks between two readings are their difference modulo 65536 (one reload at most, as
// long as the readings are less than 65536 clocks ≈ 55 ms apart).
import { inb, outb } from '../../cpu/isa.js';
import { DIVISOR_OF, type LocalApic, TimerDivide, TimerMode } from './local_apic.js';

/** The PIT's input clock (Hz). */
export const PIT_HZ = 1193182;
/** One PIT clock in ns. */
export const PIT_CLOCK_NS = 1e9 / PIT_HZ;

const PIT_CHANNEL0 = 0x40;
const PIT_COMMAND = 0x43;
const LATCH_CHANNEL0 = 0x00;

/** Latch PIT channel 0 and read its 16-bit count (0 means 65536). */
export function read_pit_channel0(): number {
  outb(PIT_COMMAND, LATCH_CHANNEL0);
  const lo = inb(PIT_CHANNEL0);
  const hi = inb(PIT_CHANNEL0);
  return lo | (hi << 8);
}

/** PIT clocks from reading `from` to reading `to` (a count-down, at most one reload between them). */
export function pit_clocks_between(from: number, to: number): number {
  return (from - to) & 0xffff;
}

export interface Calibration {
  /** The divide configuration used (TimerDivide) and its divisor. */
  readonly divide: number;
  readonly divisor: number;
  /** APIC timer ticks counted while the PIT counted `pitClocks`. */
  readonly apicTicks: number;
  readonly pitClocks: number;
  /** The APIC timer's rate after the divider (ticks per second). */
  readonly hz: number;
}

/** ≈ 10 ms of PIT clocks: long enough that one PIT clock of uncertainty is 0.01 %. */
export const CALIBRATION_PIT_CLOCKS = 11932;

/** One reading of both clocks: the PIT count, and the APIC count read just before and just after it. */
interface Sample {
  readonly pit: number;
  /** The APIC count halfway through the PIT read. */
  readonly apic: number;
  /** APIC ticks the PIT read took: how uncertain the pairing is. */
  readonly width: number;
}

/**
 * The narrowest of `tries` readings. A reading the host (or, on hardware, an SMI) delayed is wide,
 * and its midpoint could be far from the moment the PIT was latched; the narrowest is the one to
 * trust — the way Linux's tsc_read_refs retries until its reference read was quick.
 */
function sample(lapic: LocalApic, tries = 5): Sample {
  let best: Sample | undefined;
  for (let i = 0; i < tries; i++) {
    const before = lapic.timer_current_count();
    const pit = read_pit_channel0();
    const after = lapic.timer_current_count();
    if (!best || before - after < best.width) best = { pit, apic: (before + after) / 2, width: before - after };
  }
  return best!;
}

/**
 * Measure the APIC timer's rate (call with interrupts off): the timer one-shot and masked, counting
 * down from 0xFFFFFFFF; read both clocks, poll the PIT until `window` of its clocks have passed,
 * read both again. The timer is stopped afterwards.
 */
export function calibrate_apic_timer(lapic: LocalApic, vector: number, window = CALIBRATION_PIT_CLOCKS, divide: number = TimerDivide.By16): Calibration {
  lapic.set_timer_divide(divide);
  lapic.set_timer(vector, TimerMode.OneShot, true);
  lapic.set_timer_initial_count(0xffffffff);

  const start = sample(lapic);
  while (pit_clocks_between(start.pit, read_pit_channel0()) < window) {
    // the PIT counts on
  }
  const end = sample(lapic);
  lapic.set_timer_initial_count(0); // stop it
  const pitClocks = pit_clocks_between(start.pit, end.pit);
  const apicTicks = Math.round(start.apic - end.apic);
  const divisor = DIVISOR_OF[divide];
  return { divide, divisor, apicTicks, pitClocks, hz: (apicTicks * PIT_HZ) / pitClocks };
}

/** Initial count for a periodic timer interrupting every `periodNs` (at least 1). */
export function ticks_for(c: Calibration, periodNs: number): number {
  return Math.max(1, Math.round((c.hz * periodNs) / 1e9));
}
