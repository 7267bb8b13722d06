// System instructions: descriptor-table registers, task register, segment reload, control
// registers and MSRs. What `lgdt`, `lidt`, `ltr`, a far return, `mov crN` and `wrmsr` do. All but
// the segment loads are privileged: #GP(0) at CPL 3 (cpu/privilege.ts).
import { decodeSystemDescriptor, TSS_AVAILABLE, TSS_BUSY, TSS_MIN_LIMIT } from './descriptors.js';
import { checkCodeSelector } from './delivery.js';
import { CpuFault, Vector } from './faults.js';
import { CR0_PG, CR4_PGE, EFER_NXE } from './mmu.js';
import { requireCpl0, segmentDescriptor } from './privilege.js';
import { MsrFile } from './syscall.js';
import type { Cpu } from './cpu.js';

export const MSR_EFER = 0xc0000080;
const EFER_WRITABLE = (1 << 0) | (1 << 8) | (1 << 10) | EFER_NXE; // SCE, LME, LMA, NXE

export class SystemUnit {
  /** The limit of the TSS loaded by `ltr` (the hidden part of TR, beside Cpu.tssBase). */
  tssLimit = 0;
  /** STAR, LSTAR, CSTAR, SFMASK, FS.base, GS.base, KernelGSBase. */
  readonly msrs = new MsrFile();

  constructor(private readonly cpu: Cpu) {}

  /** Power-on values of the state this unit keeps. */
  reset(): void {
    this.tssLimit = 0;
    this.msrs.reset();
  }

  lgdt(base: number, limit: number): void {
    requireCpl0(this.cpu);
    this.cpu.gdtr.base = base;
    this.cpu.gdtr.limit = limit & 0xffff;
    this.cpu.boundary();
  }

  lidt(base: number, limit: number): void {
    requireCpl0(this.cpu);
    this.cpu.idtr.base = base;
    this.cpu.idtr.limit = limit & 0xffff;
    this.cpu.tracer.emit(this.cpu.now(), 'cpu.lidt', 'cpu', { base, limit });
    this.cpu.boundary();
  }

  /**
   * Reload CS (the far return the x86_64 crate uses): the selector must name a 64-bit code segment.
   * A far return may not go inward (RPL < CPL: #GP(selector)); at CPL 3 the segment's DPL must be 3.
   */
  loadCs(selector: number): void {
    this.guarded(() => {
      const desc = checkCodeSelector(this.cpu, selector);
      const cpl = this.cpu.regs.cpl;
      if ((selector & 3) < cpl || (cpl !== 0 && desc.dpl !== cpl)) throw new CpuFault(Vector.GP, selector & 0xfffc);
      this.cpu.cs = selector & 0xffff;
    });
    this.cpu.boundary();
  }

  /**
   * Load SS (null is allowed in 64-bit mode at CPL 0). At CPL 3 the selector must not be null, its
   * RPL and the descriptor's DPL must be 3, and it must be a writable data segment: #GP(selector).
   */
  loadSs(selector: number): void {
    if (this.cpu.regs.cpl !== 0) {
      this.guarded(() => {
        if ((selector & 0xfffc) === 0) throw new CpuFault(Vector.GP, 0);
        const d = segmentDescriptor(this.cpu, selector);
        if ((selector & 3) !== 3 || d.dpl !== 3 || !d.user || !d.writable) throw new CpuFault(Vector.GP, selector & 0xfffc);
        if (!d.present) throw new CpuFault(Vector.SS, selector & 0xfffc);
      });
    }
    this.cpu.ss = selector & 0xffff;
    this.cpu.boundary();
  }

