// The kernel image's static data: `static`/`static mut` items live at fixed addresses in the
// image's data region (virtual 0x300000..0x3fffff, mapped writable and NX by the bootloader,
// zeroed like .bss at load). Addresses are assigned when the module defining the static loads —
// the link step.

export const KERNEL_DATA_BASE = 0x300000;
export const KERNEL_DATA_SIZE = 0x100000;

let next = KERNEL_DATA_BASE;

/** Reserve `size` bytes aligned to `align` for a static; returns its virtual address. */
export function staticAlloc(name: string, size: number, align = 16): number {
  const at = Math.ceil(next / align) * align;
  if (at + size > KERNEL_DATA_BASE + KERNEL_DATA_SIZE) throw new Error(`kernel data region is full (static ${name})`);
  next = at + size;
  return at;
}
