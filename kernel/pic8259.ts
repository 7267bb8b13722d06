// pic8259 0.11's ChainedPics: the exact port traffic of initialize() (masks saved and restored,
// a write to port 0x80 between init words as a delay) and notify_end_of_interrupt().
//
// `ChainedPics::new(offset1, offset2)` is a const fn, so the blog's `static PICS` is initialised
// data: the struct's bytes are in the kernel image's .data and every boot starts from them.
// Each Pic is { command: Port<u8> (u16), data: Port<u8> (u16), offset: u8 } — 6 bytes:
//
//   pics + 0    pics[0]  command 0x20, data 0x21, offset
//   pics + 6    pics[1]  command 0xA0, data 0xA1, offset
//
// The methods read the struct with loads, as the compiled crate does.
import { inb, load16, load8, outb } from '../cpu/isa.js';
import { staticData } from './statics.js';

const CMD_INIT = 0x11;
const CMD_END_OF_INTERRUPT = 0x20;
const MODE_8086 = 0x01;

const COMMAND = 0;
const DATA = 2;
const OFFSET = 4;
export const PIC_BYTES = 6;
export const CHAINED_PICS_BYTES = 2 * PIC_BYTES;

/** A view of one Pic in memory. */
class Pic {
  constructor(readonly at: number) {}
  get offset(): number {
    return load8(this.at + OFFSET);
  }
  get command(): number {
    return load16(this.at + COMMAND);
  }
  get data(): number {
    return load16(this.at + DATA);
  }
  handles(vector: number): boolean {
    const offset = this.offset;
    return offset <= vector && vector < offset + 8;
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

/** The initialised bytes of `ChainedPics::new(offset1, offset2)`. */
function chainedPicsImage(offset1: number, offset2: number): Uint8Array {
  const bytes = new Uint8Array(CHAINED_PICS_BYTES);
  const view = new DataView(bytes.buffer);
  [[0x20, 0x21, offset1], [0xa0, 0xa1, offset2]].forEach(([command, data, offset], i) => {
    view.setUint16(i * PIC_BYTES + COMMAND, command, true);
    view.setUint16(i * PIC_BYTES + DATA, data, true);
    view.setUint8(i * PIC_BYTES + OFFSET, offset);
  });
  return bytes;
}

let defined = 0;

/** An unused port whose write takes long enough to let an old PIC settle. */
function io_wait(): void {
  outb(0x80, 0);
}

export class ChainedPics {
  private readonly pics: [Pic, Pic];

  /**
   * `const ChainedPics::new(offset1, offset2)` in a static: its bytes go to .data (at `at`, or a
   * .data static of its own). Defined when the module holding the static loads, like a link.
   */
  constructor(offset1: number, offset2: number, readonly at: number = staticData(`pic8259::ChainedPics#${defined++}`, chainedPicsImage(offset1, offset2), 2)) {
    this.pics = [new Pic(at), new Pic(at + PIC_BYTES)];
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

  /**
   * `disable()` (pic8259 0.11): mask every line of both PICs — OCW1 = 0xFF to each data port — as
   * a kernel does before it hands interrupts to the APICs (Linux's legacy_pic->mask_all). After
   * `initialize()` the vectors are 0x20..0x2F, so a spurious IRQ 7/15 the masked 8259 may still
   * raise cannot land on an exception vector.
   */
  disable(): void {
    this.pics[0].writeMask(0xff);
    this.pics[1].writeMask(0xff);
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