  /** `ltr`: the selector must name an available 64-bit TSS; the CPU marks its descriptor busy. */
  ltr(selector: number): void {
    const cpu = this.cpu;
    requireCpl0(cpu);
    this.guarded(() => {
      const index = selector & 0xfff8;
      if (index === 0 || (selector & 4) !== 0 || index + 15 > cpu.gdtr.limit) throw new CpuFault(Vector.GP, selector & 0xfffc);
      const at = cpu.gdtr.base + index;
      const d1 = cpu.sysRead32(at + 4);
      const d = decodeSystemDescriptor(cpu.sysRead32(at), d1, cpu.sysRead32(at + 8));
      // S (bit 12 of dword 1) must be 0: a code or data segment with type nibble 9 is no TSS.
      if ((d1 & 0x1000) !== 0 || d.type !== TSS_AVAILABLE || d.limit < TSS_MIN_LIMIT) throw new CpuFault(Vector.GP, selector & 0xfffc);
      if (!d.present) throw new CpuFault(Vector.NP, selector & 0xfffc);
      // Busy bit: type 0x9 → 0xB in the descriptor in memory.
      const pa = cpu.mmu.translate(at + 4, 1);
      cpu.memory.view.setUint32(pa, (d1 & ~0xf00) | (TSS_BUSY << 8), true);
      cpu.tr = selector & 0xffff;
      cpu.tssBase = d.base;
      this.tssLimit = d.limit;
    });
    cpu.boundary();
  }

  writeCr0(value: number): void {
    requireCpl0(this.cpu);
    const r = this.cpu.regs;
    const pagingChanged = ((r.cr0 ^ value) & CR0_PG) !== 0;
    r.cr0 = value >>> 0;
    if (pagingChanged) this.cpu.mmu.flush();
    this.cpu.boundary();
  }

  writeCr3(value: number): void {
    requireCpl0(this.cpu);
    this.cpu.regs.cr3 = value;
    this.cpu.mmu.flush(); // a CR3 write flushes the TLB (non-global entries; all, here)
    this.cpu.tracer.emit(this.cpu.now(), 'cpu.tlb_flush', 'cpu', { cause: 'cr3', cr3: value });
    this.cpu.boundary();
  }

  writeCr4(value: number): void {
    requireCpl0(this.cpu);
    const r = this.cpu.regs;
    const pgeChanged = ((r.cr4 ^ value) & CR4_PGE) !== 0;
    r.cr4 = value >>> 0;
    if (pgeChanged) this.cpu.mmu.flush();
    this.cpu.boundary();
  }

  invlpg(addr: number): void {
    requireCpl0(this.cpu);
    this.cpu.mmu.invlpg(addr);
    this.cpu.tracer.emit(this.cpu.now(), 'cpu.tlb_flush', 'cpu', { cause: 'invlpg', addr });
    this.cpu.boundary();
  }

  /** `mov reg, crN` (also privileged). */
  readCr(n: 0 | 2 | 3 | 4): number {
    requireCpl0(this.cpu);
    this.cpu.boundary();
    const r = this.cpu.regs;
    return n === 0 ? r.cr0 : n === 2 ? this.cpu.cr2 : n === 3 ? r.cr3 : r.cr4;
  }

  wrmsr(msr: number, value: number): void {
    requireCpl0(this.cpu);
    if (msr === MSR_EFER) {
      this.cpu.regs.efer = value & EFER_WRITABLE;
    } else {
      // An MSR this CPU does not have, or a non-canonical address in an address MSR: #GP(0).
      this.guarded(() => { if (!this.msrs.write(msr, value)) throw new CpuFault(Vector.GP, 0); });
    }
    this.cpu.boundary();
  }

  rdmsr(msr: number): number {
    requireCpl0(this.cpu);
    let v = 0;
    if (msr === MSR_EFER) v = this.cpu.regs.efer;
    else {
      this.guarded(() => {
        const r = this.msrs.read(msr);
        if (r === undefined) throw new CpuFault(Vector.GP, 0);
        v = r;
      });
    }
    this.cpu.boundary();
    return v;
  }

  /**
   * Run an instruction's checks and effects; a fault is delivered and, if its handler returns, the
   * instruction runs again (a fault restarts the faulting instruction; nothing was committed).
   */
  private guarded(f: () => void): void {
    for (;;) {
      try {
        f();
        return;
      } catch (err) {
        this.cpu.fault(err);
      }
    }
  }
}
