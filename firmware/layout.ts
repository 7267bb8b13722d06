// Where the bootloader puts things, in physical and virtual memory (bootloader 0.9's layout as
// blog-os-behaviour.md §1.2 describes it; exact addresses are this machine's choice).
export const Layout = {
  /** The active level-4 table (the blog prints "Level 4 page table at: PhysAddr(0x1000)"). */
  l4Table: 0x1000,
  firstTableFrame: 0x10000,
  tableFramesEnd: 0x70000,
  /** The bootloader's GDT, in its own low memory. */
  bootGdt: 0x7000,
  /** BootInfo is written here (physical; identity-mapped). */
  bootInfo: 0x7100,
  /** Real-mode stack top used by the BIOS and early bootloader. */
  biosStack: 0x7c00,
  /** The kernel image: linked at 0x200000, loaded at 0x400000. */
  kernelText: 0x200000,
  kernelTextSize: 0x100000,
  kernelData: 0x300000,
  kernelDataSize: 0x100000,
  kernelPhys: 0x400000,
  /** Kernel stack: a guard page at stackGuard, then stackPages pages. */
  stackGuard: 0x10000000000,
  stackBottom: 0x10000001000,
  stackPages: 512,
  stackPhys: 0x600000,
  /** All physical memory, mapped with 2 MiB pages (feature map_physical_memory). */
  physicalMemoryOffset: 0x18000000000,
  /** Lowest RAM size this layout fits in. */
  minMemory: 16 * 1024 * 1024,
} as const;

export const STACK_TOP = Layout.stackBottom + Layout.stackPages * 0x1000;
