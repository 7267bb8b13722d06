// The MMU: linear → physical translation by a 4-level page walk over tables in simulated physical
// memory (4 KiB, 2 MiB and 1 GiB pages), behind a TLB (cpu/tlb.ts) that only INVLPG and a CR3
// write flush, so a kernel that forgets to flush sees its stale mapping as it would on hardware.
//
// Rules (Intel SDM vol. 3 §4.5–4.10, AMD APM vol. 2 §5):
// - W and U are ANDed across the levels, NX is ORed. A user (CPL 3) access needs U; a user write
//   needs W; a supervisor write needs W only when CR0.WP is set; a fetch from an NX page faults
//   when EFER.NXE is set (with NXE clear, bit 63 is a reserved bit). SMEP/SMAP/PKE: not modelled.
// - Error code: P = the page was present (protection or reserved-bit fault), W = write, U = CPL 3,
//   RSVD = reserved bit set in an entry, I = instruction fetch (only when NXE is set, per the SDM).
// - Accessed is set in every entry of a successful walk; Dirty in the final entry on a write. A
//   walk that faults changes nothing. A #PF drops the TLB entry of the faulting page (SDM §4.10.4.1),
//   so a kernel that fixes a mapping and returns from its handler sees the fix.
// - A TLB hit re-checks the cached effective rights against the current CPL, CR0.WP and EFER.NXE
//   (they can change without a flush). The first write through an entry cached without Dirty
//   re-walks, so Dirty is set in the entry the tables hold now (a write through a remembered
//   entry address could corrupt an entry the kernel has since reused).
import type { PhysicalMemory } from '../bus/memory.js';
import { CpuFault, PF_FETCH, PF_PRESENT, PF_RESERVED, PF_USER, PF_WRITE, Vector } from './faults.js';
import { ADDR_HI_MASK, NO_EXECUTE_HI, PageTableFlags, canonicalBits, entryAddress } from './paging.js';
import { T_DIRTY, T_HUGE_1G, T_HUGE_2M, T_NX, T_USER, T_WRITABLE, Tlb } from './tlb.js';

export { pageTableIndices, type PageTableIndices } from './paging.js';

// A const enum: tsc writes the number at each use, so a call site passes a constant (the hit path then folds
// its per-kind choice) instead of loading a property of a module object.
export const enum Access { Read = 0, Write = 1, Fetch = 2 }

/** The control state the MMU reads on every access (the CPU's own object: no copies to keep in sync). */
export interface ControlRegs {
  cr0: number;
  /** Physical address of the level-4 table in bits 12..51 (low bits: PWT/PCD or PCID, ignored). */
  cr3: number;
  cr4: number;
  efer: number;
  cpl: 0 | 3;
}

export const CR0_PG = 0x80000000;
export const CR0_WP = 1 << 16;
export const CR4_PAE = 1 << 5;
export const CR4_PGE = 1 << 7;
export const EFER_NXE = 1 << 11;

const PAGE = 4096;
const { PRESENT, WRITABLE, USER_ACCESSIBLE, ACCESSED, DIRTY, HUGE_PAGE } = PageTableFlags;
/** VPN divisor giving each level's index: level n index = floor(vpn / 512^(n-1)) & 511. */
const LEVEL_DIV = [0, 1, 512, 262144, 134217728];
/** MAXPHYADDR is 52, so no address bit of an entry is reserved; only these are. */
const RESERVED_1G = 0x3fffe000; // bits 13..29 of a 1 GiB page entry (bit 12 is PAT)
const RESERVED_2M = 0x001fe000; // bits 13..20 of a 2 MiB page entry

/** Does an access of `size` bytes at `vaddr` span two pages? Then the CPU translates each part. */
export function crossesPage(vaddr: number, size: number): boolean {
  return (vaddr % PAGE) + size > PAGE;
}

export class Mmu {
  readonly tlb: Tlb;
  private readonly tag: Float64Array;
  private readonly frame: Float64Array;
  private readonly perm: Uint8Array;
  private readonly mask: number;
  /** CR0, CPL and EFER when the last translations were remembered: a change to any of them forgets them. */
  private seenCr0 = -1;
  private seenCpl = -1;
  private seenEfer = -1;
  private hits = 0;
  private misses = 0;
  private walks = 0;
  /** Physical addresses of the entries the current walk used, by level (reused: no allocation). */
  private readonly path = new Float64Array(5);

  constructor(private readonly memory: PhysicalMemory, private readonly regs: ControlRegs, tlbSets = 4096) {
    this.tlb = new Tlb(tlbSets);
    this.tag = this.tlb.tag;
    this.frame = this.tlb.frame;
    this.perm = this.tlb.perm;
    this.mask = this.tlb.mask;
  }

  /** TLB hits (last-translation hits included), misses, and page walks. */
  get stats(): { hits: number; misses: number; walks: number } {
    return { hits: this.hits, misses: this.misses, walks: this.walks };
  }

