// Privilege levels (AMD64 APM vol. 2 §4.9–4.11, §8.7–8.9, §13.2–13.3). The current privilege
// level is the RPL of CS; ControlRegs.cpl mirrors it for the MMU. Rings 1 and 2 are not modelled:
// a transfer that would enter them raises #GP(selector) instead.
//
// - Privileged instructions (hlt, lgdt, lidt, ltr, mov to/from CRn, wrmsr, rdmsr, invlpg, swapgs,
//   sysret) raise #GP(0) at CPL > 0; cli/sti raise #GP(0) when CPL > IOPL (no CR4.PVI/VME).
// - in/out at CPL > IOPL consult the TSS I/O permission bitmap: every bit for port..port+size−1
//   must be clear, and the bitmap bytes read must lie within the TSS limit; else #GP(0).
// - An interrupt or exception whose handler's code segment is more privileged than CPL switches
//   to TSS.RSP[new CPL] (an IST stack wins when the gate names one), loads SS with the null
//   selector (RPL = new CPL), and pushes the interrupted SS:RSP. A handler segment less
//   privileged than CPL is #GP(selector).
// - iretq to an outer level checks CS (RPL ≥ CPL, 64-bit code, DPL = RPL, present) and SS (not
//   null, RPL = CS.RPL, writable data, DPL = CS.RPL, present); at CPL > 0 it keeps IOPL, and IF
//   unless CPL ≤ IOPL. Deviation: an iretq from CPL 0 to CPL 0 pops without re-checking the
//   selectors (every handler return of the kernel does so; the checks cost a GDT read each).
import { decodeSegmentDescriptor, tssIstOffset, tssRspOffset, TSS_IOMAP_BASE, type CodeDescriptor, type Gate, type SegmentDescriptor } from './descriptors.js';
import { CpuFault, Vector } from './faults.js';
import type { Cpu } from './cpu.js';

export const RFLAGS_IOPL = 3 << 12;
const RFLAGS_IF = 1 << 9;

/** A gate as delivery uses it: the CPL its handler runs at (the DPL of its code segment). */
export interface EntryGate extends Gate {
  readonly cpl: 0 | 3;
}

/** Load CS: the CPL is its RPL. */
export function setCs(cpu: Cpu, selector: number): void {
  cpu.cs = selector & 0xffff;
  cpu.regs.cpl = (selector & 3) === 0 ? 0 : 3;
}

export function iopl(cpu: Cpu): number {
  return (cpu.rflags >>> 12) & 3;
}

/** A CPL-0-only instruction: #GP(0) at CPL 3 (delivered; the instruction restarts if the handler returns). */
export function requireCpl0(cpu: Cpu): void {
  while (cpu.regs.cpl !== 0) cpu.exception(Vector.GP, 0);
}

/** cli / sti: CPL ≤ IOPL, else #GP(0). */
export function requireIopl(cpu: Cpu): void {
  while (cpu.regs.cpl > iopl(cpu)) cpu.exception(Vector.GP, 0);
}

/** May the current CPL access `size` ports from `port`? (IOPL, then the TSS I/O permission bitmap.) */
export function ioPermitted(cpu: Cpu, port: number, size: number): boolean {
  if (cpu.regs.cpl <= iopl(cpu)) return true;
  const limit = cpu.system.tssLimit;
  if (!cpu.tssBase || limit < TSS_IOMAP_BASE + 1) return false;
  try {
    const mapBase = cpu.sysRead32(cpu.tssBase + TSS_IOMAP_BASE - 2) >>> 16;
    const at = mapBase + (port >>> 3);
    if (at + 1 > limit) return false; // the CPU reads two bytes of the bitmap: both must be inside the TSS
    const bits = cpu.sysRead32(cpu.tssBase + at) & 0xffff;
    const mask = ((1 << size) - 1) << (port & 7);
    return (bits & mask) === 0;
  } catch (err) {
    if (err instanceof CpuFault) return false;
    throw err;
  }
}

export function requireIo(cpu: Cpu, port: number, size: number): void {
  while (!ioPermitted(cpu, port, size)) cpu.exception(Vector.GP, 0);
}

/** The gate's handler segment decides the new CPL; it may not be less privileged than the current one. */
export function targetCpl(cpu: Cpu, gate: Gate, target: CodeDescriptor): EntryGate {
  if (target.dpl > cpu.regs.cpl || (target.dpl !== 0 && target.dpl !== 3)) throw new CpuFault(Vector.GP, gate.selector & 0xfffc);
  return { ...gate, cpl: target.dpl === 0 ? 0 : 3 };
}

