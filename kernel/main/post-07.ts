// The kernel after post 07 (Hardware Interrupts): the chained PICs, a timer handler printing
// dots, a keyboard handler that reads port 0x60, and hlt_loop.
import { cli, fn, load16, outb, store16 } from '../../cpu/isa.js';
import { PICS } from '../interrupts.js';
import { BootInfo } from '../x86_64/bootinfo.js';
import { scenario, setFeatures } from '../features.js';
import { hlt_loop, init, vgaPanicHandler } from '../lib.js';
import type { KernelStart } from '../mains.js';
import { setPanicHandler } from '../panic.js';
import { print, println } from '../vga_buffer.js';

/** The BIOS data area's reset flag (0x472; 0x1234 = warm boot), reached through the physical-memory mapping: it survives a reset. */
function firstColdBoot(bootInfo: number): boolean {
  const flag = new BootInfo(bootInfo).physical_memory_offset + 0x472;
  if (load16(flag) === 0x1234) return false;
  store16(flag, 0x1234);
  return true;
}

const _start = fn('_start', (bootInfo: number): never => {
  setPanicHandler(vgaPanicHandler(hlt_loop));
  println('Hello World!');
  init();
  if (scenario('reset-holding-pics') && firstColdBoot(bootInfo)) {
    // Take PICS and pulse the reset line through the 8042 while holding it: the next boot must
    // find PICS free (its lock word is .bss, reloaded at boot), or its first EOI spins forever.
    cli();
    PICS.lock();
    println('resetting with PICS held');
    outb(0x64, 0xfe);
  }
  println('It did not crash!');
  if (scenario('print-deadlock')) for (;;) print('-'); // the blog's deadlock demonstration
  return hlt_loop();
});

export function entry(scenarioName?: string): KernelStart {
  setFeatures({ post: 7, scenario: scenarioName });
  return _start;
}
