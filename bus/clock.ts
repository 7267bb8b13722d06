// Machine time (ns). Devices never read a host clock: they are told `now` by the bus.
//
// virtual:  time advances by what each instruction costs on a PC (TimeCosts, docs/time.md: an
//           ISA port access ≈ 1 µs, a memory access a few ns, ...) and jumps to the next device
//           deadline while the CPU halts; same YAML + same input ⇒ same trace, byte for byte.
// realtime: time follows the host's monotonic clock from machine start; costs are not charged.

/** Machine ns charged per instruction class in virtual time (whole ns; docs/time.md gives the sources). */
export interface TimeCosts {
  /** Any instruction not in a class below (register work, flags, call/ret bookkeeping). */
  readonly instruction: number;
  /** A load or store through the MMU (an L1/L2 hit). */
  readonly memory: number;
  /** A port access (in/out) on the ISA/LPC bus. */
  readonly io: number;
  /** The interrupt acknowledge cycles an external interrupt starts with (8259A on the ISA bus). */
  readonly inta: number;
  /** Delivery through the IDT (gate read, stack switch, frame push) of an interrupt or exception. */
  readonly delivery: number;
  /** `iretq` at the end of a handler. */
  readonly iret: number;
}

/** Defaults: a ~2010s PC whose chipset timers and PICs sit on the ISA/LPC bus (docs/time.md). */
export const DEFAULT_TIME_COSTS: TimeCosts = Object.freeze({
  instruction: 1,
  memory: 3,
  io: 1000,
  inta: 1000,
  delivery: 100,
  iret: 100,
});

/** The cost keys, in the order the docs list them. */
export const TIME_COST_KEYS = Object.keys(DEFAULT_TIME_COSTS) as ReadonlyArray<keyof TimeCosts>;

/** No cost at all: realtime, where the host clock is the machine's time. */
const ZERO_COSTS: TimeCosts = Object.freeze({ instruction: 0, memory: 0, io: 0, inta: 0, delivery: 0, iret: 0 });

export interface MachineClock {
  readonly mode: 'realtime' | 'virtual';
  /** What charge() is given per instruction class (all 0 in realtime). */
  readonly costs: TimeCosts;
  /** Current machine time in ns. */
  now(): number;
  /** An instruction (or part of one) took `ns` of machine time (virtual); realtime ignores it. */
  charge(ns: number): void;
  /** Halted until `t` (virtual: jump; realtime: nothing, the caller sleeps). */
  skipTo(t: number): void;
}

export class VirtualClock implements MachineClock {
  readonly mode = 'virtual' as const;
  readonly costs: TimeCosts;
  private t = 0;
  /** `costs`: a whole TimeCosts, or the classes that differ from DEFAULT_TIME_COSTS. */
  constructor(costs: Partial<TimeCosts> = {}) {
    this.costs = Object.freeze({ ...DEFAULT_TIME_COSTS, ...costs });
  }
  now(): number { return this.t; }
  charge(ns: number): void { this.t += ns; }
  skipTo(t: number): void { if (t > this.t) this.t = t; }
}

export class RealtimeClock implements MachineClock {
  readonly mode = 'realtime' as const;
  readonly costs = ZERO_COSTS;
  private readonly origin: number;
  /** `epochOrigin`: another thread's clock's origin (RealtimeClock.epochOrigin), so both read the same machine time. */
  constructor(epochOrigin?: number) {
    this.origin = epochOrigin === undefined ? performance.now() : epochOrigin - performance.timeOrigin;
  }
  /** Machine time 0 as an absolute host time (ms since the epoch, performance.timeOrigin's scale). */
  get epochOrigin(): number { return performance.timeOrigin + this.origin; }
  now(): number { return Math.round((performance.now() - this.origin) * 1e6); }
  charge(_ns: number): void {}
  skipTo(): void {}
}
