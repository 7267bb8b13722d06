// The kernel after post 09 (Paging Implementation): entry_point!(kernel_main) receives the
// BootInfo; an OffsetPageTable over the bootloader's physical-memory mapping and a
// BootInfoFrameAllocator map the unused page 0xdeadbeaf000 to the VGA frame 0xb8000 (three new
// tables: L3, L2, L1), and a u64 written through it at offset 400·8 shows "New!" (black on white)
// in row 20 — one row higher once "It did not crash!" scrolls the screen.
import { fn, store64 } from '../../cpu/isa.js';
import { setFeatures } from '../features.js';
import { hlt_loop, init, vgaPanicHandler } from '../lib.js';
import type { KernelStart } from '../mains.js';
import * as memory from '../memory.js';
import { BootInfoFrameAllocator } from '../memory.js';
import { setPanicHandler } from '../panic.js';
import { println } from '../vga_buffer.js';
import { VirtAddr } from '../x86_64/addr.js';
import { BootInfo } from '../x86_64/bootinfo.js';
import { Page } from '../x86_64/paging.js';

const kernel_main = fn('blog_os::kernel_main', (bootInfoAddr: number): never => {
  const boot_info = new BootInfo(bootInfoAddr);
  setPanicHandler(vgaPanicHandler(hlt_loop));
  println('Hello World!');
  init();

  const phys_mem_offset = VirtAddr.new(boot_info.physical_memory_offset);
  const mapper = memory.init(phys_mem_offset);
  const frame_allocator = BootInfoFrameAllocator.init(boot_info.memory_map);

  // map an unused page
  const page = Page.containing_address(VirtAddr.new(0xdeadbeaf000));
  memory.create_example_mapping(page, mapper, frame_allocator);

  // write the string `New!` to the screen through the new mapping
  const page_ptr = page.start_address().as_u64();
  store64(page_ptr + 400 * 8, 0xf021_f077_f065_f04en); // page_ptr.offset(400).write_volatile(..)

  println('It did not crash!');
  return hlt_loop();
});

export function entry(): KernelStart {
  setFeatures({ post: 9 });
  return kernel_main;
}
