// What the monitor reads from a CPU, on the CPU's thread, with no side effects on the machine:
// registers, descriptor tables, the TSS, the TLB, and memory. Virtual addresses are translated by
// walking the page tables in physical memory here — the MMU is not used, so no Accessed/Dirty bit
// is set, no fault is delivered and the TLB is neither filled nor changed.
import type { Cpu } from '../../cpu/cpu.js';
import { CR0_PG } from '../../cpu/mmu.js';
import { canonicalBits, entryAddress, PageTableFlags, readEntryHi, readEntryLo } from '../../cpu/paging.js';

export interface Registers {
  readonly rip: number; readonly rsp: number; readonly rflags: number;
  readonly cs: number; readonly ss: number; readonly tr: number;
  readonly cr0: number; readonly cr2: number; readonly cr3: number; readonly cr4: number; readonly efer: number; readonly cpl: number;
  readonly gdtr: { base: number; limit: number }; readonly idtr: { base: number; limit: number };
  readonly tssBase: number; readonly icount: number; readonly t: number;
}

export function registers(cpu: Cpu, t: number): Registers {
  const r = cpu.regs;
  return {
    rip: cpu.rip, rsp: cpu.rsp, rflags: cpu.rflags, cs: cpu.cs, ss: cpu.ss, tr: cpu.tr,
    cr0: r.cr0, cr2: cpu.cr2, cr3: r.cr3, cr4: r.cr4, efer: r.efer, cpl: r.cpl,
    gdtr: { ...cpu.gdtr }, idtr: { ...cpu.idtr }, tssBase: cpu.tssBase, icount: cpu.icount, t,
  };
}

/** Physical address of `vaddr` now, or a reason it has none (not canonical, not present). */
export function translate(cpu: Cpu, vaddr: number): number | string {
  if ((cpu.regs.cr0 & CR0_PG) === 0) return vaddr;
  const lin = canonicalBits(vaddr);
  if (lin < 0) return 'not canonical';
  const mem = cpu.memory;
  let table = entryAddress(cpu.regs.cr3 >>> 0, 0);
  const shifts = [39, 30, 21, 12];
  for (let level = 0; level < 4; level++) {
    const index = Math.floor(lin / 2 ** shifts[level]) % 512;
    const at = table + index * 8;
    if (at + 8 > mem.size) return 'page table outside RAM';
    const lo = readEntryLo(mem, at);
    const hi = readEntryHi(mem, at);
    if ((lo & PageTableFlags.PRESENT) === 0) return `not present (level ${4 - level})`;
    const base = entryAddress(lo, hi);
    if (level === 3 || ((level === 1 || level === 2) && (lo & PageTableFlags.HUGE_PAGE) !== 0)) {
      const size = 2 ** shifts[level];
      return base - (base % size) + (lin % size);
    }
    table = base;
  }
  return 'unreachable';
}

/** `len` bytes at `addr` (virtual through the page tables, or physical); unreadable bytes are null. */
export function readMemory(cpu: Cpu, addr: number, len: number, virtual: boolean): Array<number | null> {
  const out: Array<number | null> = [];
  let page = -1;
  let base: number | string = 0;
  for (let i = 0; i < len; i++) {
    const a = addr + i;
    let pa: number | string = a;
    if (virtual) {
      const p = Math.floor(a / 4096);
      if (p !== page) {
        page = p;
        base = translate(cpu, p * 4096);
      }
      pa = typeof base === 'number' ? base + (a % 4096) : base;
    }
    out.push(typeof pa === 'number' && pa >= 0 && pa < cpu.memory.size ? cpu.memory.bytes[pa] : null);
  }
  return out;
}

function u32(bytes: Array<number | null>, at: number): number | null {
  let v = 0;
  for (let i = 3; i >= 0; i--) {
    const b = bytes[at + i];
    if (b === null || b === undefined) return null;
    v = v * 256 + b;
  }
  return v;
}

function u64(bytes: Array<number | null>, at: number): number | null {
  const lo = u32(bytes, at);
  const hi = u32(bytes, at + 4);
  return lo === null || hi === null ? null : hi * 2 ** 32 + lo;
}

export interface Gate { readonly vector: number; readonly offset: number; readonly selector: number; readonly type: number; readonly dpl: number; readonly present: boolean; readonly ist: number }

/** The IDT's present gates (interrupt/trap gates of long mode: 16 bytes each). */
export function idt(cpu: Cpu): Gate[] | string {
  const { base, limit } = cpu.idtr;
  const n = Math.min(256, Math.floor((limit + 1) / 16));
  const bytes = readMemory(cpu, base, n * 16, true);
  const gates: Gate[] = [];
  for (let v = 0; v < n; v++) {
    const at = v * 16;
    const w0 = u32(bytes, at);
    const w1 = u32(bytes, at + 4);
    const w2 = u32(bytes, at + 8);
    if (w0 === null || w1 === null || w2 === null) return `the IDT at 0x${base.toString(16)} is not readable at vector ${v}`;
    const present = (w1 & 0x8000) !== 0;
    if (!present) continue;
    gates.push({
      vector: v, offset: w2 * 2 ** 32 + (w1 & 0xffff0000) + (w0 & 0xffff), selector: w0 >>> 16,
      type: (w1 >>> 8) & 0xf, dpl: (w1 >>> 13) & 3, present, ist: (w1 & 7) >>> 0,
    });
  }
  return gates;
}

/** The GDT's descriptors as raw 64-bit values (a system descriptor's upper half follows it). */
export function gdt(cpu: Cpu): Array<{ index: number; selector: number; value: number | null }> {
  const { base, limit } = cpu.gdtr;
  const n = Math.min(64, Math.floor((limit + 1) / 8));
  const bytes = readMemory(cpu, base, n * 8, true);
  return Array.from({ length: n }, (_, i) => ({ index: i, selector: i * 8, value: u64(bytes, i * 8) }));
}

/** The 64-bit TSS loaded by ltr: RSP0-2 and IST1-7. */
export function tss(cpu: Cpu): { base: number; rsp: Array<number | null>; ist: Array<number | null> } {
  const bytes = readMemory(cpu, cpu.tssBase, 104, true);
  return {
    base: cpu.tssBase,
    rsp: [0, 1, 2].map((i) => u64(bytes, 4 + i * 8)),
    ist: [1, 2, 3, 4, 5, 6, 7].map((i) => u64(bytes, 36 + (i - 1) * 8)),
  };
}

/** The TLB's valid entries: virtual page, 4 KiB frame, rights (T_* bits of cpu/tlb.ts). */
export function tlb(cpu: Cpu, max = 64): { entries: Array<{ page: number; frame: number; perm: number }>; total: number } {
  const t = cpu.mmu.tlb;
  const entries: Array<{ page: number; frame: number; perm: number }> = [];
  let total = 0;
  for (let s = 0; s < t.tag.length; s++) {
    if (t.tag[s] < 0) continue;
    total++;
    if (entries.length < max) entries.push({ page: t.tag[s] * 4096, frame: t.frame[s], perm: t.perm[s] });
  }
  entries.sort((a, b) => a.page - b.page);
  return { entries, total };
}