/** The RSP the handler's frame is pushed below: IST, TSS.RSP0 on a privilege change, or the current stack. */
export function entryRsp(cpu: Cpu, gate: EntryGate): number {
  if (gate.ist === 0 && gate.cpl === cpu.regs.cpl) return cpu.rsp;
  if (!cpu.tssBase) throw new CpuFault(Vector.TS, cpu.tr & 0xfffc);
  return cpu.sysRead64(cpu.tssBase + (gate.ist ? tssIstOffset(gate.ist) : tssRspOffset(gate.cpl)));
}

/** Enter the handler's code segment; a privilege change loads SS with the null selector (RPL = new CPL). */
export function enterGate(cpu: Cpu, gate: EntryGate): void {
  if (gate.cpl !== cpu.regs.cpl) cpu.ss = gate.cpl;
  setCs(cpu, (gate.selector & 0xfffc) | gate.cpl);
}

/** A code or data descriptor named by `selector` in the GDT; #GP(selector) if it is null, in the LDT or past the limit. */
export function segmentDescriptor(cpu: Cpu, selector: number): SegmentDescriptor {
  const index = selector & 0xfff8;
  if (index === 0 || (selector & 4) !== 0 || index + 7 > cpu.gdtr.limit) throw new CpuFault(Vector.GP, selector & 0xfffc);
  const at = cpu.gdtr.base + index;
  return decodeSegmentDescriptor(cpu.sysRead32(at), cpu.sysRead32(at + 4));
}

/** The checks of an iretq (or far return) to `cs`/`ss`: AMD64 IRET, 64-bit mode. */
function checkReturn(cpu: Cpu, cs: number, ss: number): void {
  const rpl = cs & 3;
  if ((cs & 0xfffc) === 0) throw new CpuFault(Vector.GP, 0);
  if (rpl < cpu.regs.cpl || rpl === 1 || rpl === 2) throw new CpuFault(Vector.GP, cs & 0xfffc);
  const code = segmentDescriptor(cpu, cs);
  if (!code.user || !code.code || !code.long || (!code.conforming && code.dpl !== rpl)) throw new CpuFault(Vector.GP, cs & 0xfffc);
  if (!code.present) throw new CpuFault(Vector.NP, cs & 0xfffc);
  if (rpl === 0) return; // returning to CPL 0: a null SS is allowed
  if ((ss & 0xfffc) === 0) throw new CpuFault(Vector.GP, 0);
  if ((ss & 3) !== rpl) throw new CpuFault(Vector.GP, ss & 0xfffc);
  const data = segmentDescriptor(cpu, ss);
  if (!data.user || !data.writable || data.dpl !== rpl) throw new CpuFault(Vector.GP, ss & 0xfffc);
  if (!data.present) throw new CpuFault(Vector.SS, ss & 0xfffc);
}

function canonical(addr: number): boolean {
  return (addr >= 0 && addr < 0x800000000000) || (addr >= 0xffff800000000000 && addr < 2 ** 64);
}

/** Pop RIP, CS, RFLAGS, RSP, SS at `frame` and return through them; a failed check is a fault, delivered, then iretq again. */
export function iretq(cpu: Cpu, frame: number): void {
  for (;;) {
    try {
      popReturn(cpu, frame);
      return;
    } catch (err) {
      cpu.fault(err);
    }
  }
}

function popReturn(cpu: Cpu, frame: number): void {
  const rip = cpu.sysRead64(frame);
  const cs = cpu.sysRead64(frame + 8) & 0xffff;
  const popped = cpu.sysRead64(frame + 16) % 2 ** 32;
  const rsp = cpu.sysRead64(frame + 24);
  const ss = cpu.sysRead64(frame + 32) & 0xffff;
  const cpl = cpu.regs.cpl;
  if (cpl !== 0 || (cs & 3) !== 0) {
    checkReturn(cpu, cs, ss);
    if (!canonical(rip)) throw new CpuFault(Vector.GP, 0);
  }
  let rflags = (popped | 2) >>> 0;
  if (cpl !== 0) {
    const keep = RFLAGS_IOPL | (cpl > iopl(cpu) ? RFLAGS_IF : 0);
    rflags = ((rflags & ~keep) | (cpu.rflags & keep)) >>> 0;
  }
  cpu.rip = rip;
  setCs(cpu, cs);
  cpu.rflags = rflags;
  cpu.rsp = rsp;
  cpu.ss = ss;
}
