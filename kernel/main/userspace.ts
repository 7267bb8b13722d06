// Past the blog: the kernel runs user programs at CPL 3 (the toy-OS guide's system calls, RustOS's
// "Userspace (ring 3 + syscall interface)"). init() builds the GDT with user segments, the IDT
// with #GP and page-fault handlers that end a faulting program, the PICs; then the system-call
// MSRs and TSS.RSP0; then two programs run one after the other, each printing "Hello from ring 3!"
// through SYS_WRITE, and the kernel prints their exit statuses; then hlt_loop, the timer dots
// going on. Keys are decoded in the keyboard ISR as in posts 07–11 (no executor here).
import { fn } from '../../cpu/isa.js';
import { scenario as currentScenario, features, setFeatures } from '../features.js';
import { set_user_fault_action } from '../interrupts.js';
import { hlt_loop, init, vgaPanicHandler } from '../lib.js';
import type { KernelStart } from '../mains.js';
import * as memory from '../memory.js';
import { BootInfoFrameAllocator } from '../memory.js';
import { setPanicHandler } from '../panic.js';
import { end_program, KILLED, run_program } from '../userspace/process.js';
import { programsFor } from '../userspace/programs.js';
import { syscall_init } from '../userspace/syscall.js';
import { println } from '../vga_buffer.js';
import { VirtAddr } from '../x86_64/addr.js';
import { BootInfo } from '../x86_64/bootinfo.js';

const kernel_main = fn('actorpc_kernel::userspace::kernel_main', (bootInfoAddr: number): never => {
  const boot_info = new BootInfo(bootInfoAddr);
  setPanicHandler(vgaPanicHandler(hlt_loop));
  println('Hello World!');
  init();
  syscall_init();
  set_user_fault_action((what) => {
    println(`[kernel] program ended by ${what}`);
    return end_program(KILLED);
  });
  const mapper = memory.init(VirtAddr.new(boot_info.physical_memory_offset));
  const frames = BootInfoFrameAllocator.init(boot_info.memory_map);
  for (const program of programsFor(features().scenario)) {
    println(`[kernel] running ${program.name} in ring 3`);
    run_program(program, mapper, frames);
  }
  if (!currentScenario('timer-in-ring-3')) println('[kernel] no program left; the timer goes on');
  return hlt_loop();
});

export function entry(scenarioName?: string): KernelStart {
  setFeatures({ post: 11, scenario: scenarioName, userspace: true });
  return kernel_main;
}
