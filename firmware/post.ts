// Power-on to kernel: the BIOS's POST, then the bootloader, then a call to the kernel's entry
// on the kernel stack with interrupts off, its argument the BootInfo the bootloader wrote.
import * as isa from '../cpu/isa.js';
import { FIRMWARE_TEXT } from '../cpu/text.js';
import { biosKeyboardService, post, setTextMode3, MODE3_BLANK } from './bios.js';
import { writeBootInfo } from './bootinfo.js';
import { buildPageTables, clearScreen, enablePaging, loadBootGdt } from './bootloader.js';
import { Layout, STACK_TOP } from './layout.js';

export { setTextMode3, MODE3_BLANK };

export interface KernelEntryFn {
  (bootInfo: number): never;
}

/** Power-on: the CPU starts at the reset vector with the BIOS's stack. Never returns. */
export function powerOn(kernelEntry: KernelEntryFn, memoryBytes: number): never {
  isa.writeRsp(Layout.biosStack);
  return boot(kernelEntry, memoryBytes);
}

/** The reset vector: everything from power-on to the kernel's first instruction. */
const boot = isa.fn('firmware::reset_vector', (kernelEntry: KernelEntryFn, memoryBytes: number): never => {
  post();
  const loaded = buildPageTables(memoryBytes);
  writeBootInfo(memoryBytes, loaded.tableFrames);
  biosKeyboardService(); // the last moment the BIOS could have served IRQ1 (real mode, IF=1)
  enablePaging();
  loadBootGdt();
  clearScreen();
  isa.writeRsp(STACK_TOP); // switch to the kernel stack
  return kernelEntry(Layout.bootInfo);
}, { region: FIRMWARE_TEXT });
