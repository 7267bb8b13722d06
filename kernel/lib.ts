// lib.rs: init() as it grows post by post, and hlt_loop().
import { fn, hlt, jmpSelf, sti } from '../cpu/isa.js';
import { features } from './features.js';
import * as gdt from './gdt.js';
import { init_idt, PICS } from './interrupts.js';
import { println } from './vga_buffer.js';

export const init = fn('blog_os::init', () => {
  const { post } = features();
  if (post >= 6) gdt.init();
  init_idt();
  if (post >= 7) {
    PICS.with((pics) => pics.initialize());
    sti(); // x86_64::instructions::interrupts::enable()
  }
});

/** `loop { hlt() }`: sleep until the next interrupt, forever. */
export function hlt_loop(): never {
  for (;;) hlt();
}

/** The bin's panic handler: `println!("{}", info)`, then idle forever (`loop {}` or hlt_loop). */
export function vgaPanicHandler(idle: () => never): (info: string) => never {
  return (info) => {
    println(info);
    return idle();
  };
}

/** Before post 07 the kernel idles in `loop {}`. */
export function spin_forever(): never {
  return jmpSelf();
}
