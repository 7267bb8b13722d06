// The kernel after post 05 (CPU Exceptions): an IDT with a breakpoint handler; int3 is handled
// and execution continues.
import { fn, int3 } from '../../cpu/isa.js';
import { setFeatures } from '../features.js';
import { init, spin_forever, vgaPanicHandler } from '../lib.js';
import type { KernelStart } from '../mains.js';
import { setPanicHandler } from '../panic.js';
import { println } from '../vga_buffer.js';

const _start = fn('_start', (_bootInfo: number): never => {
  setPanicHandler(vgaPanicHandler(spin_forever));
  println('Hello World!');
  init();
  int3(); // x86_64::instructions::interrupts::int3()
  println('It did not crash!');
  return spin_forever();
});

export function entry(): KernelStart {
  setFeatures({ post: 5 });
  return _start;
}
