// x86_64::structures::paging (crate 0.15) for 4-level paging: PageTableFlags, PageTableEntry and
// PageTable as typed views of tables in memory (every access a 64-bit load or store through the
// MMU), Page/PhysFrame (Size4KiB), FrameAllocator, and OffsetPageTable — the Mapper that reaches
// each table at physical_memory_offset + its frame address (translate, map_to, unmap), returning a
// MapperFlush whose flush() is `invlpg`. Errors print as the crate's Debug.
import * as isa from '../../cpu/isa.js';
import { alignDown, Err, hex, Ok, PhysAddr, VirtAddr, type Debug, type Result } from './addr.js';

export const Size4KiB = 4096;
export const Size2MiB = 0x200000;
export const Size1GiB = 0x40000000;

const bit = (n: number): bigint => 1n << BigInt(n);

/** PageTableFlags as bigint bits (bitflags over the u64 entry), in declaration order. */
export const PageTableFlags = {
  PRESENT: bit(0),
  WRITABLE: bit(1),
  USER_ACCESSIBLE: bit(2),
  WRITE_THROUGH: bit(3),
  NO_CACHE: bit(4),
  ACCESSED: bit(5),
  DIRTY: bit(6),
  HUGE_PAGE: bit(7),
  GLOBAL: bit(8),
  BIT_9: bit(9),
  BIT_10: bit(10),
  BIT_11: bit(11),
  BIT_52: bit(52),
  BIT_53: bit(53),
  BIT_54: bit(54),
  BIT_55: bit(55),
  BIT_56: bit(56),
  BIT_57: bit(57),
  BIT_58: bit(58),
  BIT_59: bit(59),
  BIT_60: bit(60),
  BIT_61: bit(61),
  BIT_62: bit(62),
  NO_EXECUTE: bit(63),
} as const;
export type PageTableFlags = bigint;

const F = PageTableFlags;
const ALL_FLAGS = Object.values(F).reduce((a, b) => a | b, 0n);
const ADDR_MASK = 0x000f_ffff_ffff_f000n;

/** `{:?}` of PageTableFlags: `PageTableFlags(PRESENT | WRITABLE)`, `PageTableFlags(0x0)` when empty. */
export function flagsDebug(flags: PageTableFlags): string {
  const names = Object.entries(F).filter(([, b]) => (flags & b) !== 0n).map(([n]) => n);
  return `PageTableFlags(${names.length ? names.join(' | ') : '0x0'})`;
}

export const contains = (flags: PageTableFlags, other: PageTableFlags): boolean => (flags & other) === other;

export type FrameError = 'FrameNotPresent' | 'HugeFrame';

/** One 64-bit entry at virtual address `at`. */
export class PageTableEntry implements Debug {
  constructor(readonly at: number) {}

  private get raw(): bigint { return isa.load64(this.at); }
  private set raw(v: bigint) { isa.store64(this.at, v); }

  is_unused(): boolean { return this.raw === 0n; }
  set_unused(): void { this.raw = 0n; }
  flags(): PageTableFlags { return this.raw & ALL_FLAGS; }
  addr(): PhysAddr { return PhysAddr.new(Number(this.raw & ADDR_MASK)); }

  /** The 4 KiB frame this entry points to, or why there is none. */
  frame(): Result<PhysFrame, FrameError> {
    const e = this.raw;
    if ((e & F.PRESENT) === 0n) return Err('FrameNotPresent');
    if ((e & F.HUGE_PAGE) !== 0n) return Err('HugeFrame');
    return Ok(PhysFrame.containing_address(PhysAddr.new(Number(e & ADDR_MASK))));
  }

  set_addr(addr: PhysAddr, flags: PageTableFlags): void {
    if (!addr.is_aligned(Size4KiB)) throw new Error('assertion failed: addr.is_aligned(Size4KiB::SIZE)');
    this.raw = BigInt(addr.as_u64()) | flags;
  }

