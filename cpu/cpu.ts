// The CPU core: the architectural machinery a kernel depends on. It does not decode x86 machine
// code; the guest (firmware + kernel, TypeScript) calls its instructions through cpu/isa.ts. Every
// instruction ends at an instruction boundary where time advances, device deadlines fire, host
// requests are seen and, with IF=1, a pending INTR is taken (INTA → IDT gate → handler).
import type { AccessSize } from '../bus/device.js';
import type { MachineClock } from '../bus/clock.js';
import { C_ATTENTION, C_CPU_WAKE, C_INPUT_GATE, C_STOP, CpuState, InputGate, type ControlBlock, type Tracer } from '../bus/control.js';
import type { PhysicalMemory } from '../bus/memory.js';
import type { CpuBus } from '../bus/cpu-bus.js';
import { deliver, Source, RFLAGS_IF } from './delivery.js';
import { MachineReset, MachineStop, type StopReason } from './errors.js';
import { CpuFault, Vector } from './faults.js';
import { HaltWait, type IdleMode } from './halt-wait.js';
import { Access, Mmu, type ControlRegs } from './mmu.js';
import { SLOT, TEXT, type TextSymbol } from './text.js';
import { SystemUnit } from './system.js';
import { LinearMemory } from './linear.js';
import { requireCpl0, requireIo, requireIopl } from './privilege.js';
import { SingleThread, type ThreadUnit } from './threads.js';

export { RFLAGS_IF };
export const RFLAGS_RESERVED1 = 1 << 1;
/** `pause` instructions in a row, with IF=0, after which the CPU reports a deadlock. */
export const DEADLOCK_SPINS = 1 << 22;

export interface CpuOptions {
  /** Machine time at which to stop (--for / --timeout), and why. */
  stopAt?: number;
  stopReason?: StopReason;
  /**
   * Realtime halt: poll the wake word for an adaptive window, then sleep (adaptive, the default:
   * KVM's halt_poll_ns rule, cpu/halt-poll.ts); only sleep in Atomics.wait; or always poll.
   */
  idle?: IdleMode;
  /** Triple fault exits (status 0) instead of resetting: QEMU's -no-reboot. */
  noReboot?: boolean;
  /** Called when the CPU is held at the input gate: the kernel is ready for typed input. */
  onReady?: () => void;
  /** Called once when the CPU can never run again (hlt/spin with IF=0, deadlock). */
  onIdleForever?: (why: 'idle' | 'deadlock', detail: string) => void;
  /** The monitor and record/replay (machine/monitor, machine/replay): attention is theirs to serve. */
  host?: CpuHost;
}

/** Host-side control of a running CPU: the monitor (stop, step, queries) and record/replay. */
export interface CpuHost {
  /** C_ATTENTION was non-zero at a poll: serve host requests and device input (bus.service). */
  attention(cpu: Cpu, now: number): void;
  /** The clock a halted CPU's host wait polls (uncounted: record/replay count the machine's own reads). */
  readonly waitClock?: MachineClock;
  /** Instead of waiting on the host while halted (replay: the recorded clock reads say when a halt ended). */
  halted?(seen: number, now: number, next: number): void;
}

export interface DescriptorTableRegister {
  base: number;
  limit: number;
}

