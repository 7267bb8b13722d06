// Firmware: what the BIOS and bootloader leave behind before the kernel's first instruction,
// done with real instructions (stores, port I/O) on the simulated machine.
import { store16 } from '../cpu/isa.js';

const TEXT_BUFFER = 0xb8000;
const CELLS = 80 * 25;
/** The mode-3 blank: space (0x20) on light grey on black (0x07). */
export const MODE3_BLANK = 0x0720;

/** BIOS mode set: 80×25 colour text, every cell the mode-3 blank. */
export function setTextMode3(): void {
  for (let i = 0; i < CELLS; i++) store16(TEXT_BUFFER + 2 * i, MODE3_BLANK);
}

/** Power-on: prepare the machine, then jump to the kernel. */
export function boot(kernelMain: (bootInfo: number) => never): never {
  setTextMode3();
  return kernelMain(0);
}
