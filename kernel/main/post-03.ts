// The kernel as it stands after post 03 (VGA Text Mode): print "Hello World!" and spin.
import { fn } from '../../cpu/isa.js';
import { setFeatures } from '../features.js';
import { spin_forever, vgaPanicHandler } from '../lib.js';
import type { KernelStart } from '../mains.js';
import { setPanicHandler } from '../panic.js';
import { println } from '../vga_buffer.js';

const _start = fn('_start', (_bootInfo: number): never => {
  setPanicHandler(vgaPanicHandler(spin_forever));
  println(`Hello World${'!'}`);
  return spin_forever(); // loop {}
});

export function entry(): KernelStart {
  setFeatures({ post: 3 });
  return _start;
}