export class Cpu {
  rip = 0;
  rsp = 0;
  rflags = RFLAGS_RESERVED1;
  cs = 0;
  ss = 0;
  tr = 0;
  cr2 = 0;
  readonly gdtr: DescriptorTableRegister = { base: 0, limit: 0xffff };
  readonly idtr: DescriptorTableRegister = { base: 0, limit: 0xffff };
  readonly regs: ControlRegs = { cr0: 0, cr3: 0, cr4: 0, efer: 0, cpl: 0 };
  /** Base of the TSS loaded by `ltr` (the hidden part of TR). */
  tssBase = 0;
  readonly mmu: Mmu;
  readonly system: SystemUnit;
  /** Virtual-address loads and stores through the MMU (cpu/linear.ts). */
  readonly linear: LinearMemory;
  /** Instructions retired. */
  icount = 0;
  /** The STI shadow: no interrupt at the boundary right after `sti` (crosses a context switch: cpu/threads.ts). */
  shadow = false;
  private pauseRun = 0;
  /** Boundaries until the next poll (checkEvents); the monitor's `step` shortens it. */
  countdown = 1;
  /** The host's break time (monitor run-to, --stop-at): a halted CPU wakes for it, exact in virtual time. */
  breakAt = Infinity;
  private readonly pollInterval: number;
  private readonly stopAt: number;
  private readonly stopReason: StopReason;
  private lastPublish = 0;
  /** How a halted CPU waits on the host (realtime): time.idle's poll, sleep or adaptive mix. */
  private readonly halt: HaltWait;
  /** Machine ns per instruction class (the clock's costs, read once: no lookup per instruction). */
  private readonly costInstruction: number;
  private readonly costMemory: number;
  private readonly costIo: number;
  private readonly costInta: number;
  /**
   * Interrupt/exception handlers running now (1 inside a handler entered from ordinary code). It
   * counts host frames, so it belongs to the host thread: a context switch does not carry it.
   */
  handlerDepth = 0;
  /** Guest threads (cpu/threads.ts): only the boot thread unless the machine gives the CPU host threads. */
  threads: ThreadUnit = new SingleThread(this);

  constructor(
    readonly memory: PhysicalMemory,
    readonly bus: CpuBus,
    readonly clock: MachineClock,
    readonly control: ControlBlock,
    readonly tracer: Tracer,
    private readonly options: CpuOptions = {},
  ) {
    this.mmu = new Mmu(memory, this.regs);
    this.system = new SystemUnit(this);
    this.linear = new LinearMemory(memory, this.mmu, bus, clock, (err) => this.fault(err));
    // Virtual time is exact: check events at every boundary. Realtime reads the host clock
    // (≈35 ns), so only every 64 instructions.
    this.pollInterval = clock.mode === 'virtual' ? 1 : 64;
    this.stopAt = options.stopAt ?? Infinity;
    this.stopReason = options.stopReason ?? 'for';
    this.halt = new HaltWait(control.i32, options.host?.waitClock ?? clock, options.idle);
    this.costInstruction = clock.costs.instruction;
    this.costMemory = clock.costs.memory;
    this.costIo = clock.costs.io;
    this.costInta = clock.costs.inta;
  }

  get interruptsEnabled(): boolean { return (this.rflags & RFLAGS_IF) !== 0; }
  now(): number { return this.clock.now(); }

  /** Power-on / reset state (SDM vol. 3 §9.1.1, in the long-mode shape our firmware expects). */
  reset(): void {
    this.rip = 0;
    this.rsp = 0;
    this.rflags = RFLAGS_RESERVED1;
    this.cs = this.ss = this.tr = 0;
    this.cr2 = 0;
    this.tssBase = 0;
    this.gdtr.base = this.idtr.base = 0;
    this.gdtr.limit = this.idtr.limit = 0xffff;
    this.regs.cr0 = this.regs.cr3 = this.regs.cr4 = this.regs.efer = 0;
    this.mmu.flush();
    this.shadow = false;
    this.pauseRun = 0;
    this.handlerDepth = 0;
    this.regs.cpl = 0;
    this.system.reset();
  }

  // ---- port I/O ------------------------------------------------------------------------------
  in(port: number, size: AccessSize): number {
    if (this.regs.cpl !== 0) requireIo(this, port & 0xffff, size); // IOPL, then the TSS I/O bitmap
    const v = this.bus.in(port & 0xffff, size, this.clock.now());
    this.boundary(true, this.costIo);
    return v;
  }

  out(port: number, size: AccessSize, value: number): void {
    if (this.regs.cpl !== 0) requireIo(this, port & 0xffff, size);
    this.bus.out(port & 0xffff, size, value >>> 0, this.clock.now());
    this.boundary(true, this.costIo);
  }

  // ---- memory (virtual addresses, through the MMU) ---------------------------------------------
  load(addr: number, size: 1 | 2 | 4): number {
    const v = this.linear.read(addr, size, Access.Read);
    const run = this.pauseRun;
    this.boundary(true, this.costMemory);
    this.pauseRun = run; // a spin loop's read of its lock word does not end a run of pauses
    return v;
  }

