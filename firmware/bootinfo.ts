// bootloader 0.9: the BootInfo handed to the kernel — the memory map (what every physical frame is
// used for, sorted by start frame) and physical_memory_offset — written with real stores at
// Layout.bootInfo (physical, identity-mapped) before the kernel is called. The struct's layout is
// bootloader::bootinfo's (kernel/x86_64/bootinfo.ts, shared by both sides as the crate is).
import * as isa from '../cpu/isa.js';
import { FIRMWARE_TEXT } from '../cpu/text.js';
import { BootInfoLayout, MAX_MEMORY_MAP_SIZE, MEMORY_REGION_BYTES, MemoryRegionType as T } from '../kernel/x86_64/bootinfo.js';
import { Layout } from './layout.js';

const FRAME = 0x1000;

/** Frames the bootloader's page-table allocator handed out: the level-4 table, then [start, end). */
export interface TableFramesUsed {
  readonly l4: number;
  readonly start: number;
  readonly end: number;
}

export interface Region {
  start: number; // frame numbers, end exclusive
  end: number;
  type: T;
}

/** Paint [start, end) with `type` over the regions (later paint wins), keeping them sorted. */
function paint(regions: Region[], start: number, end: number, type: T): Region[] {
  const out: Region[] = [];
  for (const r of regions) {
    if (r.end <= start || r.start >= end) {
      out.push(r);
      continue;
    }
    if (r.start < start) out.push({ start: r.start, end: start, type: r.type });
    if (r.end > end) out.push({ start: end, end: r.end, type: r.type });
  }
  out.push({ start, end, type });
  return out.sort((a, b) => a.start - b.start);
}

/**
 * The memory map for `memoryBytes` of RAM (frame numbers): everything Usable except frame 0, the
 * bootloader's low area, the VGA/BIOS hole, the page tables, the kernel image, its stack and the
 * BootInfo page. Adjacent regions of one type are merged.
 */
export function memoryRegions(memoryBytes: number, tables: TableFramesUsed): Region[] {
  const frames = Math.floor(memoryBytes / FRAME);
  const f = (addr: number) => Math.floor(addr / FRAME);
  let regions: Region[] = [{ start: 0, end: frames, type: T.Usable }];
  const mark = (start: number, end: number, type: T) => {
    const s = Math.max(0, start);
    const e = Math.min(frames, end);
    if (s < e) regions = paint(regions, s, e, type);
  };
  mark(0, 1, T.FrameZero);
  mark(1, f(Layout.firstTableFrame), T.Bootloader); // GDT, stacks, the real-mode stages
  mark(f(0xa0000), f(0x100000), T.Reserved); // VGA memory and the BIOS ROMs
  mark(f(tables.l4), f(tables.l4) + 1, T.PageTable);
  mark(f(tables.start), f(tables.end), T.PageTable);
  const kernelEnd = Layout.kernelPhys + Layout.kernelTextSize + Layout.kernelDataSize;
  mark(f(Layout.kernelPhys), f(kernelEnd), T.Kernel);
  mark(f(Layout.stackPhys), f(Layout.stackPhys) + Layout.stackPages, T.KernelStack);
  mark(f(Layout.bootInfo), f(Layout.bootInfo + BootInfoLayout.size - 1) + 1, T.BootInfo);
  const merged: Region[] = [];
  for (const r of regions) {
    const last = merged[merged.length - 1];
    if (last && last.type === r.type && last.end === r.start) last.end = r.end;
    else merged.push({ ...r });
  }
  if (merged.length > MAX_MEMORY_MAP_SIZE) throw new Error('bootloader: too many memory regions in memory map');
  return merged;
}

function store64(addr: number, value: number): void {
  isa.store32(addr, value % 0x100000000);
  isa.store32(addr + 4, Math.floor(value / 0x100000000));
}

/** Write the BootInfo at Layout.bootInfo. Runs with paging off: addresses are physical. */
export const writeBootInfo = isa.fn('bootloader::boot_info::create', (memoryBytes: number, tables: TableFramesUsed): void => {
  const at = Layout.bootInfo;
  for (let i = 0; i < BootInfoLayout.size; i += 4) isa.store32(at + i, 0);
  const regions = memoryRegions(memoryBytes, tables);
  for (let i = 0; i < MAX_MEMORY_MAP_SIZE; i++) {
    const entry = at + BootInfoLayout.entries + i * MEMORY_REGION_BYTES;
    const r = regions[i];
    // Unused entries are MemoryRegion::empty(): an empty range of type Empty.
    store64(entry, r ? r.start : 0);
    store64(entry + 8, r ? r.end : 0);
    isa.store32(entry + 16, r ? r.type : T.Empty);
  }
  store64(at + BootInfoLayout.nextEntryIndex, regions.length);
  store64(at + BootInfoLayout.physicalMemoryOffset, Layout.physicalMemoryOffset);
}, { region: FIRMWARE_TEXT });
