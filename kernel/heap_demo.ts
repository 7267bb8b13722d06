// The heap demo of kernel_main in posts 10 and 11: a Box, a growing Vec, and an Rc with two
// references, printing their heap addresses and reference counts.
import { Box } from './alloc/boxed.js';
import { Rc } from './alloc/rc.js';
import { I32 } from './alloc/types.js';
import { Vec } from './alloc/vec.js';
import { println } from './vga_buffer.js';

const hex = (a: number) => `0x${a.toString(16)}`;

export function heap_demo(): void {
  // allocate a number on the heap
  const heap_value = Box.new_i32(41);
  println(`heap_value at ${hex(heap_value.as_ptr())}`);
  // create a dynamically sized vector
  const vec = Vec.new(I32);
  for (let i = 0; i < 500; i++) vec.push(i);
  println(`vec at ${hex(vec.as_ptr())}`);
  // create a reference counted vector -> will be freed when count reaches 0
  const reference_counted = Rc.new(Vec.type(I32), Vec.from(I32, [1, 2, 3]));
  const cloned_reference = reference_counted.clone();
  println(`current reference count is ${Rc.strong_count(cloned_reference)}`);
  reference_counted.drop();
  println(`reference count is ${Rc.strong_count(cloned_reference)} now`);
  cloned_reference.drop();
  vec.drop();
  heap_value.drop();
}