  set_frame(frame: PhysFrame, flags: PageTableFlags): void {
    if (contains(flags, F.HUGE_PAGE)) throw new Error('assertion failed: !flags.contains(PageTableFlags::HUGE_PAGE)');
    this.set_addr(frame.start_address(), flags);
  }

  set_flags(flags: PageTableFlags): void {
    this.raw = (this.raw & ADDR_MASK) | flags;
  }

  /** `{:?}`: PageTableEntry { addr: PhysAddr(0x2000), flags: PageTableFlags(PRESENT | WRITABLE) } */
  debug(): string {
    return `PageTableEntry { addr: ${this.addr().debug()}, flags: ${flagsDebug(this.flags())} }`;
  }
}

export const ENTRY_COUNT = 512;

/** A page table: 512 entries at virtual address `at` (4 KiB aligned). */
export class PageTable {
  constructor(readonly at: number) {}
  /** `table[i]` */
  entry(i: number): PageTableEntry {
    if (!(i >= 0 && i < ENTRY_COUNT)) throw new RangeError(`index out of bounds: the len is 512 but the index is ${i}`);
    return new PageTableEntry(this.at + i * 8);
  }
  /** zero(): every entry unused. */
  zero(): void {
    for (let i = 0; i < ENTRY_COUNT; i++) isa.store64(this.at + i * 8, 0n);
  }
  /** `iter().enumerate()` */
  *entries(): Generator<[number, PageTableEntry]> {
    for (let i = 0; i < ENTRY_COUNT; i++) yield [i, this.entry(i)];
  }
}

/** A 4 KiB virtual page. */
export class Page implements Debug {
  private constructor(private readonly start: VirtAddr) {}
  static containing_address(addr: VirtAddr): Page { return new Page(addr.align_down(Size4KiB)); }
  static from_start_address(addr: VirtAddr): Result<Page, 'AddressNotAligned'> {
    return addr.is_aligned(Size4KiB) ? Ok(new Page(addr)) : Err('AddressNotAligned');
  }
  /** Page::range_inclusive(start, end): every page from start to end, both included. */
  static *range_inclusive(start: Page, end: Page): Generator<Page> {
    for (let a = start.start.as_u64(); a <= end.start.as_u64(); a += Size4KiB) yield new Page(VirtAddr.new(a));
  }
  start_address(): VirtAddr { return this.start; }
  p4_index(): number { return this.start.p4_index(); }
  p3_index(): number { return this.start.p3_index(); }
  p2_index(): number { return this.start.p2_index(); }
  p1_index(): number { return this.start.p1_index(); }
  debug(): string { return `Page[4KiB](${hex(this.start.as_u64())})`; }
}

/** A physical frame of `size` bytes (4 KiB unless a huge page's). */
export class PhysFrame implements Debug {
  private constructor(private readonly start: PhysAddr, readonly size: number) {}
  static containing_address(addr: PhysAddr, size = Size4KiB): PhysFrame { return new PhysFrame(addr.align_down(size), size); }
  static from_start_address(addr: PhysAddr): Result<PhysFrame, 'AddressNotAligned'> {
    return addr.is_aligned(Size4KiB) ? Ok(new PhysFrame(addr, Size4KiB)) : Err('AddressNotAligned');
  }
  start_address(): PhysAddr { return this.start; }
  debug(): string {
    const unit = this.size === Size1GiB ? '1GiB' : this.size === Size2MiB ? '2MiB' : '4KiB';
    return `PhysFrame[${unit}](${hex(this.start.as_u64())})`;
  }
}

/** FrameAllocator<Size4KiB>: a frame, or undefined when there is none. */
export interface FrameAllocator {
  allocate_frame(): PhysFrame | undefined;
}

/** Returned by map_to/unmap: the TLB still holds the old translation until flush(). */
export class MapperFlush {
  constructor(readonly page: Page) {}
  /** `invlpg` the page. */
  flush(): void { isa.invlpg(this.page.start_address().as_u64()); }
  /** Leave the TLB as it is (the caller flushes some other way). */
  ignore(): void {}
}

