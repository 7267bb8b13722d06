// Guest threads on host threads. Guest code is TypeScript running on the host's stack, so a guest
// thread's stack is a host stack, and one host thread cannot hold two of them. Each guest thread
// therefore runs on a host thread of its own (the boot thread, or one of the machine's
// `cpu.threads` workers) and the CPU is a baton: exactly one host thread holds it. A switch saves
// the CPU's architectural state where the next holder loads it, wakes that thread and parks this
// one (machine/actors/guest-threads.ts does the host side).
//
// The context block the model-specific instructions use (cpu/isa.ts threadCreate/Switch/Release),
// CONTEXT_BYTES of kernel memory:
//
//   +0   u64  RSP saved by the switch away from this thread (the new stack top before its first run)
//   +8   u32  host thread handle (0 = the boot thread, 1..n = the machine's guest-thread workers)
//   +12  u32  reserved (0)
import type { Cpu } from './cpu.js';
import { Vector } from './faults.js';

export const CONTEXT_BYTES = 16;
export const CTX_RSP = 0;
export const CTX_HOST = 8;
/** Words of saveCpuState. */
export const STATE_WORDS = 28;

/**
 * The architectural state a context switch hands to the next host thread: everything but RIP,
 * which lives on each thread's own stack of calls, plus the machine time and the TLB's
 * invalidation count. Each host thread keeps its own TLB, flushed when it missed an invalidation
 * (INVLPG or a flush on another thread) — a deviation: a stale translation another thread cached
 * is not seen, as one hardware TLB would show it.
 */
export function saveCpuState(cpu: Cpu, s: Float64Array): void {
  const m = cpu.system.msrs;
  s[0] = cpu.rsp; s[1] = cpu.rflags; s[2] = cpu.cs; s[3] = cpu.ss; s[4] = cpu.tr; s[5] = cpu.cr2;
  s[6] = cpu.gdtr.base; s[7] = cpu.gdtr.limit; s[8] = cpu.idtr.base; s[9] = cpu.idtr.limit;
  s[10] = cpu.regs.cr0; s[11] = cpu.regs.cr3; s[12] = cpu.regs.cr4; s[13] = cpu.regs.efer; s[14] = cpu.regs.cpl;
  s[15] = cpu.tssBase; s[16] = cpu.system.tssLimit; s[17] = cpu.icount; s[18] = cpu.shadow ? 1 : 0;
  s[19] = m.star; s[20] = m.lstar; s[21] = m.cstar; s[22] = m.sfmask; s[23] = m.fsBase; s[24] = m.gsBase; s[25] = m.kernelGsBase;
  s[26] = cpu.clock.now();
  s[27] = cpu.mmu.invalidations;
}

export function loadCpuState(cpu: Cpu, s: Float64Array): void {
  const m = cpu.system.msrs;
  cpu.rsp = s[0]; cpu.rflags = s[1]; cpu.cs = s[2]; cpu.ss = s[3]; cpu.tr = s[4]; cpu.cr2 = s[5];
  cpu.gdtr.base = s[6]; cpu.gdtr.limit = s[7]; cpu.idtr.base = s[8]; cpu.idtr.limit = s[9];
  cpu.regs.cr0 = s[10]; cpu.regs.cr3 = s[11]; cpu.regs.cr4 = s[12]; cpu.regs.efer = s[13]; cpu.regs.cpl = s[14] as 0 | 3;
  cpu.tssBase = s[15]; cpu.system.tssLimit = s[16]; cpu.icount = s[17]; cpu.shadow = s[18] !== 0;
  m.star = s[19]; m.lstar = s[20]; m.cstar = s[21]; m.sfmask = s[22]; m.fsBase = s[23]; m.gsBase = s[24]; m.kernelGsBase = s[25];
  cpu.clock.skipTo(s[26]);
  if (s[27] !== cpu.mmu.invalidations) {
    cpu.mmu.flush();
    cpu.mmu.invalidations = s[27];
  }
}

/** What the CPU's guest-thread instructions do; `SingleThread` when the machine has no thread workers. */
export interface ThreadUnit {
  /** The host thread holding the CPU now (0: the boot thread). */
  readonly self: number;
  create(ctx: number, entry: number, arg: number, stackTop: number): boolean;
  switchTo(prev: number, next: number): void;
  release(ctx: number): void;
}

/** The guest thread ended here because its context was released (or the machine stopped or reset). */
export class ThreadAbandoned extends Error {
  constructor(readonly host: number) {
    super(`guest thread on host thread ${host} abandoned`);
  }
}

/**
 * The host side of the baton (machine/actors/guest-threads.ts): which host threads exist and are
 * taken, the shared words the CPU's state crosses in, and the hand-off itself.
 */
