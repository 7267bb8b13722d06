// The kernel after post 08 (Introduction to Paging): a page-fault handler in the IDT. main prints
// where CR3 says the level-4 table is ("Level 4 page table at: PhysAddr(0x1000)"), then repeats
// the post's experiment of writing to the unmapped 0xdeadbeaf: the handler shows CR2, the error
// code (CAUSED_BY_WRITE: a write to a page that is not present) and the frame, then halts.
import { fn, store8 } from '../../cpu/isa.js';
import { setFeatures } from '../features.js';
import { hlt_loop, init, vgaPanicHandler } from '../lib.js';
import type { KernelStart } from '../mains.js';
import { setPanicHandler } from '../panic.js';
import { println } from '../vga_buffer.js';
import { Cr3 } from '../x86_64/registers.js';

const _start = fn('_start', (_bootInfo: number): never => {
  setPanicHandler(vgaPanicHandler(hlt_loop));
  println('Hello World!');
  init();

  const [level_4_page_table] = Cr3.read();
  println(`Level 4 page table at: ${level_4_page_table.start_address().debug()}`);

  // `let ptr = 0xdeadbeaf as *mut u8; unsafe { *ptr = 42; }` — page fault
  store8(0xdeadbeaf, 42);

  println('It did not crash!');
  return hlt_loop();
});

export function entry(): KernelStart {
  setFeatures({ post: 8 });
  return _start;
}
