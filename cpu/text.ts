// Code addresses. The guest is TypeScript, but its functions still live somewhere: each function
// the firmware or kernel defines gets a slot at a fixed address in a text region (the "linker"),
// so an IDT gate can hold a handler's address, a return address on the stack means something, and
// RIP in an exception frame names the function that was running.

/** Bytes of address space per function: RIP moves inside its function's slot. */
export const SLOT = 0x100;

export interface TextRegion {
  readonly name: string;
  readonly base: number;
  readonly size: number;
}

/** Where the bootloader's code sits (real mode + stage 2 area), and the kernel's link address. */
export const FIRMWARE_TEXT: TextRegion = { name: 'firmware', base: 0x7c00, size: 0x8000 };
export const KERNEL_TEXT: TextRegion = { name: 'kernel', base: 0x200000, size: 0x80000 };
/** User programs' code (CPL 3): each program is linked into its own part of this range. */
export const USER_TEXT: TextRegion = { name: 'user', base: 0x400000, size: 0x400000 };

export type GuestFunction = (...args: any[]) => any;

export interface TextSymbol {
  readonly name: string;
  readonly addr: number;
  readonly impl: GuestFunction;
}

class TextSpace {
  private readonly byIndex = new Map<number, TextSymbol>();
  private readonly next = new Map<string, number>();

  define(region: TextRegion, name: string, impl: GuestFunction): TextSymbol {
    const addr = this.next.get(region.name) ?? region.base;
    if (addr + SLOT > region.base + region.size) throw new Error(`text region ${region.name} is full (${name})`);
    this.next.set(region.name, addr + SLOT);
    const sym = { name, addr, impl };
    this.byIndex.set(addr / SLOT, sym);
    return sym;
  }

  /** Where every region's next function would go: equal on two threads that loaded the same code in the same order. */
  layout(): string {
    return [...this.next].map(([r, a]) => `${r}@${a.toString(16)}`).join(',');
  }

  /** The function whose slot contains `addr`, if any. */
  at(addr: number): TextSymbol | undefined {
    return this.byIndex.get(Math.floor(addr / SLOT));
  }

  /** "blog_os::interrupts::breakpoint_handler+0x12" for traces. */
  describe(addr: number): string {
    const s = this.at(addr);
    if (!s) return `0x${addr.toString(16)}`;
    const off = addr - s.addr;
    return off ? `${s.name}+0x${off.toString(16)}` : s.name;
  }
}

/** The code of everything that runs on this thread's CPU (firmware and kernel modules register on import). */
export const TEXT = new TextSpace();
