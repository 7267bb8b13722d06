// The kernel after post 06 (Double Faults): GDT + TSS with a double-fault stack on IST1. The
// blog's experiments are scenarios: a page fault with no handler, a stack overflow, and both
// without the protections the post adds.
import { fn, load8, store8 } from '../../cpu/isa.js';
import { scenario, setFeatures } from '../features.js';
import { init, spin_forever, vgaPanicHandler } from '../lib.js';
import type { KernelStart } from '../mains.js';
import { setPanicHandler } from '../panic.js';
import { println } from '../vga_buffer.js';

/** Endless recursion: each call pushes a return address and a debug-build frame of locals. */
const stack_overflow: () => void = fn(
  'blog_os::main::stack_overflow',
  () => {
    stack_overflow();
    load8(0); // the volatile read after the call that prevents tail-call elimination
  },
  { frameBytes: 56 },
);

const _start = fn('_start', (_bootInfo: number): never => {
  setPanicHandler(vgaPanicHandler(spin_forever));
  println('Hello World!');
  init();
  if (scenario('page-fault') || scenario('no-double-fault-handler')) store8(0xdeadbeef, 42);
  if (scenario('stack-overflow') || scenario('stack-overflow-without-ist')) stack_overflow();
  println('It did not crash!');
  return spin_forever();
});

export function entry(scenarioName?: string): KernelStart {
  setFeatures({ post: 6, scenario: scenarioName });
  return _start;
}
