// The kernel as it stands after post 03 (VGA Text Mode): print "Hello World!" and spin.
import { jmpSelf } from '../../cpu/isa.js';
import { println } from '../vga_buffer.js';

export function kernel_main(): never {
  println(`Hello World${'!'}`);
  return jmpSelf(); // loop {}
}
