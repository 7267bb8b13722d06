// What the CPU needs of the bus: port and MMIO accesses, its INTR pin, INTA, device deadlines and
// host input. BusRouter is it on the thread that hosts the bus; a guest thread on another host
// thread reaches the same router through machine/actors/remote-bus.ts.
import type { AccessSize } from './device.js';
import type { Level } from './device.js';

export interface CpuBus {
  /** The CPU's INTR input. */
  readonly intr: Level;
  /** Machine time of the earliest device deadline (Infinity: none). */
  readonly nextDeadline: number;
  in(port: number, size: AccessSize, now: number): number;
  out(port: number, size: AccessSize, value: number, now: number): void;
  mmioRead(pa: number, size: AccessSize, now: number): number;
  mmioWrite(pa: number, size: AccessSize, value: number, now: number): void;
  /** INTA: the vector of the interrupt the controller driving INTR delivers. */
  acknowledge(now: number): number;
  /** Advance every device whose deadline is due at `now`. */
  advanceDue(now: number): void;
  /** Serve host input for the devices in `mask` (attention bits). */
  service(mask: number, now: number): void;
  /** Let every device publish what it holds (stop, idle for good). */
  flushAll(now: number): void;
}