class ErrorKind<K extends string> implements Debug {
  constructor(readonly kind: K, readonly detail?: Debug) {}
  debug(): string { return this.detail ? `${this.kind}(${this.detail.debug()})` : this.kind; }
  toString(): string { return this.debug(); }
}

export class MapToError extends ErrorKind<'FrameAllocationFailed' | 'ParentEntryHugePage' | 'PageAlreadyMapped'> {
  static readonly FrameAllocationFailed = new MapToError('FrameAllocationFailed');
  static readonly ParentEntryHugePage = new MapToError('ParentEntryHugePage');
  static PageAlreadyMapped(frame: PhysFrame): MapToError { return new MapToError('PageAlreadyMapped', frame); }
}

export class UnmapError extends ErrorKind<'ParentEntryHugePage' | 'PageNotMapped' | 'InvalidFrameAddress'> {
  static readonly ParentEntryHugePage = new UnmapError('ParentEntryHugePage');
  static readonly PageNotMapped = new UnmapError('PageNotMapped');
  static InvalidFrameAddress(addr: PhysAddr): UnmapError { return new UnmapError('InvalidFrameAddress', addr); }
}

export type TranslateResult =
  | { readonly kind: 'Mapped'; readonly frame: PhysFrame; readonly offset: number; readonly flags: PageTableFlags }
  | { readonly kind: 'NotMapped' }
  | { readonly kind: 'InvalidFrameAddress'; readonly addr: PhysAddr };

type WalkError = 'NotMapped' | 'MappedToHugePage';

/**
 * OffsetPageTable: all physical memory is mapped at `phys_offset`, so the table in frame F is at
 * virtual phys_offset + F.
 */
export class OffsetPageTable {
  private constructor(readonly level_4_table: PageTable, readonly phys_offset: VirtAddr) {}

  /** Unsafe in the crate: the caller guarantees the offset mapping and that `level_4_table` is active. */
  static new(level_4_table: PageTable, phys_offset: VirtAddr): OffsetPageTable {
    return new OffsetPageTable(level_4_table, phys_offset);
  }

  private frameToTable(frame: PhysFrame): PageTable {
    return new PageTable(this.phys_offset.as_u64() + frame.start_address().as_u64());
  }

  private nextTable(entry: PageTableEntry): Result<PageTable, WalkError> {
    const frame = entry.frame();
    if (frame.ok) return Ok(this.frameToTable(frame.value));
    return Err(frame.error === 'FrameNotPresent' ? 'NotMapped' : 'MappedToHugePage');
  }

  /** The table `entry` points to, made (zeroed, with `insertFlags`) from a new frame if unused. */
  private createNextTable(entry: PageTableEntry, insertFlags: PageTableFlags, allocator: FrameAllocator): Result<PageTable, MapToError> {
    let created = false;
    if (entry.is_unused()) {
      const frame = allocator.allocate_frame();
      if (!frame) return Err(MapToError.FrameAllocationFailed);
      entry.set_frame(frame, insertFlags);
      created = true;
    } else if (insertFlags !== 0n && !contains(entry.flags(), insertFlags)) {
      entry.set_flags(entry.flags() | insertFlags);
    }
    const table = this.nextTable(entry);
    if (!table.ok) {
      if (table.error === 'MappedToHugePage') return Err(MapToError.ParentEntryHugePage);
      throw new Error('internal error: entered unreachable code'); // a used, non-present entry
    }
    if (created) table.value.zero();
    return table;
  }

