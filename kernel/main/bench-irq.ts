// Not a blog post: the kernel `npm run bench` uses to measure sustained interrupt throughput.
// It initialises like post 07, reprograms PIT channel 0 to a high rate (mode 2, count 12 ≈
// 99.4 kHz of machine time) and acknowledges every tick without printing.
import { fn, interruptHandler, outb } from '../../cpu/isa.js';
import { setFeatures } from '../features.js';
import * as gdt from '../gdt.js';
import { hlt_loop, vgaPanicHandler } from '../lib.js';
import type { KernelStart } from '../mains.js';
import { setPanicHandler } from '../panic.js';
import { staticAlloc } from '../statics.js';
import { println } from '../vga_buffer.js';
import { ChainedPics } from '../pic8259.js';
import { IDT_BYTES, InterruptDescriptorTable } from '../x86_64/idt.js';
import { interrupts } from '../x86_64/instructions.js';

const PIT_COUNT = 12;
const pics = new ChainedPics(32, 40);
const IDT_AT = staticAlloc('bench::IDT', IDT_BYTES, 16);

const tick = interruptHandler('bench::timer_tick', () => {
  pics.notify_end_of_interrupt(32);
});

const _start = fn('_start', (_bootInfo: number): never => {
  setPanicHandler(vgaPanicHandler(hlt_loop));
  gdt.init();
  const idt = new InterruptDescriptorTable(IDT_AT).reset();
  idt.set_handler_fn(32, tick);
  idt.load();
  pics.initialize();
  outb(0x43, 0x34); // channel 0, lobyte/hibyte, mode 2
  outb(0x40, PIT_COUNT & 0xff);
  outb(0x40, PIT_COUNT >> 8);
  println(`bench-irq: PIT channel 0 at count ${PIT_COUNT}`);
  interrupts.enable();
  return hlt_loop();
});

export function entry(): KernelStart {
  setFeatures({ post: 7 });
  return _start;
}
