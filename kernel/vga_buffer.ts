// vga_buffer: the blog's Writer (post 03). It writes only the bottom row, wraps at column 80,
// scrolls by copying every row up one, clears the new bottom row with the current colour, and
// stores 0xFE (■) for every byte outside 0x20..=0x7E and '\n' — UTF-8 bytes, so "ö" is two ■.
// Every cell access is a volatile 16-bit load/store of simulated memory at 0xb8000; the Writer's
// own fields (column, colour, buffer pointer) are a static in simulated memory too.
import { load16, load64, load8, store16, store64, store8 } from '../cpu/isa.js';
import { Lazy } from './lazy_static.js';
import { Mutex } from './sync/spin.js';
import { features, scenario } from './features.js';
import { interrupts } from './x86_64/instructions.js';
import { staticAlloc } from './statics.js';

export const BUFFER_HEIGHT = 25;
export const BUFFER_WIDTH = 80;
export const VGA_BUFFER = 0xb8000;

export enum Color {
  Black = 0,
  Blue = 1,
  Green = 2,
  Cyan = 3,
  Red = 4,
  Magenta = 5,
  Brown = 6,
  LightGray = 7,
  DarkGray = 8,
  LightBlue = 9,
  LightGreen = 10,
  LightCyan = 11,
  LightRed = 12,
  Pink = 13,
  Yellow = 14,
  White = 15,
}

/** ColorCode(u8) = background << 4 | foreground (no masking, as the blog's). */
export function colorCode(foreground: Color, background: Color): number {
  return ((background << 4) | foreground) & 0xff;
}

/** A ScreenChar as the u16 the hardware reads: character byte low, colour byte high. */
function screenChar(ascii: number, color: number): number {
  return (ascii & 0xff) | (color << 8);
}

function cellAddr(row: number, col: number): number {
  return VGA_BUFFER + 2 * (row * BUFFER_WIDTH + col);
}

const utf8 = new TextEncoder();

// struct Writer { column_position: usize, color_code: ColorCode, buffer: &'static mut Buffer },
// in simulated memory (the WRITER static's, or any other place a Writer is built):
const COLUMN_POSITION = 0;
const COLOR_CODE = 8;
const BUFFER = 16;
export const WRITER_BYTES = 24;

/** A view of a Writer at `at`: its column, colour and buffer pointer are read and written with loads and stores. */
export class Writer {
  constructor(readonly at: number) {}

  /** `Writer { column_position: 0, color_code, buffer: 0xb8000 }` written at `at`. */
  static new(at: number, color: number): Writer {
    store64(at + COLUMN_POSITION, 0n);
    store8(at + COLOR_CODE, color);
    store64(at + BUFFER, BigInt(VGA_BUFFER));
    return new Writer(at);
  }

  get columnPosition(): number {
    return Number(load64(this.at + COLUMN_POSITION));
  }

  private set columnPosition(column: number) {
    store64(this.at + COLUMN_POSITION, BigInt(column));
  }

  get colorCode(): number {
    return load8(this.at + COLOR_CODE);
  }

  /** Change the colour of what is written next (the blog's Writer has no setter; threads of the preemption demo print in their own colours). */
  setColorCode(color: number): void {
    store8(this.at + COLOR_CODE, color);
  }

  writeByte(byte: number): void {
    if (byte === 0x0a) {
      this.newLine();
      return;
    }
    let column = this.columnPosition;
    if (column >= BUFFER_WIDTH) {
      this.newLine();
      column = 0;
    }
    const row = BUFFER_HEIGHT - 1;
    store16(cellAddr(row, column), screenChar(byte, this.colorCode));
    this.columnPosition = column + 1;
  }

  writeString(s: string): void {
    for (const byte of utf8.encode(s)) {
      // printable ASCII byte or newline; anything else is shown as ■
      this.writeByte((byte >= 0x20 && byte <= 0x7e) || byte === 0x0a ? byte : 0xfe);
    }
  }

  private newLine(): void {
    for (let row = 1; row < BUFFER_HEIGHT; row++) {
      for (let col = 0; col < BUFFER_WIDTH; col++) {
        store16(cellAddr(row - 1, col), load16(cellAddr(row, col)));
      }
    }
    this.clearRow(BUFFER_HEIGHT - 1);
    this.columnPosition = 0;
  }

  private clearRow(row: number): void {
    const blank = screenChar(0x20, this.colorCode);
    for (let col = 0; col < BUFFER_WIDTH; col++) store16(cellAddr(row, col), blank);
  }
}

/** `static WRITER: Mutex<Writer>`'s bytes: the lock word, then the Writer. */
const WRITER_AT = staticAlloc('blog_os::vga_buffer::WRITER', 8 + WRITER_BYTES, 8);

/**
 * The global WRITER: Yellow on Black, created on first use (lazy_static). On another host thread
 * (a guest thread's) the view is the same two addresses: the lock word and the Writer's fields.
 */
export const WRITER = new Lazy(
  () => new Mutex(Writer.new(WRITER_AT + 8, colorCode(Color.Yellow, Color.Black)), WRITER_AT),
  'blog_os::vga_buffer::WRITER::LAZY',
  () => new Mutex(new Writer(WRITER_AT + 8), WRITER_AT),
);

/**
 * print!: lock WRITER and write the text. From post 07 inside without_interrupts, so an interrupt
 * handler that prints cannot spin on a lock its own interrupted code holds (the print-deadlock
 * scenario leaves that out, as the blog does before its fix).
 */
export function print(text: string): void {
  const write = () => WRITER.get().with((w) => w.writeString(text));
  if (features().post >= 7 && !scenario('print-deadlock')) interrupts.without_interrupts(write);
  else write();
}

/** print! in another colour (foreground/background code), then the Writer's own colour again. */
export function print_colored(text: string, color: number): void {
  interrupts.without_interrupts(() =>
    WRITER.get().with((w) => {
      const saved = w.colorCode;
      w.setColorCode(color);
      w.writeString(text);
      w.setColorCode(saved);
    }),
  );
}

/** println!: the text followed by a newline. */
export function println(text = ''): void {
  print(text + '\n');
}

/** Read back the character byte of a cell (what the blog's test_println_output does). */
export function readChar(row: number, col: number): number {
  return load16(cellAddr(row, col)) & 0xff;
}
