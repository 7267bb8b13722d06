// The CPU core: the architectural machinery a kernel depends on. It does not decode x86 machine
// code; the guest (firmware + kernel, TypeScript) calls its instructions through cpu/isa.ts, and
// every instruction ends at an instruction boundary where time advances, device deadlines fire,
// host requests are seen and (with the interrupts issue) interrupts are taken.
import type { AccessSize } from '../bus/device.js';
import type { MachineClock } from '../bus/clock.js';
import { C_ATTENTION, C_CPU_WAKE, C_STOP, CpuState, type ControlBlock, type Tracer } from '../bus/control.js';
import type { PhysicalMemory } from '../bus/memory.js';
import type { BusRouter } from '../bus/router.js';
import { MachineStop, type StopReason } from './errors.js';

/** RFLAGS bits. Bit 1 is reserved and always reads 1. */
export const RFLAGS_RESERVED1 = 1 << 1;
export const RFLAGS_IF = 1 << 9;

export interface CpuOptions {
  /** Machine time at which to stop (--for / --timeout), and why. */
  stopAt?: number;
  stopReason?: StopReason;
  /** Called once when the CPU idles for good (IF=0): the host decides whether to end the run. */
  onIdleForever?: () => void;
}

export class Cpu {
  rflags = RFLAGS_RESERVED1;
  /** Instructions retired. */
  icount = 0;
  private countdown = 1;
  private readonly pollInterval: number;
  private readonly stopAt: number;
  private readonly stopReason: StopReason;
  private lastPublish = 0;

  constructor(
    readonly memory: PhysicalMemory,
    readonly bus: BusRouter,
    readonly clock: MachineClock,
    readonly control: ControlBlock,
    readonly tracer: Tracer,
    private readonly options: CpuOptions = {},
  ) {
    // Virtual time is exact: check events at every boundary. Realtime reads the host clock
    // (≈35 ns), so only every 64 instructions.
    this.pollInterval = clock.mode === 'virtual' ? 1 : 64;
    this.stopAt = options.stopAt ?? Infinity;
    this.stopReason = options.stopReason ?? 'for';
  }

  get interruptsEnabled(): boolean { return (this.rflags & RFLAGS_IF) !== 0; }

  /** Machine time now. */
  now(): number { return this.clock.now(); }

  // ---- instructions -------------------------------------------------------------------------

  in(port: number, size: AccessSize): number {
    const v = this.bus.in(port & 0xffff, size, this.clock.now());
    this.boundary();
    return v;
  }

  out(port: number, size: AccessSize, value: number): void {
    this.bus.out(port & 0xffff, size, value >>> 0, this.clock.now());
    this.boundary();
  }

  load8(addr: number): number {
    const v = addr < this.memory.size ? this.memory.bytes[addr] : 0xff;
    this.boundary();
    return v;
  }

  load16(addr: number): number {
    const v = addr + 2 <= this.memory.size ? this.memory.view.getUint16(addr, true) : 0xffff;
    this.boundary();
    return v;
  }

  load32(addr: number): number {
    const v = addr + 4 <= this.memory.size ? this.memory.view.getUint32(addr, true) : 0xffffffff;
    this.boundary();
    return v;
  }

  load64(addr: number): bigint {
    const v = addr + 8 <= this.memory.size ? this.memory.view.getBigUint64(addr, true) : 0xffffffffffffffffn;
    this.boundary();
    return v;
  }

  // Stores outside installed RAM go nowhere, as on an unbacked bus.
  store8(addr: number, value: number): void {
    if (addr < this.memory.size) this.memory.bytes[addr] = value;
    this.boundary();
  }

  store16(addr: number, value: number): void {
    if (addr + 2 <= this.memory.size) this.memory.view.setUint16(addr, value, true);
    this.boundary();
  }

  store32(addr: number, value: number): void {
    if (addr + 4 <= this.memory.size) this.memory.view.setUint32(addr, value >>> 0, true);
    this.boundary();
  }

