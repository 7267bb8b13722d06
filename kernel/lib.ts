// lib.rs: init() as it grows post by post, and hlt_loop().
import { fn, hlt, jmpSelf, sti } from '../cpu/isa.js';
import { features } from './features.js';
import * as gdt from './gdt.js';
import { init_idt, PICS } from './interrupts.js';

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

/** Before post 07 the kernel idles in `loop {}`. */
export function spin_forever(): never {
  return jmpSelf();
}
