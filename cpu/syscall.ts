// SYSCALL / SYSRET and their MSRs (AMD64 APM vol. 2 §6.1.1; vol. 3 SYSCALL, SYSRET, SWAPGS):
//
// - syscall: #UD unless EFER.SCE. RCX ← the next RIP, R11 ← RFLAGS; CS ← STAR[47:32] (CPL 0),
//   SS ← STAR[47:32] + 8; RFLAGS ← RFLAGS & ~SFMASK (and RF cleared); RIP ← LSTAR. No stack
//   switch: the kernel's entry must find its own stack (swapgs, then a GS-relative load).
// - sysretq: #GP(0) at CPL > 0 or with a non-canonical RCX. CS ← STAR[63:48] + 16 | 3,
//   SS ← STAR[63:48] + 8 | 3 (fixed attributes: the GDT is not read); RFLAGS ← R11; RIP ← RCX.
// - swapgs (CPL 0 only, else #GP(0)) exchanges GS.base with the KernelGSBase MSR.
// - MSRs: STAR C000_0081, LSTAR C000_0082, CSTAR C000_0083, SFMASK C000_0084, FS.base
//   C000_0100, GS.base C000_0101, KernelGSBase C000_0102. A non-canonical address written to an
//   address MSR is #GP(0).
//
// Deviation (the guest is TypeScript): the general-purpose registers are not modelled, so
// `syscall` takes RAX, RDI, RSI, RDX as arguments and returns RAX; the LSTAR entry is a guest
// function (isa.syscallEntry) called with them, and its return is the entry's `sysretq` with the
// RCX and R11 the CPU saved (the kernel cannot change them).
import { Vector } from './faults.js';
import { requireCpl0, setCs } from './privilege.js';
import { TEXT } from './text.js';
import type { Cpu } from './cpu.js';

export const MSR_STAR = 0xc0000081;
export const MSR_LSTAR = 0xc0000082;
export const MSR_CSTAR = 0xc0000083;
export const MSR_SFMASK = 0xc0000084;
export const MSR_FS_BASE = 0xc0000100;
export const MSR_GS_BASE = 0xc0000101;
export const MSR_KERNEL_GS_BASE = 0xc0000102;
export const EFER_SCE = 1 << 0;

const RFLAGS_RF = 1 << 16;
const RFLAGS_VM = 1 << 17;
const TWO32 = 0x100000000;

function canonical(addr: number): boolean {
  return (addr >= 0 && addr < 0x800000000000) || (addr >= 0xffff800000000000 && addr < 2 ** 64);
}

/** The MSRs of the fast system call and the segment bases (64-bit values held as numbers). */
export class MsrFile {
  star = 0;
  lstar = 0;
  cstar = 0;
  sfmask = 0;
  fsBase = 0;
  gsBase = 0;
  kernelGsBase = 0;

  reset(): void {
    this.star = this.lstar = this.cstar = this.sfmask = 0;
    this.fsBase = this.gsBase = this.kernelGsBase = 0;
  }

  read(msr: number): number | undefined {
    switch (msr) {
      case MSR_STAR: return this.star;
      case MSR_LSTAR: return this.lstar;
      case MSR_CSTAR: return this.cstar;
      case MSR_SFMASK: return this.sfmask;
      case MSR_FS_BASE: return this.fsBase;
      case MSR_GS_BASE: return this.gsBase;
      case MSR_KERNEL_GS_BASE: return this.kernelGsBase;
      default: return undefined;
    }
  }

  /** False for an MSR this CPU does not have or a value it refuses (#GP(0)). */
  write(msr: number, value: number): boolean {
    const v = Math.max(0, Math.floor(value));
    switch (msr) {
      case MSR_STAR: this.star = v; return true;
      case MSR_SFMASK: this.sfmask = v % TWO32; return true; // the upper 32 bits are reserved
      case MSR_LSTAR:
      case MSR_CSTAR:
      case MSR_FS_BASE:
      case MSR_GS_BASE:
      case MSR_KERNEL_GS_BASE:
        if (!canonical(v)) return false;
        if (msr === MSR_LSTAR) this.lstar = v;
        else if (msr === MSR_CSTAR) this.cstar = v;
        else if (msr === MSR_FS_BASE) this.fsBase = v;
        else if (msr === MSR_GS_BASE) this.gsBase = v;
        else this.kernelGsBase = v;
        return true;
      default: return false;
    }
  }
}

/** `syscall` with RAX, RDI, RSI, RDX: runs the LSTAR entry at CPL 0, returns its RAX after its sysretq. */
export function syscall(cpu: Cpu, rax: number, rdi: number, rsi: number, rdx: number): number {
  while ((cpu.regs.efer & EFER_SCE) === 0) cpu.exception(Vector.UD, 0);
  const msrs = cpu.system.msrs;
  const rcx = cpu.nextRip();
  const r11 = cpu.rflags;
  const kernelCs = Math.floor(msrs.star / TWO32) & 0xffff;
  setCs(cpu, kernelCs & 0xfffc);
  cpu.ss = (kernelCs + 8) & 0xfffc;
  cpu.rflags = ((cpu.rflags & ~msrs.sfmask & ~RFLAGS_RF) | 2) >>> 0;
  cpu.rip = msrs.lstar;
  const entered = cpu.now();
  cpu.tracer.emit(entered, 'cpu.syscall', 'cpu', { nr: rax, rip: rcx });
  cpu.boundary(false);
  let entry = TEXT.at(cpu.rip);
  for (;;) {
    cpu.checkFetch(cpu.rip);
    entry = TEXT.at(cpu.rip);
    if (entry && entry.addr === cpu.rip) break;
    cpu.exception(Vector.UD, 0); // LSTAR points where no function starts
  }
  const raw = entry.impl(rax, rdi, rsi, rdx);
  const result = typeof raw === 'number' ? raw : 0;
  const now = cpu.now();
  sysret(cpu, rcx, r11);
  cpu.tracer.emit(now, 'cpu.sysret', 'cpu', { nr: rax, result, duration: now - entered });
  return result;
}

/** `sysretq` with the RCX and R11 `syscall` saved. */
export function sysret(cpu: Cpu, rcx: number, r11: number): void {
  requireCpl0(cpu);
  while (!canonical(rcx)) cpu.exception(Vector.GP, 0);
  const userBase = Math.floor(cpu.system.msrs.star / 2 ** 48) & 0xffff;
  setCs(cpu, ((userBase + 16) & 0xfffc) | 3);
  cpu.ss = ((userBase + 8) & 0xfffc) | 3;
  cpu.rflags = ((r11 & ~(RFLAGS_RF | RFLAGS_VM)) | 2) >>> 0;
  cpu.rip = rcx;
  cpu.boundary(false);
}

/** `swapgs`: exchange GS.base and KernelGSBase (CPL 0 only). */
export function swapgs(cpu: Cpu): void {
  requireCpl0(cpu);
  const m = cpu.system.msrs;
  [m.gsBase, m.kernelGsBase] = [m.kernelGsBase, m.gsBase];
  cpu.boundary();
}

/** `mov rax, gs:[offset]`: a 64-bit load at GS.base + offset. */
export function loadGs64(cpu: Cpu, offset: number): bigint {
  return cpu.load64(cpu.system.msrs.gsBase + offset);
}

/** `mov gs:[offset], rax`. */
export function storeGs64(cpu: Cpu, offset: number, value: bigint): void {
  cpu.store64(cpu.system.msrs.gsBase + offset, value);
}

