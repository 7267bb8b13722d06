// The kernel image's static data: `static`/`static mut` items live at fixed addresses in the
// image's data region (virtual 0x300000..0x3fffff, mapped writable and NX by the bootloader),
// split as a linker splits it:
//
//   .data  0x300000..0x33ffff  statics with a non-zero initial value (e.g. PICS's vector offsets):
//                              their bytes are part of the image, copied there by the loader
//   .bss   0x340000..0x3fffff  statics that start as zeroes (lock words, Lazy/Once state words,
//                              the allocators' state, the IDT, the TSS stack): zeroed by the loader
//
// Every boot (power-on or reset) the bootloader zeroes the region and copies the .data image, so
// all kernel statics start again from their initial values. A symbol has one address: asking for
// the same name again returns it (the link step runs once, when the defining module loads).

export const KERNEL_DATA_BASE = 0x300000;
export const KERNEL_DATA_SIZE = 0x100000;
export const DATA_SECTION = { start: KERNEL_DATA_BASE, end: KERNEL_DATA_BASE + 0x40000 } as const;
export const BSS_SECTION = { start: DATA_SECTION.end, end: KERNEL_DATA_BASE + KERNEL_DATA_SIZE } as const;

interface Symbol {
  readonly at: number;
  readonly size: number;
}

const symbols = new Map<string, Symbol>();
let nextData: number = DATA_SECTION.start;
let nextBss: number = BSS_SECTION.start;
/** The .data section's initial bytes, as the image carries them: [address, bytes]. */
const dataImage: Array<[number, Uint8Array]> = [];

function place(name: string, size: number, align: number, initial: Uint8Array | undefined): number {
  const known = symbols.get(name);
  if (known) {
    if (known.size !== size) throw new Error(`static ${name} defined twice with different sizes (${known.size}, ${size})`);
    return known.at;
  }
  const section = initial ? DATA_SECTION : BSS_SECTION;
  const at = Math.ceil((initial ? nextData : nextBss) / align) * align;
  if (at + size > section.end) throw new Error(`kernel ${initial ? '.data' : '.bss'} section is full (static ${name})`);
  if (initial) {
    nextData = at + size;
    dataImage.push([at, initial]);
  } else nextBss = at + size;
  symbols.set(name, { at, size });
  return at;
}

/** Reserve `size` zero-initialised bytes (.bss) aligned to `align` for a static; returns its virtual address. */
export function staticAlloc(name: string, size: number, align = 16): number {
  return place(name, size, align, undefined);
}

/** A static with initial bytes (.data): the loader writes them at every boot. */
export function staticData(name: string, initial: Uint8Array, align = 8): number {
  return place(name, initial.length, align, initial);
}

/** The .data image the bootloader copies (in address order). */
export function kernelDataImage(): ReadonlyArray<readonly [number, Uint8Array]> {
  return dataImage;
}

/** The statics placed so far (count and section ends): equal on two threads that loaded the same kernel modules in the same order. */
export function staticsLayout(): string {
  return `${symbols.size}:${nextData.toString(16)}:${nextBss.toString(16)}`;
}
