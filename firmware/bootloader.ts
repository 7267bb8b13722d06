// bootloader 0.9, stage 4: build the page tables the kernel expects (blog-os-behaviour.md §1.2),
// load the kernel image at its link address, set up its stack above a guard page, turn on
// long-mode paging with CR0.WP and EFER.NXE, and call the kernel's entry. All with real stores
// and control-register writes.
import * as isa from '../cpu/isa.js';
import { FIRMWARE_TEXT } from '../cpu/text.js';
import { kernelDataImage } from '../kernel/statics.js';
import type { TableFramesUsed } from './bootinfo.js';
import { Layout } from './layout.js';

const PRESENT = 1;
const WRITABLE = 2;
const HUGE = 1 << 7;
const NX_HI = 0x80000000;

/** Page-table frames come from low memory, 0x10000..0x70000 (the level-4 table is at 0x1000). */
class TableFrames {
  private next = Layout.firstTableFrame;
  take(): number {
    const frame = this.next;
    if (frame + 0x1000 > Layout.tableFramesEnd) throw new Error('bootloader: out of page-table frames');
    this.next += 0x1000;
    for (let i = 0; i < 0x1000; i += 4) isa.store32(frame + i, 0);
    return frame;
  }
  /** What the bootloader's memory map marks as PageTable: the level-4 table and the frames taken. */
  get used(): TableFramesUsed {
    return { l4: Layout.l4Table, start: Layout.firstTableFrame, end: this.next };
  }
}

function writeEntry(at: number, phys: number, flags: number, nx = false): void {
  isa.store32(at, (phys % 0x100000000) + flags);
  isa.store32(at + 4, Math.floor(phys / 0x100000000) + (nx ? NX_HI : 0));
}

function entryAt(table: number, index: number): number {
  return table + index * 8;
}

/** The table an entry points to, creating it (present + writable) when missing. */
function nextTable(frames: TableFrames, table: number, index: number): number {
  const at = entryAt(table, index);
  const lo = isa.load32(at);
  if (lo & PRESENT) return Math.floor(lo / 0x1000) * 0x1000 + (isa.load32(at + 4) & 0xfffff) * 0x100000000;
  const t = frames.take();
  writeEntry(at, t, PRESENT | WRITABLE);
  return t;
}

function indices(vaddr: number): [number, number, number, number] {
  const vpn = Math.floor(vaddr / 0x1000);
  return [Math.floor(vpn / 134217728) % 512, Math.floor(vpn / 262144) % 512, Math.floor(vpn / 512) % 512, vpn % 512];
}

function map4k(frames: TableFrames, vaddr: number, phys: number, flags: number, nx: boolean): void {
  const [i4, i3, i2, i1] = indices(vaddr);
  const l3 = nextTable(frames, Layout.l4Table, i4);
  const l2 = nextTable(frames, l3, i3);
  const l1 = nextTable(frames, l2, i2);
  writeEntry(entryAt(l1, i1), phys, flags | PRESENT, nx);
}

function map2m(frames: TableFrames, vaddr: number, phys: number, flags: number): void {
  const [i4, i3, i2] = indices(vaddr);
  const l3 = nextTable(frames, Layout.l4Table, i4);
  const l2 = nextTable(frames, l3, i3);
  writeEntry(entryAt(l2, i2), phys, flags | PRESENT | HUGE);
}

export interface LoadedKernel {
  readonly tableFrames: TableFramesUsed;
}

/** Build the address space. Runs with paging off: every address here is physical. */
export const buildPageTables = isa.fn('bootloader::page_table::map_kernel', (memoryBytes: number): LoadedKernel => {
  const frames = new TableFrames();
  for (let i = 0; i < 0x1000; i += 4) isa.store32(Layout.l4Table + i, 0);
  // Identity-map the first MiB (the bootloader itself, VGA at 0xb8000), except page 0 (null).
  for (let a = 0x1000; a < 0x100000; a += 0x1000) map4k(frames, a, a, WRITABLE, false);
  // The kernel image: text read-only and executable, statics writable and NX, zeroed (.bss).
  for (let off = 0; off < Layout.kernelTextSize; off += 0x1000) map4k(frames, Layout.kernelText + off, Layout.kernelPhys + off, 0, false);
  for (let off = 0; off < Layout.kernelDataSize; off += 0x1000) {
    const phys = Layout.kernelPhys + Layout.kernelTextSize + off;
    map4k(frames, Layout.kernelData + off, phys, WRITABLE, true);
    for (let i = 0; i < 0x1000; i += 4) isa.store32(phys + i, 0);
  }
  // The image's .data bytes (statics with an initial value) over the zeroed region.
  const dataPhys = Layout.kernelPhys + Layout.kernelTextSize - Layout.kernelData;
  for (const [at, bytes] of kernelDataImage()) bytes.forEach((b, i) => isa.store8(dataPhys + at + i, b));
  // The kernel stack, above an unmapped guard page.
  for (let p = 0; p < Layout.stackPages; p++) {
    map4k(frames, Layout.stackBottom + p * 0x1000, Layout.stackPhys + p * 0x1000, WRITABLE, true);
  }
  // map_physical_memory: all of RAM at physical_memory_offset, with 2 MiB pages.
  for (let phys = 0; phys < memoryBytes; phys += 0x200000) map2m(frames, Layout.physicalMemoryOffset + phys, phys, WRITABLE);
  return { tableFrames: frames.used };
}, { region: FIRMWARE_TEXT });

const CR0_PE = 1;
const CR0_WP = 1 << 16;
const CR0_PG = 0x80000000;
const CR4_PAE = 1 << 5;
const EFER_LME = 1 << 8;
const EFER_NXE = 1 << 11;
const MSR_EFER = 0xc0000080;

/** Long mode with paging: CR3 → level-4 table, PAE, LME + NXE, then PG with WP. */
export const enablePaging = isa.fn('bootloader::enable_paging', () => {
  isa.writeCr3(Layout.l4Table);
  isa.writeCr4(CR4_PAE);
  isa.wrmsr(MSR_EFER, EFER_LME | EFER_NXE);
  isa.writeCr0((CR0_PE | CR0_WP | CR0_PG) >>> 0);
}, { region: FIRMWARE_TEXT });

/** The bootloader's own GDT: null and a 64-bit code segment (selector 0x08). */
export const loadBootGdt = isa.fn('bootloader::gdt::load', () => {
  isa.store64(Layout.bootGdt, 0n);
  isa.store64(Layout.bootGdt + 8, 0x00af9b000000ffffn);
  isa.lgdt(Layout.bootGdt, 15);
  isa.loadCs(0x08);
  isa.loadSs(0); // SS is the null selector when the kernel starts
}, { region: FIRMWARE_TEXT });

/** The Rust stage's clear_screen: zero the first 2000 bytes of 0xb8000 (the top 12.5 rows). */
export const clearScreen = isa.fn('bootloader::clear_screen', () => {
  for (let i = 0; i < 2000; i += 4) isa.store32(0xb8000 + i, 0);
}, { region: FIRMWARE_TEXT });