  /** Walk the tables for `addr`: its frame (4 KiB, 2 MiB or 1 GiB), offset and leaf flags. */
  translate(addr: VirtAddr): TranslateResult {
    const p4 = this.level_4_table;
    const p3 = this.nextTable(p4.entry(addr.p4_index()));
    if (!p3.ok) {
      if (p3.error === 'NotMapped') return { kind: 'NotMapped' };
      throw new Error('level 4 entry has huge page bit set');
    }
    const p3e = p3.value.entry(addr.p3_index());
    const p2 = this.nextTable(p3e);
    if (!p2.ok) {
      if (p2.error === 'NotMapped') return { kind: 'NotMapped' };
      const frame = PhysFrame.containing_address(p3e.addr(), Size1GiB);
      return { kind: 'Mapped', frame, offset: addr.as_u64() - alignDown(addr.as_u64(), Size1GiB), flags: p3e.flags() };
    }
    const p2e = p2.value.entry(addr.p2_index());
    const p1 = this.nextTable(p2e);
    if (!p1.ok) {
      if (p1.error === 'NotMapped') return { kind: 'NotMapped' };
      const frame = PhysFrame.containing_address(p2e.addr(), Size2MiB);
      return { kind: 'Mapped', frame, offset: addr.as_u64() - alignDown(addr.as_u64(), Size2MiB), flags: p2e.flags() };
    }
    const p1e = p1.value.entry(addr.p1_index());
    if (p1e.is_unused()) return { kind: 'NotMapped' };
    const frame = PhysFrame.from_start_address(p1e.addr());
    if (!frame.ok) return { kind: 'InvalidFrameAddress', addr: p1e.addr() };
    return { kind: 'Mapped', frame: frame.value, offset: addr.page_offset(), flags: p1e.flags() };
  }

  /** Translate::translate_addr: the physical address, or undefined (None) if unmapped. */
  translate_addr(addr: VirtAddr): PhysAddr | undefined {
    const r = this.translate(addr);
    return r.kind === 'Mapped' ? r.frame.start_address().add(r.offset) : undefined;
  }

  /**
   * Mapper::map_to: map `page` to `frame` with `flags`. Intermediate entries get the parent flags
   * (flags ∩ PRESENT|WRITABLE|USER_ACCESSIBLE): a missing table is taken from `allocator` (at most
   * three) and zeroed, an existing entry has them ORed in.
   */
  map_to(page: Page, frame: PhysFrame, flags: PageTableFlags, allocator: FrameAllocator): Result<MapperFlush, MapToError> {
    const parentFlags = flags & (F.PRESENT | F.WRITABLE | F.USER_ACCESSIBLE);
    return this.map_to_with_table_flags(page, frame, flags, parentFlags, allocator);
  }

  map_to_with_table_flags(page: Page, frame: PhysFrame, flags: PageTableFlags, parentFlags: PageTableFlags, allocator: FrameAllocator): Result<MapperFlush, MapToError> {
    const p3 = this.createNextTable(this.level_4_table.entry(page.p4_index()), parentFlags, allocator);
    if (!p3.ok) return p3;
    const p2 = this.createNextTable(p3.value.entry(page.p3_index()), parentFlags, allocator);
    if (!p2.ok) return p2;
    const p1 = this.createNextTable(p2.value.entry(page.p2_index()), parentFlags, allocator);
    if (!p1.ok) return p1;
    const entry = p1.value.entry(page.p1_index());
    if (!entry.is_unused()) {
      const old = entry.frame();
      return Err(MapToError.PageAlreadyMapped(old.ok ? old.value : PhysFrame.containing_address(entry.addr())));
    }
    entry.set_frame(frame, flags);
    return Ok(new MapperFlush(page));
  }

  /** Mapper::unmap: clear the page's entry; the frame it held and a flush to do. */
  unmap(page: Page): Result<[PhysFrame, MapperFlush], UnmapError> {
    let table = this.level_4_table;
    for (const index of [page.p4_index(), page.p3_index(), page.p2_index()]) {
      const next = this.nextTable(table.entry(index));
      if (!next.ok) return Err(next.error === 'NotMapped' ? UnmapError.PageNotMapped : UnmapError.ParentEntryHugePage);
      table = next.value;
    }
    const entry = table.entry(page.p1_index());
    const frame = entry.frame();
    if (!frame.ok) return Err(frame.error === 'FrameNotPresent' ? UnmapError.PageNotMapped : UnmapError.ParentEntryHugePage);
    entry.set_unused();
    return Ok([frame.value, new MapperFlush(page)]);
  }
}
