// Machine time (ns). Devices never read a host clock: they are told `now` by the bus.
//
// virtual:  time advances by a fixed cost per instruction and jumps to the next device deadline
//           while the CPU halts; same YAML + same input ⇒ same trace, byte for byte.
// realtime: time follows the host's monotonic clock from machine start.

export interface MachineClock {
  readonly mode: 'realtime' | 'virtual';
  /** Current machine time in ns. */
  now(): number;
  /** One instruction retired. */
  tick(): void;
  /** Halted until `t` (virtual: jump; realtime: nothing, the caller sleeps). */
  skipTo(t: number): void;
}

export class VirtualClock implements MachineClock {
  readonly mode = 'virtual' as const;
  private t = 0;
  constructor(private readonly nsPerInstruction = 1) {}
  now(): number { return this.t; }
  tick(): void { this.t += this.nsPerInstruction; }
  skipTo(t: number): void { if (t > this.t) this.t = t; }
}

export class RealtimeClock implements MachineClock {
  readonly mode = 'realtime' as const;
  private readonly origin = performance.now();
  now(): number { return Math.round((performance.now() - this.origin) * 1e6); }
  tick(): void {}
  skipTo(): void {}
}