  /**
   * Linear → physical for an access that stays inside one 4 KiB page. Throws CpuFault(#PF, code,
   * cr2 = vaddr), or #GP(0) for a non-canonical address. With CR0.PG clear: identity, no checks
   * (there is no long mode without paging, so no canonical rule either). PG without CR4.PAE would
   * be 32-bit paging, which is not modelled: the 4-level walk is used whenever PG is set.
   */
  translate(vaddr: number, access: Access): number {
    // Hot path, small enough for V8 to inline at its call sites: the page this access kind used
    // last, if CR0, CPL and EFER are what they were then (an address within 4 KiB above a
    // canonical page base is in that page, so canonical too).
    const tlb = this.tlb;
    const off = vaddr - (access === 0 ? tlb.readPage : access === 1 ? tlb.writePage : tlb.fetchPage);
    if (off >= 0 && off < 4096) {
      const regs = this.regs;
      if (regs.cr0 === this.seenCr0 && regs.cpl === this.seenCpl && regs.efer === this.seenEfer) {
        this.hits++;
        return (access === 0 ? tlb.readFrame : access === 1 ? tlb.writeFrame : tlb.fetchFrame) + off;
      }
    }
    return this.lookup(vaddr, access);
  }

  /** The TLB, then the page walk. */
  private lookup(vaddr: number, access: Access): number {
    // Numeric literals instead of the named constants: in Node 20's V8 every module binding read
    // costs a context load and a hole check (measured ~30% of a hit). A test in
    // tests/cpu/mmu.test.ts pins each literal to its name: 0x80000000 CR0_PG, 0x10000 CR0_WP,
    // 0x800 EFER_NXE, 1 Access.Write / T_WRITABLE, 2 Access.Fetch / T_USER, 4 T_NX, 8 T_DIRTY.
    const regs = this.regs;
    if ((regs.cr0 & 0x80000000) === 0) return vaddr;
    let lin = vaddr;
    if (!(vaddr >= 0 && vaddr < 0x800000000000)) {
      lin = canonicalBits(vaddr);
      if (lin < 0) throw new CpuFault(Vector.GP, 0);
    }
    const vpn = Math.floor(lin / 4096);
    const set = vpn & this.mask;
    if (this.tag[set] === vpn) {
      const p = this.perm[set];
      const user = regs.cpl === 3;
      let need = user ? 2 : 0;
      if (access === 1) need |= user || (regs.cr0 & 0x10000) !== 0 ? 9 : 8;
      // An NX entry needs a second look on a fetch, or if EFER.NXE was cleared since (bit 63 is then reserved).
      if ((p & need) === need && ((p & 4) === 0 || (access !== 2 && (regs.efer & 0x800) !== 0))) {
        this.hits++;
        const off = lin - vpn * 4096;
        this.remember(access, vaddr - off, this.frame[set]);
        return this.frame[set] + off;
      }
      return this.hitDenied(p, lin, vaddr, access);
    }
    this.misses++;
    return this.walk(lin, vaddr, access);
  }

  /**
   * An implicit supervisor access (descriptor tables, the TSS, a frame pushed on the RSP0 stack):
   * checked as at CPL 0 whatever the CPL, and a #PF it raises has U clear (SDM vol. 3 §4.6).
   */
  translateSystem(vaddr: number, access: Access): number {
    const regs = this.regs;
    if (regs.cpl === 0) return this.translate(vaddr, access);
    regs.cpl = 0;
    try {
      return this.translate(vaddr, access);
    } finally {
      regs.cpl = 3;
    }
  }

  /** Make the page just translated the access kind's last translation (under the current CR0/CPL/EFER). */
  private remember(access: Access, page: number, frame: number): void {
    const regs = this.regs;
    if (regs.cr0 !== this.seenCr0 || regs.cpl !== this.seenCpl || regs.efer !== this.seenEfer) {
      this.tlb.forgetLast(); // remembered under other rights
      this.seenCr0 = regs.cr0;
      this.seenCpl = regs.cpl;
      this.seenEfer = regs.efer;
    }
    this.tlb.remember(access, page, frame);
  }

  /** INVLPG: drop the translation of the page containing `vaddr` (a NOP for a non-canonical one). */
  invlpg(vaddr: number): void {
    this.invalidations++;
    const lin = canonicalBits(vaddr);
    if (lin >= 0) this.tlb.invalidatePage(Math.floor(lin / PAGE));
  }

  /** A CR3 write (or a CR4.PGE/PAE/PCIDE or CR0.PG change): drop every translation, global ones too. */
  flush(): void {
    this.invalidations++;
    this.tlb.flush();
  }

  /**
   * INVLPGs and flushes so far. A context switch carries the count with the CPU: a host thread
   * whose TLB was filled before an invalidation it did not see flushes it (loadCpuState, cpu/threads.ts).
   */
  invalidations = 0;

  /** The error-code bits that every #PF of this access carries, whatever its cause. */
  private accessCode(access: Access): number {
    const regs = this.regs;
    return (access === Access.Write ? PF_WRITE : 0)
      | (regs.cpl === 3 ? PF_USER : 0)
      | (access === Access.Fetch && (regs.efer & EFER_NXE) !== 0 ? PF_FETCH : 0);
  }