export interface ThreadHost {
  /** This host thread's handle (0: the boot thread). */
  readonly self: number;
  /** Worker handles are 1..count. */
  readonly count: number;
  /** STATE_WORDS words: saveCpuState of the thread handing the CPU over. */
  readonly state: Float64Array;
  /** Whether the guest has a thread on host thread h (set by create, cleared by release). */
  taken(h: number): boolean;
  /** Give host thread h a new guest thread that will start at `entry(arg)`. */
  take(h: number, entry: number, arg: number): void;
  /** Host thread h's guest thread is gone: its host stack is discarded when it next wakes. */
  abandon(h: number): void;
  /** Hand the CPU to host thread `to` and park until a switch hands it back (throws when this thread is abandoned or the machine ends). */
  handOff(to: number): void;
}

/**
 * A machine with guest-thread workers: creating a thread takes a free host thread, switching
 * passes the CPU to the next context's host thread. Everything the guest sees stays in guest
 * memory (the context blocks) and in the CPU's architectural state, which crosses with the baton.
 */
export class BatonThreads implements ThreadUnit {
  constructor(private readonly cpu: Cpu, private readonly host: ThreadHost) {}

  get self(): number { return this.host.self; }

  create(ctx: number, entry: number, arg: number, stackTop: number): boolean {
    const { cpu, host } = this;
    let h = 1;
    while (h <= host.count && host.taken(h)) h++;
    if (h > host.count) {
      cpu.boundary();
      return false;
    }
    if (!this.writeBlock(ctx, stackTop, h)) return false;
    host.take(h, entry, arg);
    cpu.boundary();
    return true;
  }

  switchTo(prev: number, next: number): void {
    const { cpu, host } = this;
    let rsp: number;
    let to: number;
    try {
      rsp = cpu.sysRead64(next + CTX_RSP);
      to = cpu.sysRead32(next + CTX_HOST);
    } catch (err) {
      cpu.fault(err); // a context block the kernel cannot read: #PF as for any memory operand
      return;
    }
    if (!this.writeBlock(prev, cpu.rsp, host.self)) return;
    if (to === host.self) {
      cpu.rsp = rsp;
      cpu.boundary();
      return;
    }
    if (to > host.count || (to !== 0 && !host.taken(to))) {
      cpu.exception(Vector.GP, 0); // no such thread: the guest's error, never the host's
      return;
    }
    cpu.tracer.emit(cpu.now(), 'cpu.switch', 'cpu', { from: host.self, to });
    cpu.control.switched(to);
    const rip = cpu.rip; // this thread resumes after its own switch instruction
    cpu.rsp = rsp;
    saveCpuState(cpu, host.state);
    try {
      host.handOff(to);
    } catch (err) {
      // The machine ended on another thread (stop, reset, exit): the CPU came home as it was there.
      if (!(err instanceof ThreadAbandoned)) loadCpuState(cpu, host.state);
      throw err;
    }
    loadCpuState(cpu, host.state);
    cpu.rip = rip;
    cpu.boundary(); // the switch retires on the thread that resumes: a pending interrupt is taken here
  }

  release(ctx: number): void {
    const { cpu, host } = this;
    let h: number;
    try {
      h = cpu.sysRead32(ctx + CTX_HOST);
    } catch (err) {
      cpu.fault(err);
      return;
    }
    // The running thread and the boot thread cannot be released; an unknown handle is the guest's error.
    if (h === 0 || h === host.self || h > host.count || !host.taken(h)) {
      cpu.exception(Vector.GP, 0);
      return;
    }
    host.abandon(h);
    cpu.boundary();
  }

  private writeBlock(ctx: number, rsp: number, h: number): boolean {
    const cpu = this.cpu;
    try {
      cpu.sysWrite64(ctx + CTX_RSP, rsp);
      cpu.sysWrite64(ctx + CTX_HOST, h);
      return true;
    } catch (err) {
      cpu.fault(err);
      return false;
    }
  }
}

/** A machine without guest-thread workers (cpu.threads: 0): only the boot thread exists. */
export class SingleThread implements ThreadUnit {
  readonly self = 0;
  constructor(private readonly cpu: Cpu) {}

  create(_ctx: number, _entry: number, _arg: number, _stackTop: number): boolean {
    this.cpu.boundary();
    return false;
  }

  /** Only contexts on this same host thread exist: a switch moves RSP (there is no other stack to resume). */
  switchTo(prev: number, next: number): void {
    const cpu = this.cpu;
    try {
      const rsp = cpu.sysRead64(next + CTX_RSP);
      if (cpu.sysRead32(next + CTX_HOST) !== 0) {
        cpu.exception(Vector.GP, 0);
        return;
      }
      cpu.sysWrite64(prev + CTX_RSP, cpu.rsp);
      cpu.sysWrite64(prev + CTX_HOST, 0);
      cpu.rsp = rsp;
    } catch (err) {
      cpu.fault(err);
      return;
    }
    cpu.boundary();
  }

  release(_ctx: number): void {
    this.cpu.exception(Vector.GP, 0); // there is no other thread to release
  }
}