  store64(addr: number, value: bigint): void {
    if (addr + 8 <= this.memory.size) this.memory.view.setBigUint64(addr, BigInt.asUintN(64, value), true);
    this.boundary();
  }

  cli(): void {
    this.rflags &= ~RFLAGS_IF;
    this.boundary();
  }

  /** `pause`: the spin-loop hint. Costs an instruction; lets time and events move. */
  pause(): void {
    this.boundary();
  }

  /** `jmp $` — the empty `loop {}`: never returns. Burns no host CPU: it idles until events. */
  jmpSelf(): never {
    for (;;) this.idle();
  }

  // ---- boundaries and idling ----------------------------------------------------------------

  /** End of an instruction: time moves, events are checked. */
  boundary(): void {
    this.icount++;
    this.clock.tick();
    if (--this.countdown > 0) return;
    this.countdown = this.pollInterval;
    this.checkEvents(this.clock.now());
  }

  private checkEvents(now: number): void {
    if (now >= this.bus.nextDeadline) this.bus.advanceDue(now);
    if (now >= this.stopAt) throw new MachineStop(this.stopReason);
    const i32 = this.control.i32;
    if (i32[C_STOP] !== 0) throw new MachineStop('stop');
    if (i32[C_ATTENTION] !== 0) this.bus.service(this.control.takeAttention(), now);
    if (now - this.lastPublish >= 1_000_000) this.publish(now);
  }

  private publish(now: number): void {
    this.lastPublish = now;
    this.control.now = now;
    this.control.instructions = this.icount;
  }

  /**
   * Wait for something to happen: the next device deadline, an asynchronous device event, or a
   * host request. Returns when the caller should re-check for work (an interrupt, with the
   * interrupts issue). With IF=0 nothing can ever resume the guest: the CPU idles for good.
   */
  idle(): void {
    const now = this.clock.now();
    this.checkEvents(now);
    if (!this.interruptsEnabled) this.idleForever();
    if (this.bus.intr) return;
    const next = Math.min(this.bus.nextDeadline, this.stopAt);
    if (this.clock.mode === 'virtual' && next !== Infinity) {
      this.clock.skipTo(next);
      return;
    }
    this.control.cpuState = CpuState.Halted;
    this.publish(now);
    const seen = Atomics.load(this.control.i32, C_CPU_WAKE);
    const waitMs = next === Infinity ? 1000 : Math.max(0, (next - now) / 1e6);
    Atomics.wait(this.control.i32, C_CPU_WAKE, seen, waitMs);
    this.control.cpuState = CpuState.Running;
  }

  private idleForever(): never {
    const now = this.clock.now();
    this.bus.flushAll(now);
    this.publish(now);
    this.tracer.emit(now, 'cpu.idle', 'cpu', { if: 0 });
    this.control.cpuState = CpuState.IdleForever;
    this.options.onIdleForever?.();
    // Only the host can end this: a stop request, or the --for/--timeout machine time.
    // In virtual time the machine-time limit comes first, so the outcome never depends on when
    // the host's own stop request arrives.
    if (this.clock.mode === 'virtual' && this.stopAt !== Infinity) {
      this.clock.skipTo(this.stopAt);
      throw new MachineStop(this.stopReason);
    }
    for (;;) {
      const seen = Atomics.load(this.control.i32, C_CPU_WAKE);
      if (this.control.stopRequested) throw new MachineStop('stop');
      const t = this.clock.now();
      if (t >= this.stopAt) throw new MachineStop(this.stopReason);
      Atomics.wait(this.control.i32, C_CPU_WAKE, seen, Math.min(1000, Math.max(1, (this.stopAt - t) / 1e6)));
    }
  }

  stats(): { instructions: number; now: number } {
    return { instructions: this.icount, now: this.clock.now() };
  }
}