  /** Is an access with these effective rights a protection violation now? */
  private violates(writable: boolean, userOk: boolean, nx: boolean, access: Access): boolean {
    const regs = this.regs;
    const user = regs.cpl === 3;
    if (user && !userOk) return true;
    if (access === Access.Write && !writable && (user || (regs.cr0 & CR0_WP) !== 0)) return true;
    return access === Access.Fetch && nx && (regs.efer & EFER_NXE) !== 0;
  }

  /** A TLB hit whose cached rights do not allow the access outright. */
  private hitDenied(p: number, lin: number, vaddr: number, access: Access): number {
    // Cached while NXE was set, used after it was cleared: walk again, which reports bit 63 as reserved.
    if ((p & T_NX) !== 0 && (this.regs.efer & EFER_NXE) === 0) return this.walk(lin, vaddr, access);
    if (this.violates((p & T_WRITABLE) !== 0, (p & T_USER) !== 0, (p & T_NX) !== 0, access)) {
      this.hits++;
      this.pageFault(lin, vaddr, this.accessCode(access) | PF_PRESENT);
    }
    // Allowed, but the Dirty bit is not known to be set: walk again to set it.
    return this.walk(lin, vaddr, access);
  }

  private pageFault(lin: number, vaddr: number, code: number): never {
    this.tlb.drop(Math.floor(lin / PAGE));
    throw new CpuFault(Vector.PF, code, vaddr);
  }

  private walk(lin: number, vaddr: number, access: Access): number {
    this.walks++;
    const regs = this.regs;
    const mem = this.memory;
    const view = mem.view;
    const path = this.path;
    const nxe = (regs.efer & EFER_NXE) !== 0;
    const vpn = Math.floor(lin / PAGE);
    let table = Math.floor((regs.cr3 % 2 ** 52) / PAGE) * PAGE;
    let rights = WRITABLE | USER_ACCESSIBLE;
    let nx = false;
    let level = 4;
    let lo = 0;
    let hi = 0;
    for (;;) {
      const at = table + (Math.floor(vpn / LEVEL_DIV[level]) & 511) * 8;
      // A table outside installed RAM reads as zeros: the guest sees a not-present fault.
      if (at + 8 <= mem.size) {
        lo = view.getUint32(at, true);
        hi = view.getUint32(at + 4, true);
      } else {
        lo = 0;
        hi = 0;
      }
      if ((lo & PRESENT) === 0) this.pageFault(lin, vaddr, this.accessCode(access));
      if (reservedBitSet(lo, hi, level, nxe)) this.pageFault(lin, vaddr, this.accessCode(access) | PF_RESERVED | PF_PRESENT);
      rights &= lo;
      if ((hi & NO_EXECUTE_HI) !== 0) nx = true;
      path[level] = at;
      if (level === 1 || (lo & HUGE_PAGE) !== 0) break; // PS in level 4 was rejected as reserved
      table = entryAddress(lo, hi);
      level--;
    }

    const writable = (rights & WRITABLE) !== 0;
    const userOk = (rights & USER_ACCESSIBLE) !== 0;
    if (this.violates(writable, userOk, nx, access)) this.pageFault(lin, vaddr, this.accessCode(access) | PF_PRESENT);

    // The access is allowed: set Accessed on the path, Dirty on the final entry for a write.
    // Re-read each entry before the update: a recursive table can put one entry on the path twice.
    const write = access === Access.Write;
    for (let l = 4; l >= level; l--) {
      const at = path[l];
      const cur = view.getUint32(at, true);
      const next = (cur | ACCESSED | (l === level && write ? DIRTY : 0)) >>> 0;
      if (next !== cur) view.setUint32(at, next, true);
    }

    let frame: number;
    let perm = (writable ? T_WRITABLE : 0) | (userOk ? T_USER : 0) | (nx ? T_NX : 0) | (write || (lo & DIRTY) !== 0 ? T_DIRTY : 0);
    if (level === 1) {
      frame = entryAddress(lo, hi);
    } else if (level === 2) {
      frame = (hi & ADDR_HI_MASK) * 0x1_0000_0000 + ((lo & 0xffe00000) >>> 0) + (vpn % 512) * PAGE;
      perm |= T_HUGE_2M;
    } else {
      frame = (hi & ADDR_HI_MASK) * 0x1_0000_0000 + ((lo & 0xc0000000) >>> 0) + (vpn % 262144) * PAGE;
      perm |= T_HUGE_1G;
    }
    this.tlb.fill(vpn, frame, perm);
    const off = lin % PAGE;
    this.remember(access, vaddr - off, frame);
    return frame + off;
  }
}

/** Reserved bits of a present entry at `level` (4 = PML4 … 1 = PT), with MAXPHYADDR = 52. */
function reservedBitSet(lo: number, hi: number, level: number, nxe: boolean): boolean {
  if (!nxe && (hi & NO_EXECUTE_HI) !== 0) return true;
  if ((lo & HUGE_PAGE) === 0 || level === 1) return false; // bit 7 of a PTE is PAT
  if (level === 4) return true;
  return (lo & (level === 3 ? RESERVED_1G : RESERVED_2M)) !== 0;
}