  load64(addr: number): bigint {
    const lo = this.linear.read(addr, 4, Access.Read);
    const hi = this.linear.read(addr + 4, 4, Access.Read);
    this.boundary(true, this.costMemory);
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  store(addr: number, size: 1 | 2 | 4, value: number): void {
    this.linear.write(addr, size, value);
    this.boundary(true, this.costMemory);
  }

  store64(addr: number, value: bigint): void {
    const v = BigInt.asUintN(64, value);
    this.linear.checkWritable(addr, 8);
    this.linear.write(addr, 4, Number(v & 0xffffffffn));
    this.linear.write(addr + 4, 4, Number(v >> 32n));
    this.boundary(true, this.costMemory);
  }

  /** `lock cmpxchg dword [addr]`: one instruction, so no interrupt comes between its read and write. Returns the old value. */
  cmpxchg32(addr: number, expected: number, value: number): number {
    this.linear.checkWritable(addr, 4);
    const old = this.linear.read(addr, 4, Access.Read);
    if (old === expected >>> 0) this.linear.write(addr, 4, value);
    this.boundary();
    return old;
  }

  /** Reads and writes the CPU itself makes (IDT, GDT, TSS, frames): faults are thrown, not delivered. */
  sysRead32(addr: number): number { return this.linear.sysRead32(addr); }
  sysRead64(addr: number): number { return this.linear.sysRead32(addr) + this.linear.sysRead32(addr + 4) * 0x100000000; }
  sysWrite64(addr: number, value: number): void {
    this.linear.sysWrite32(addr, value % 0x100000000);
    this.linear.sysWrite32(addr + 4, Math.floor(value / 0x100000000));
  }

  /** Instruction fetch at a function's entry: NX and not-present pages fault here. */
  checkFetch(addr: number): void {
    this.linear.translate(addr, Access.Fetch);
  }

  // ---- control flow --------------------------------------------------------------------------
  /** `call`: push the return address (faults are real: a stack overflow hits the guard page here), run, `ret`. */
  call(target: TextSymbol, args: unknown[], frameBytes = 0): unknown {
    const returnTo = this.rip + 1;
    this.push(returnTo);
    this.rip = target.addr;
    this.checkFetch(target.addr);
    if (frameBytes) {
      // sub rsp, N and touch the lowest local: the prologue of a function with a stack frame.
      this.rsp -= frameBytes;
      this.linear.write(this.rsp, 4, 0);
    }
    this.boundary(true, this.costMemory); // call: a store of the return address
    const result = target.impl(...args);
    this.rsp += frameBytes;
    this.rip = this.pop();
    this.boundary(true, this.costMemory); // ret: its load
    return result;
  }

  private push(value: number): void {
    const at = this.rsp - 8;
    this.linear.translate(at, Access.Write); // fault before RSP moves: the instruction restarts cleanly
    this.linear.write(at, 4, value % 0x100000000);
    this.linear.write(at + 4, 4, Math.floor(value / 0x100000000));
    this.rsp = at;
  }

  private pop(): number {
    const v = this.linear.read(this.rsp, 4, Access.Read) + this.linear.read(this.rsp + 4, 4, Access.Read) * 0x100000000;
    this.rsp += 8;
    return v;
  }

  // ---- flags, halting, interrupts ----------------------------------------------------------
  cli(): void {
    if (this.regs.cpl !== 0) requireIopl(this); // #GP(0) when CPL > IOPL
    this.rflags &= ~RFLAGS_IF;
    this.boundary();
  }

  sti(): void {
    if (this.regs.cpl !== 0) requireIopl(this);
    this.rflags |= RFLAGS_IF;
    this.shadow = true; // interrupts are recognised after the *next* instruction
    this.boundary();
  }

  /** `pause`: the spin-loop hint. A long run of them with IF=0 is a deadlock nothing can break. */
  pause(): void {
    const run = this.pauseRun + 1;
    this.boundary();
    this.pauseRun = run;
    if (run >= DEADLOCK_SPINS && !this.interruptsEnabled) {
      this.idleForever('deadlock', 'the CPU spins on a lock with interrupts off: nothing can release it (a single CPU, IF=0)');
    }
  }

  /** `hlt`: sleep until an interrupt; it is taken, its handler runs, then execution continues. */
  hlt(): void {
    if (this.regs.cpl !== 0) requireCpl0(this); // privileged: #GP(0) at CPL 3
    this.tracer.emit(this.now(), 'cpu.hlt', 'cpu', { if: this.interruptsEnabled ? 1 : 0 });
    if (this.interruptsEnabled && Atomics.load(this.control.i32, C_INPUT_GATE) === InputGate.Armed) this.holdForInput();
    this.shadow = false;
    while (!(this.interruptsEnabled && this.bus.intr)) this.idle();
    this.tracer.emit(this.now(), 'cpu.wake', 'cpu');
    this.boundary();
  }

  /** First idle with IF=1: the kernel is ready. Hold until the host has queued its typed keys (deterministic). */
  private holdForInput(): void {
    const i32 = this.control.i32;
    Atomics.store(i32, C_INPUT_GATE, InputGate.Waiting);
    this.options.onReady?.();
    while (Atomics.load(i32, C_INPUT_GATE) === InputGate.Waiting) {
      if (this.control.stopRequested) throw new MachineStop('stop');
      Atomics.wait(i32, C_CPU_WAKE, Atomics.load(i32, C_CPU_WAKE), 100);
    }
  }

  /** `jmp $` — the empty `loop {}`: never returns; interrupts are still taken while it spins. */
  jmpSelf(): never {
    for (;;) {
      if (this.interruptsEnabled && this.bus.intr) this.boundary();
      else this.idle();
    }
  }

  /** `int3`: breakpoint trap; the saved RIP is the next instruction. */
  int3(): void {
    this.rip = this.nextRip();
    this.noteException(new CpuFault(Vector.BP));
    deliver(this, Vector.BP, 0, Source.Software);
    this.boundary(false); // iretq resumed at the next instruction: RIP is already past int3
  }

  /** `div`: unsigned divide; a zero divisor raises #DE. */
  div(dividend: number, divisor: number): number {
    while (divisor === 0) this.exception(Vector.DE, 0);
    const q = Math.floor(dividend / divisor);
    this.boundary();
    return q;
  }

  /** Raise exception `vector` from the current instruction (a fault: RIP is this instruction). */
  exception(vector: number, errorCode: number, cr2?: number): void {
    if (vector === Vector.PF && cr2 !== undefined) this.cr2 = cr2;
    this.noteException(new CpuFault(vector, errorCode, cr2));
    deliver(this, vector, errorCode, Source.Exception);
  }

  /** Deliver a thrown CpuFault (anything else is a simulator error and propagates). */
  fault(err: unknown): void {
    if (!(err instanceof CpuFault)) throw err;
    this.exception(err.vector, err.errorCode, err.cr2);
  }

  noteException(f: CpuFault): void {
    if (f.vector === Vector.PF && f.cr2 !== undefined) this.cr2 = f.cr2;
    this.tracer.emit(this.now(), 'cpu.exception', 'cpu', {
      vector: f.vector, error_code: f.errorCode, cr2: f.vector === Vector.PF ? f.cr2 : undefined,
    });
    if (f.vector === Vector.PF) this.tracer.emit(this.now(), 'cpu.page_fault', 'cpu', { addr: f.cr2, error_code: f.errorCode });
  }

  tripleFault(last: CpuFault): never {
    this.tracer.emit(this.now(), 'cpu.triple_fault', 'cpu', { last: last.vector, action: this.options.noReboot ? 'exit' : 'reset' });
    if (this.options.noReboot) throw new MachineStop('triple-fault', 0);
    throw new MachineReset(`triple fault (last: ${last.message})`);
  }

  // ---- boundaries and idling ----------------------------------------------------------------
  /** The address of the next instruction (RIP moves within its function's slot). */
  nextRip(): number {
    const base = this.rip - (this.rip % SLOT);
    return base + ((this.rip + 1) % SLOT);
  }

  /** End of an instruction: RIP and time move, events are checked, a pending interrupt is taken. */
  boundary(advance = true, ns = this.costInstruction): void {
    this.icount++;
    this.pauseRun = 0;
    if (advance) this.rip = this.nextRip();
    this.clock.charge(ns);
    if (--this.countdown <= 0) {
      this.countdown = this.pollInterval;
      this.checkEvents(this.clock.now());
    }
    if (this.shadow) this.shadow = false;
    else if ((this.rflags & RFLAGS_IF) !== 0 && this.bus.intr) this.takeInterrupt();
  }

  private takeInterrupt(): void {
    const vector = this.bus.acknowledge(this.clock.now());
    this.tracer.cpuInta(this.now(), vector);
    this.clock.charge(this.costInta); // the INTA bus cycles
    deliver(this, vector, 0, Source.External);
  }

  private checkEvents(now: number): void {
    if (now >= this.bus.nextDeadline) this.bus.advanceDue(now);
    if (now >= this.stopAt) throw new MachineStop(this.stopReason);
    const i32 = this.control.i32;
    if (i32[C_STOP] !== 0) throw new MachineStop('stop');
    if (i32[C_ATTENTION] !== 0) {
      if (this.options.host) this.options.host.attention(this, now);
      else this.bus.service(this.control.takeAttention(), now);
    }
    if (now - this.lastPublish >= 1_000_000) this.publish(now);
  }

  private publish(now: number): void {
    this.lastPublish = now;
    this.control.now = now;
    this.control.instructions = this.icount;
  }

  /** Wait for the next deadline, device event or host request; with IF=0 the CPU idles for good. */
  idle(): void {
    // Read the wake word before looking for work: a wake-up that lands after the look changes
    // it, so the wait below returns at once instead of sleeping through it.
    const seen = Atomics.load(this.control.i32, C_CPU_WAKE);
    const now = this.clock.now();
    this.checkEvents(now);
    if (!this.interruptsEnabled) this.idleForever('idle', 'hlt or a spin with interrupts off');
    if (this.bus.intr) return;
    const next = Math.min(this.bus.nextDeadline, this.stopAt, this.breakAt);
    if (this.clock.mode === 'virtual' && next !== Infinity) {
      this.clock.skipTo(next);
      return;
    }
    this.control.cpuState = CpuState.Halted;
    this.publish(now);
    if (this.options.host?.halted) this.options.host.halted(seen, now, next);
    else this.halt.wait(seen, now, next);
    this.control.cpuState = CpuState.Running;
  }

  private idleForever(why: 'idle' | 'deadlock', detail: string): never {
    const now = this.clock.now();
    this.bus.flushAll(now);
    this.publish(now);
    this.tracer.emit(now, why === 'deadlock' ? 'cpu.deadlock' : 'cpu.idle', 'cpu', { if: 0, rip: TEXT.describe(this.rip), detail });
    this.control.cpuState = CpuState.IdleForever;
    this.options.onIdleForever?.(why, detail);
    // In virtual time the machine-time limit comes first, so the outcome never depends on when
    // the host's own stop request arrives.
    if (this.clock.mode === 'virtual' && this.stopAt !== Infinity) {
      this.clock.skipTo(this.stopAt);
      throw new MachineStop(this.stopReason);
    }
    // Only the host can end this: a stop request, or the --for/--timeout machine time.
    for (;;) {
      const seen = Atomics.load(this.control.i32, C_CPU_WAKE);
      if (this.control.stopRequested) throw new MachineStop('stop');
      const t = this.clock.now();
      if (t >= this.stopAt) throw new MachineStop(this.stopReason);
      Atomics.wait(this.control.i32, C_CPU_WAKE, seen, Math.min(1000, Math.max(1, (this.stopAt - t) / 1e6)));
    }
  }

  stats(): { instructions: number; now: number; haltedHostMs: number } {
    return { instructions: this.icount, now: this.clock.now(), haltedHostMs: this.halt.waitedMs };
  }
}
