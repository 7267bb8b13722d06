// The x86_64 page-table entry format (4-level paging), as the MMU reads it and as a kernel or a test
// writes it. An entry is 64 bits; the MMU reads it as two little-endian 32-bit halves so that the
// walk never allocates a bigint. Flags in the low half are `PageTableFlags`; the only flag in the
// high half is NO_EXECUTE (bit 63 = bit 31 of the high half).
import type { PhysicalMemory } from '../bus/memory.js';

/** Entry flags held in the low 32-bit half (bits 0–11), named as the x86_64 crate names them. */
export const PageTableFlags = {
  PRESENT: 1 << 0,
  WRITABLE: 1 << 1,
  USER_ACCESSIBLE: 1 << 2,
  WRITE_THROUGH: 1 << 3,
  NO_CACHE: 1 << 4,
  ACCESSED: 1 << 5, // set by the CPU on every entry a translation uses
  DIRTY: 1 << 6, // set by the CPU in the final entry on a write
  HUGE_PAGE: 1 << 7, // 1 GiB page in a level-3 entry, 2 MiB page in a level-2 entry; reserved in level 4
  GLOBAL: 1 << 8,
  BIT_9: 1 << 9, // 9–11: available to the OS
  BIT_10: 1 << 10,
  BIT_11: 1 << 11,
} as const;

/** Bit 63, seen in the high 32-bit half. Honoured when EFER.NXE is set, a reserved bit otherwise. */
export const NO_EXECUTE_HI = 0x80000000;

/** The high-half bits that hold physical-address bits 32..51. */
export const ADDR_HI_MASK = 0x000fffff;
/** The low-half bits that hold physical-address bits 12..31. */
export const ADDR_LO_MASK = 0xfffff000;

export const PAGE_SIZE_4K = 0x1000;
export const PAGE_SIZE_2M = 0x200000;
export const PAGE_SIZE_1G = 0x40000000;
export const ENTRIES_PER_TABLE = 512;

const TWO_32 = 0x1_0000_0000;

/** Physical address (bits 12..51) held by an entry, from its two halves. */
export function entryAddress(lo: number, hi: number): number {
  return (hi & ADDR_HI_MASK) * TWO_32 + ((lo & ADDR_LO_MASK) >>> 0);
}

/** Flags of an entry in the low half (bits 0–11). */
export function entryFlags(lo: number): number {
  return lo & 0xfff;
}

export function entryNoExecute(hi: number): boolean {
  return (hi & NO_EXECUTE_HI) !== 0;
}

/** Read the low half of the entry at physical address `at`. */
export function readEntryLo(mem: PhysicalMemory, at: number): number {
  return mem.view.getUint32(at, true);
}

/** Read the high half of the entry at physical address `at`. */
export function readEntryHi(mem: PhysicalMemory, at: number): number {
  return mem.view.getUint32(at + 4, true);
}

/** Write an entry: physical address `phys` (4 KiB aligned, < 2^52), low-half `flags`, and NO_EXECUTE. */
export function writeEntry(mem: PhysicalMemory, at: number, phys: number, flags: number, noExecute = false): void {
  if (phys % PAGE_SIZE_4K !== 0 || phys < 0 || phys >= 2 ** 52) throw new RangeError(`frame address 0x${phys.toString(16)} is not a 4 KiB-aligned 52-bit address`);
  const lo = (phys % TWO_32) + (flags & 0xfff);
  const hi = Math.floor(phys / TWO_32) + (noExecute ? NO_EXECUTE_HI : 0);
  mem.view.setUint32(at, lo >>> 0, true);
  mem.view.setUint32(at + 4, hi >>> 0, true);
}

/** The flags of an entry in the x86_64 crate's Debug style, e.g. `PRESENT | WRITABLE | ACCESSED`. */
export function formatFlags(lo: number, hi: number): string {
  const names: string[] = [];
  for (const [name, bit] of Object.entries(PageTableFlags)) if ((lo & bit) !== 0) names.push(name);
  if ((hi & NO_EXECUTE_HI) !== 0) names.push('NO_EXECUTE');
  return names.length > 0 ? names.join(' | ') : '(empty)';
}

/** Lowest and highest canonical addresses of the upper half, as doubles (both exact). */
export const LOWER_HALF_END = 2 ** 47; // first non-canonical address above the lower half
export const UPPER_HALF_START = 2 ** 64 - 2 ** 47; // 0xffff_8000_0000_0000
const SIGN_EXTENSION = 2 ** 64 - 2 ** 48; // 0xffff_0000_0000_0000

/**
 * The 48 significant bits of a canonical address, or -1 when it is not canonical. The upper half is
 * mapped onto [2^47, 2^48); subtracting 0xffff_0000_0000_0000 is exact (Sterbenz), though an
 * upper-half double has already lost its low bits (it is a multiple of 4096 there).
 */
export function canonicalBits(vaddr: number): number {
  if (vaddr >= 0 && vaddr < LOWER_HALF_END) return vaddr;
  if (vaddr >= UPPER_HALF_START && vaddr < 2 ** 64) return vaddr - SIGN_EXTENSION;
  return -1;
}

export interface PageTableIndices { l4: number; l3: number; l2: number; l1: number; offset: number }

/** Split a canonical virtual address into its four table indices and page offset (blog post 08). */
export function pageTableIndices(vaddr: number): PageTableIndices {
  const lin = canonicalBits(vaddr);
  if (lin < 0 || !Number.isInteger(vaddr)) throw new RangeError(`0x${vaddr.toString(16)} is not a canonical address`);
  const vpn = Math.floor(lin / PAGE_SIZE_4K);
  return {
    l4: Math.floor(vpn / 2 ** 27) & 511,
    l3: Math.floor(vpn / 2 ** 18) & 511,
    l2: Math.floor(vpn / 2 ** 9) & 511,
    l1: vpn & 511,
    offset: lin % PAGE_SIZE_4K,
  };
}
