// bootloader::bootinfo (bootloader 0.9, feature map_physical_memory): the repr(C) BootInfo the
// bootloader writes and the kernel reads through `&'static BootInfo`. This module is the crate's
// definition, linked by both sides: firmware/bootinfo.ts writes the struct with these offsets, the
// kernel reads it here with loads through the MMU.
//
// Layout (little-endian, 8-byte aligned, 1584 bytes):
//   0     memory_map.entries: [MemoryRegion; 64], each 24 bytes:
//           +0 range.start_frame_number u64, +8 range.end_frame_number u64 (exclusive),
//           +16 region_type u32 (repr(C) enum), +20 padding
//   1536  memory_map.next_entry_index u64 (entries before it are valid)
//   1544  physical_memory_offset u64
//   1552  tls_template { start_addr u64, file_size u64, mem_size u64 } (all zero: no TLS)
//   1576  _non_exhaustive u8
import * as isa from '../../cpu/isa.js';

export const MAX_MEMORY_MAP_SIZE = 64;
export const MEMORY_REGION_BYTES = 24;
export const BootInfoLayout = {
  entries: 0,
  nextEntryIndex: MAX_MEMORY_MAP_SIZE * MEMORY_REGION_BYTES,
  physicalMemoryOffset: MAX_MEMORY_MAP_SIZE * MEMORY_REGION_BYTES + 8,
  tlsTemplate: MAX_MEMORY_MAP_SIZE * MEMORY_REGION_BYTES + 16,
  nonExhaustive: MAX_MEMORY_MAP_SIZE * MEMORY_REGION_BYTES + 40,
  size: MAX_MEMORY_MAP_SIZE * MEMORY_REGION_BYTES + 48,
} as const;

/** MemoryRegionType, in the crate's declaration order (the repr(C) discriminants). */
export enum MemoryRegionType {
  Usable = 0,
  InUse = 1,
  Reserved = 2,
  AcpiReclaimable = 3,
  AcpiNvs = 4,
  BadMemory = 5,
  Kernel = 6,
  KernelStack = 7,
  PageTable = 8,
  Bootloader = 9,
  FrameZero = 10,
  Empty = 11,
  BootInfo = 12,
  Package = 13,
}

export const PAGE_SIZE = 4096;

/** A range of frames with an exclusive upper bound. */
export class FrameRange {
  constructor(readonly start_frame_number: number, readonly end_frame_number: number) {}
  start_addr(): number { return this.start_frame_number * PAGE_SIZE; }
  end_addr(): number { return this.end_frame_number * PAGE_SIZE; }
  is_empty(): boolean { return this.start_frame_number === this.end_frame_number; }
  /** `{:?}`: FrameRange(0x1000..0x2000) */
  debug(): string { return `FrameRange(0x${this.start_addr().toString(16)}..0x${this.end_addr().toString(16)})`; }
}

export interface MemoryRegion {
  readonly range: FrameRange;
  readonly region_type: MemoryRegionType;
}

/** `{:?}` of a MemoryRegion. */
export function memoryRegionDebug(r: MemoryRegion): string {
  return `MemoryRegion { range: ${r.range.debug()}, region_type: ${MemoryRegionType[r.region_type] ?? r.region_type} }`;
}

/** The memory map at `addr`: derefs to the first `next_entry_index` entries. Every read is a load. */
export class MemoryMap {
  constructor(readonly addr: number) {}

  get length(): number {
    return Number(isa.load64(this.addr + BootInfoLayout.nextEntryIndex));
  }

  /** entries[i] (no bounds check against length: the caller iterates). */
  entry(i: number): MemoryRegion {
    const at = this.addr + BootInfoLayout.entries + i * MEMORY_REGION_BYTES;
    const start = Number(isa.load64(at));
    const end = Number(isa.load64(at + 8));
    return { range: new FrameRange(start, end), region_type: isa.load32(at + 16) as MemoryRegionType };
  }

  /** `memory_map.iter()`: lazily, one entry's loads per step. */
  *iter(): Generator<MemoryRegion> {
    const n = this.length;
    for (let i = 0; i < n; i++) yield this.entry(i);
  }
}

/** `&'static BootInfo` at `addr` (the kernel entry's argument). */
export class BootInfo {
  constructor(readonly addr: number) {}

  get memory_map(): MemoryMap {
    return new MemoryMap(this.addr + BootInfoLayout.entries);
  }

  get physical_memory_offset(): number {
    return Number(isa.load64(this.addr + BootInfoLayout.physicalMemoryOffset));
  }
}
