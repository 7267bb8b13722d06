// The kernel after post 07 (Hardware Interrupts): the chained PICs, a timer handler printing
// dots, a keyboard handler that reads port 0x60, and hlt_loop.
import { fn } from '../../cpu/isa.js';
import { scenario, setFeatures } from '../features.js';
import { hlt_loop, init, vgaPanicHandler } from '../lib.js';
import type { KernelStart } from '../mains.js';
import { setPanicHandler } from '../panic.js';
import { print, println } from '../vga_buffer.js';

const _start = fn('_start', (_bootInfo: number): never => {
  setPanicHandler(vgaPanicHandler(hlt_loop));
  println('Hello World!');
  init();
  println('It did not crash!');
  if (scenario('print-deadlock')) for (;;) print('-'); // the blog's deadlock demonstration
  return hlt_loop();
});

export function entry(scenarioName?: string): KernelStart {
  setFeatures({ post: 7, scenario: scenarioName });
  return _start;
}
