// The kernel after post 11 (Allocator Designs: the same heap, served by the fixed-size block allocator):
// Box, Vec and Rc live in the simulated memory the kernel's own allocator manages.
import { fn } from '../../cpu/isa.js';
import { init_heap_or_panic } from '../allocator.js';
import { setFeatures } from '../features.js';
import { heap_demo } from '../heap_demo.js';
import { hlt_loop, init, vgaPanicHandler } from '../lib.js';
import type { KernelStart } from '../mains.js';
import * as memory from '../memory.js';
import { BootInfoFrameAllocator } from '../memory.js';
import { setPanicHandler } from '../panic.js';
import { println } from '../vga_buffer.js';
import { VirtAddr } from '../x86_64/addr.js';
import { BootInfo } from '../x86_64/bootinfo.js';

const kernel_main = fn('blog_os::kernel_main', (bootInfoAddr: number): never => {
  const boot_info = new BootInfo(bootInfoAddr);
  setPanicHandler(vgaPanicHandler(hlt_loop));
  println('Hello World!');
  init();

  const mapper = memory.init(VirtAddr.new(boot_info.physical_memory_offset));
  const frame_allocator = BootInfoFrameAllocator.init(boot_info.memory_map);
  init_heap_or_panic(mapper, frame_allocator);

  heap_demo();

  println('It did not crash!');
  return hlt_loop();
});

export function entry(scenario?: string): KernelStart {
  setFeatures({ post: 11, scenario });
  return kernel_main;
}
