import { beforeEach, describe, expect, it } from 'vitest';
import { setTextMode3 } from '../../firmware/post.js';
import { Color, colorCode, print, println, Writer, WRITER } from '../../kernel/vga_buffer.js';
import { guestRig, type GuestRig } from '../support/guest.js';

const YELLOW_ON_BLACK = 0x0e;
let rig: GuestRig;

beforeEach(() => {
  rig = guestRig();
  setTextMode3();
});

describe('kernel vga_buffer Writer (post 03)', () => {
  it('prints on the bottom row in Yellow on Black', () => {
    print('Hello');
    expect(rig.row(24).slice(0, 5)).toBe('Hello');
    expect(rig.cell(24, 0).attr).toBe(YELLOW_ON_BLACK);
  });

  it('println scrolls the line up one row and leaves a blank bottom row in the current colour', () => {
    println('Hello World!');
    expect(rig.row(23).trimEnd()).toBe('Hello World!');
    expect(rig.row(24)).toBe(' '.repeat(80));
    expect(rig.cell(24, 79).attr).toBe(YELLOW_ON_BLACK);
  });

  it('wraps at column 80: the 81st character scrolls before it is written', () => {
    print('a'.repeat(80) + 'b');
    expect(rig.row(23)).toBe('a'.repeat(80));
    expect(rig.row(24).trimEnd()).toBe('b');
  });

  it('80 characters followed by a newline scroll exactly once', () => {
    print('x'.repeat(80) + '\n');
    expect(rig.row(23)).toBe('x'.repeat(80));
    expect(rig.row(22).trim()).toBe('');
    expect(rig.row(24).trim()).toBe('');
  });

  it('a newline on an empty line still scrolls', () => {
    println('first');
    println();
    expect(rig.row(22).trimEnd()).toBe('first');
    expect(rig.row(23).trim()).toBe('');
  });

  it('stores 0xFE for every UTF-8 byte of a non-ASCII character: "ö" shows as two ■', () => {
    print('Wörld');
    const bytes = Array.from({ length: 6 }, (_, c) => rig.cell(24, c).char);
    expect(bytes).toEqual([0x57, 0xfe, 0xfe, 0x72, 0x6c, 0x64]);
  });

  it('replaces control bytes (TAB, CR, BS, ESC, DEL) with 0xFE', () => {
    print('\t\r\b\x1b\x7f');
    expect(Array.from({ length: 5 }, (_, c) => rig.cell(24, c).char)).toEqual([0xfe, 0xfe, 0xfe, 0xfe, 0xfe]);
  });

  it('the blog demo "H" + "ello " + "Wörld!" shows Hello W■■rld!', () => {
    const w = Writer.new(0x80000, colorCode(Color.Yellow, Color.Black)); // a Writer on the stack, as print_something's
    w.writeByte(0x48);
    w.writeString('ello ');
    w.writeString('Wörld!');
    expect(rig.row(24).trimEnd()).toBe('Hello W\xfe\xferld!');
  });

  it('scrolling copies every row up and loses row 0', () => {
    for (let i = 0; i < 26; i++) println(`line ${i}`);
    expect(rig.row(0).trimEnd()).toBe('line 2');
    expect(rig.row(23).trimEnd()).toBe('line 25');
  });

  it('a bright background sets the blink bit, as ColorCode does no masking', () => {
    expect(colorCode(Color.White, Color.LightBlue)).toBe(0x9f);
  });

  it('WRITER is one lazily created writer whose column persists across prints', () => {
    print('ab');
    print('cd');
    expect(rig.row(24).slice(0, 4)).toBe('abcd');
    expect(WRITER.get().with((w) => w.columnPosition)).toBe(4);
  });

  it('every cell access is an instruction: one newline costs 24*80 loads, 24*80+80 stores, plus the statics\' words', () => {
    println('x');
    const before = rig.cpu.icount;
    println();
    // + the Lazy state load, the lock's cmpxchg, the colour load, the column store, the unlock store
    expect(rig.cpu.icount - before).toBe(24 * 80 * 2 + 80 + 5);
  });

  it('the Writer is a static in simulated memory: lock word, column, colour, buffer pointer', () => {
    print('abc');
    const at = WRITER.get().with((w) => w.at);
    expect(at).toBeGreaterThanOrEqual(0x340000); // .bss
    expect([rig.memory.read32(at - 8), Number(rig.memory.read64(at)), rig.memory.bytes[at + 8], Number(rig.memory.read64(at + 16))]).toEqual([0, 3, YELLOW_ON_BLACK, 0xb8000]);
    rig.memory.write64(at, 10n); // move the column by hand: the next print starts there
    print('d');
    expect(rig.row(24).slice(10, 11)).toBe('d');
  });
});
