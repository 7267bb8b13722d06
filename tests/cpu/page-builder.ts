// Builds 4-level page tables in a PhysicalMemory the way a kernel's mapper would, for the MMU
// tests. Indices are computed here with bigint shifts, independently of cpu/paging.ts.
import { PhysicalMemory } from '../../bus/memory.js';
import { PageTableFlags as F, readEntryHi, readEntryLo, writeEntry, entryAddress } from '../../cpu/paging.js';
import type { ControlRegs } from '../../cpu/mmu.js';
import { CR0_PG, CR0_WP, CR4_PAE, EFER_NXE } from '../../cpu/mmu.js';

export type PageSize = '4K' | '2M' | '1G';
export const SIZE: Record<PageSize, number> = { '4K': 0x1000, '2M': 0x200000, '1G': 0x40000000 };
const LEAF_LEVEL: Record<PageSize, number> = { '4K': 1, '2M': 2, '1G': 3 };

export const PWU = F.PRESENT | F.WRITABLE | F.USER_ACCESSIBLE;

export interface MapOptions {
  size?: PageSize;
  /** Flags of the final entry (PRESENT is added). Default PRESENT | WRITABLE | USER_ACCESSIBLE. */
  flags?: number;
  nx?: boolean;
  /** Flags for intermediate entries this call creates. Default PRESENT | WRITABLE | USER_ACCESSIBLE. */
  parentFlags?: number;
}

export function indexAt(vaddr: number, level: number): number {
  return Number((BigInt(vaddr) >> BigInt(12 + 9 * (level - 1))) & 511n);
}

/** Long-mode control registers as bootloader 0.9 leaves them: PG, WP, PAE, NXE, CPL 0. */
export function kernelRegs(cr3: number): ControlRegs {
  return { cr0: (CR0_PG | CR0_WP | 0x11) >>> 0, cr3, cr4: CR4_PAE, efer: EFER_NXE | 0x500, cpl: 0 };
}

export class PageTables {
  readonly cr3: number;
  /** Physical addresses of every table made, the level-4 table first. */
  readonly tables: number[] = [];
  private next: number;

  constructor(readonly mem: PhysicalMemory, private readonly first = 0x10000, private readonly limit = first + 0x100000) {
    this.next = first;
    this.cr3 = this.allocTable();
  }

  static create(bytes = 4 << 20): PageTables {
    return new PageTables(PhysicalMemory.allocate(bytes));
  }

  allocTable(): number {
    const t = this.next;
    if (t + 0x1000 > this.limit) throw new Error('out of page-table frames');
    this.next += 0x1000;
    this.mem.bytes.fill(0, t, t + 0x1000);
    this.tables.push(t);
    return t;
  }

  /** Map the page of `size` at `vaddr` to `phys`. Returns false (and changes nothing at the leaf) on a conflict. */
  map(vaddr: number, phys: number, o: MapOptions = {}): boolean {
    const size = o.size ?? '4K';
    const leaf = LEAF_LEVEL[size];
    const parentFlags = o.parentFlags ?? PWU;
    let table = this.cr3;
    for (let level = 4; level > leaf; level--) {
      const at = table + indexAt(vaddr, level) * 8;
      const lo = readEntryLo(this.mem, at);
      if ((lo & F.PRESENT) === 0) {
        const t = this.allocTable();
        writeEntry(this.mem, at, t, parentFlags | F.PRESENT);
        table = t;
      } else if ((lo & F.HUGE_PAGE) !== 0) {
        return false;
      } else {
        table = entryAddress(lo, readEntryHi(this.mem, at));
      }
    }
    const at = table + indexAt(vaddr, leaf) * 8;
    if ((readEntryLo(this.mem, at) & F.PRESENT) !== 0) return false;
    const flags = (o.flags ?? PWU) | F.PRESENT | (leaf > 1 ? F.HUGE_PAGE : 0);
    writeEntry(this.mem, at, phys, flags, o.nx ?? false);
    return true;
  }

  /** Physical address of the entry for `vaddr` at `level` (4 = PML4 … 1 = PT); the tables above must exist. */
  entryAt(vaddr: number, level: number): number {
    let table = this.cr3;
    for (let l = 4; l > level; l--) {
      const at = table + indexAt(vaddr, l) * 8;
      table = entryAddress(readEntryLo(this.mem, at), readEntryHi(this.mem, at));
    }
    return table + indexAt(vaddr, level) * 8;
  }

  lo(vaddr: number, level: number): number {
    return readEntryLo(this.mem, this.entryAt(vaddr, level));
  }

  /** Set and clear low-half flags of an entry, as a kernel edits its tables (no flush). */
  edit(vaddr: number, level: number, set: number, clear = 0): void {
    const at = this.entryAt(vaddr, level);
    this.mem.view.setUint32(at, ((readEntryLo(this.mem, at) | set) & ~clear) >>> 0, true);
  }

  /** Point the final 4 KiB entry of `vaddr` at another frame, keeping its flags. */
  retarget(vaddr: number, phys: number): void {
    const at = this.entryAt(vaddr, 1);
    const lo = readEntryLo(this.mem, at);
    writeEntry(this.mem, at, phys, lo & 0xfff, (readEntryHi(this.mem, at) & 0x80000000) !== 0);
  }
}
