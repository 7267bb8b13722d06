// pic8259 0.11's ChainedPics: the exact port traffic of initialize() (masks saved and restored,
// a write to port 0x80 between init words as a delay) and notify_end_of_interrupt().
import { inb, outb } from '../cpu/isa.js';

const CMD_INIT = 0x11;
const CMD_END_OF_INTERRUPT = 0x20;
const MODE_8086 = 0x01;

class Pic {
  constructor(readonly offset: number, readonly command: number, readonly data: number) {}
  handles(vector: number): boolean {
    return this.offset <= vector && vector < this.offset + 8;
  }
  endOfInterrupt(): void {
    outb(this.command, CMD_END_OF_INTERRUPT);
  }
  readMask(): number {
    return inb(this.data);
  }
  writeMask(mask: number): void {
    outb(this.data, mask);
  }
}

/** An unused port whose write takes long enough to let an old PIC settle. */
function io_wait(): void {
  outb(0x80, 0);
}

export class ChainedPics {
  private readonly pics: [Pic, Pic];

  constructor(offset1: number, offset2: number) {
    this.pics = [new Pic(offset1, 0x20, 0x21), new Pic(offset2, 0xa0, 0xa1)];
  }

  initialize(): void {
    const [p1, p2] = this.pics;
    const saved1 = p1.readMask();
    const saved2 = p2.readMask();
    outb(p1.command, CMD_INIT);
    io_wait();
    outb(p2.command, CMD_INIT);
    io_wait();
    outb(p1.data, p1.offset);
    io_wait();
    outb(p2.data, p2.offset);
    io_wait();
    outb(p1.data, 4); // ICW3: secondary on IR2
    io_wait();
    outb(p2.data, 2); // ICW3: cascade identity 2
    io_wait();
    outb(p1.data, MODE_8086);
    io_wait();
    outb(p2.data, MODE_8086);
    io_wait();
    p1.writeMask(saved1);
    p2.writeMask(saved2);
  }

  handles_interrupt(vector: number): boolean {
    return this.pics.some((p) => p.handles(vector));
  }

  notify_end_of_interrupt(vector: number): void {
    if (!this.handles_interrupt(vector)) return;
    if (this.pics[1].handles(vector)) this.pics[1].endOfInterrupt();
    this.pics[0].endOfInterrupt();
  }
}
