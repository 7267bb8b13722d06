// kernel_main of posts 10 and 11 (they differ only in the allocator the post uses): the heap
// mapped at 0x4444_4444_0000, then the Box/Vec/Rc demo living in it.
import { fn } from '../../cpu/isa.js';
import { heap_from_boot_info } from '../allocator.js';
import { setFeatures } from '../features.js';
import { heap_demo } from '../heap_demo.js';
import { hlt_loop, init, vgaPanicHandler } from '../lib.js';
import type { KernelStart } from '../mains.js';
import { setPanicHandler } from '../panic.js';
import { println } from '../vga_buffer.js';
import { BootInfo } from '../x86_64/bootinfo.js';

export function heapPostEntry(post: number): (scenario?: string) => KernelStart {
  const kernel_main = fn('blog_os::kernel_main', (bootInfoAddr: number): never => {
    setPanicHandler(vgaPanicHandler(hlt_loop));
    println('Hello World!');
    init();
    heap_from_boot_info(new BootInfo(bootInfoAddr));
    heap_demo();
    println('It did not crash!');
    return hlt_loop();
  });
  return (scenario) => {
    setFeatures({ post, scenario });
    return kernel_main;
  };
}
