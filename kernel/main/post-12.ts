// The kernel after post 12 (Async/Await): "Hello World!", init(), then an Executor running two
// tasks — example_task prints "async number: 42" and finishes; print_keypresses decodes the
// scancodes the keyboard ISR queues — with the CPU asleep in `hlt` whenever no task is ready.
import { fn } from '../../cpu/isa.js';
import { setFeatures } from '../features.js';
import { hlt_loop, init, vgaPanicHandler } from '../lib.js';
import type { KernelStart } from '../mains.js';
import { setPanicHandler } from '../panic.js';
import { example_task } from '../task/example.js';
import { Executor } from '../task/executor.js';
import { print_keypresses } from '../task/keyboard.js';
import { Task } from '../task/mod.js';
import { println } from '../vga_buffer.js';
import { heap_from_boot_info } from '../allocator.js';
import { BootInfo } from '../x86_64/bootinfo.js';

const kernel_main = fn('blog_os::kernel_main', (bootInfoAddr: number): never => {
  const boot_info = new BootInfo(bootInfoAddr);
  setPanicHandler(vgaPanicHandler(hlt_loop));
  println('Hello World!');
  init();

  // The heap, as the blog sets it up (nothing printed). Everything below allocates in it: the
  // executor's queue and maps, each task's boxed future, the wakers, the scancode queue's slots.
  heap_from_boot_info(boot_info);

  const executor = Executor.new();
  executor.spawn(Task.new(example_task()));
  executor.spawn(Task.new(print_keypresses()));
  return executor.run();
});

export function entry(): KernelStart {
  setFeatures({ post: 12 });
  return kernel_main;
}
