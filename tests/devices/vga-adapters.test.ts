// VGA front ends: the screen model, the headless adapter and the ANSI terminal renderer, fed with
// frames as the core emits them.
import { describe, it, expect } from 'vitest';
import { CP437, decodeCp437 } from '../../devices/vga/cp437.js';
import type { CursorState, Frame } from '../../devices/vga/frame.js';
import { ScreenModel } from '../../devices/vga/screen.js';
import { HeadlessAdapter } from '../../devices/vga/adapters/headless.js';
import { TerminalAdapter, penFor, sgrFor } from '../../devices/vga/adapters/terminal.js';

const ESC = '\x1b[';
const HIDDEN: CursorState = { row: 0, col: 0, visible: false, start: 13, end: 14 };

/** A full frame: blank (space, 0x07) screen with `text` in `attr` at (row, col). */
function fullFrame(text: number[] | string, attr: number, row = 0, col = 0, cursor = HIDDEN, blink = true): Frame {
  const bytes = typeof text === 'string' ? [...text].map((c) => c.charCodeAt(0)) : text;
  const cells: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const k = i - (row * 80 + col);
    cells.push(i, k >= 0 && k < bytes.length ? bytes[k] : 0x20, k >= 0 && k < bytes.length ? attr : 0x07);
  }
  return { t: 0, full: true, cells, cursor, blink };
}

const delta = (cells: number[], cursor = HIDDEN, blink = true): Frame => ({ t: 1, full: false, cells, cursor, blink });

function terminal(options = {}) {
  const writes: string[] = [];
  const term = new TerminalAdapter({ write: (s) => writes.push(s) }, options);
  return { term, writes, all: () => writes.join('') };
}

describe('CP437 glyphs', () => {
  it('maps all 256 codes to single characters, the IBM PC glyph set', () => {
    expect(CP437).toHaveLength(256);
    expect(CP437.every((g) => g.length === 1)).toBe(true);
    expect(CP437[0x00]).toBe(' ');
    expect(CP437[0x01]).toBe('☺');
    expect(CP437[0x1f]).toBe('▼');
    expect(CP437[0x41]).toBe('A');
    expect(CP437[0x7f]).toBe('⌂');
    expect(CP437[0x80]).toBe('Ç');
    expect(CP437[0xb0]).toBe('░');
    expect(CP437[0xc9]).toBe('╔');
    expect(CP437[0xe1]).toBe('ß');
    expect(CP437[0xfe]).toBe('■');
    expect(CP437[0xff]).toBe('\u00a0');
    expect(new Set(CP437.slice(1)).size).toBe(255); // only 0x00 and 0x20 share a glyph
    expect(decodeCp437([0x48, 0x69, 0x03])).toBe('Hi♥');
  });
});

describe('ScreenModel', () => {
  it('text() is 25 lines with trailing spaces trimmed; rowText() keeps all 80 columns', () => {
    const s = new ScreenModel();
    s.apply(fullFrame('Hello World!   ', 0x0e, 23));
    const lines = s.text().split('\n');
    expect(lines).toHaveLength(25);
    expect(lines[23]).toBe('Hello World!');
    expect(lines[0]).toBe('');
    expect(s.rowText(23)).toHaveLength(80);
    expect(s.contains('Hello World!')).toBe(true);
    expect(s.contains('Hello Mars')).toBe(false);
  });

  it('applies deltas cell by cell and converts CP437 (0xFE is ■, 0x01 is ☺)', () => {
    const s = new ScreenModel();
    s.apply(fullFrame('', 0x07));
    s.apply(delta([80 + 2, 0xfe, 0x0e, 80 + 3, 0x01, 0x0e], { row: 1, col: 4, visible: true, start: 13, end: 14 }));
    expect(s.rowText(1).trimEnd()).toBe('  ■☺');
    expect(s.attrAt(1, 2)).toBe(0x0e);
    expect(s.charAt(1, 3)).toBe(0x01);
    expect(s.cursor).toMatchObject({ row: 1, col: 4, visible: true });
  });
});

describe('headless adapter', () => {
  it('keeps the screen model only', () => {
    const h = new HeadlessAdapter();
    h.onFrame(fullFrame('Hello W\xfe\xferld!', 0x0e, 24));
    expect(h.screen.contains('Hello W■■rld!')).toBe(true);
    h.close();
    h.onFrame(fullFrame('later', 0x0e));
    expect(h.screen.contains('later')).toBe(false);
  });
});

describe('terminal adapter: colours', () => {
  it('renders "Hello World!" in attribute 0x0E as bright yellow (93) on black (40)', () => {
    const t = terminal();
    t.term.onFrame(fullFrame('Hello World!', 0x0e));
    expect(t.writes).toHaveLength(1); // one write per frame
    expect(t.all().startsWith(`${ESC}1;1H${ESC}0;93;40mHello World!${ESC}37m `)).toBe(true);
    expect(sgrFor(0x0e, true)).toBe(`${ESC}0;93;40m`);
  });

  it('decodes fg bits 0-3 (bit 3 bright) and bg bits 4-6 into ANSI colours (VGA blue/red swapped)', () => {
    expect(penFor(0x07, true)).toEqual({ fg: 37, bg: 40, blink: false }); // light grey on black
    expect(penFor(0x1f, true)).toEqual({ fg: 97, bg: 44, blink: false }); // white on blue
    expect(penFor(0x4a, true)).toEqual({ fg: 92, bg: 41, blink: false }); // light green on red
    expect(penFor(0x63, true)).toEqual({ fg: 36, bg: 43, blink: false }); // cyan on brown
    expect(penFor(0x0b, true).fg).toBe(96); // post-02's light cyan
  });

  it('bit 7 blinks (SGR 5) with AR10 blink enabled, and is a bright background (100-107) without', () => {
    expect(sgrFor(0x8e, true)).toBe(`${ESC}0;93;40;5m`);
    expect(sgrFor(0x8e, false)).toBe(`${ESC}0;93;100m`);
    expect(sgrFor(0xf0, false)).toBe(`${ESC}0;30;107m`);
  });

  it('redraws the cells with bit 7 set when the blink mode changes', () => {
    const t = terminal();
    t.term.onFrame(fullFrame('AB', 0x9e, 2, 10));
    t.writes.length = 0;
    t.term.onFrame(delta([], HIDDEN, false));
    expect(t.all()).toBe(`${ESC}3;11H${ESC}0;93;104mAB${ESC}0m`);
  });
});

describe('terminal adapter: incremental drawing', () => {
  it('draws only the changed cells, one move and one SGR per same-attribute run', () => {
    const t = terminal();
    t.term.onFrame(fullFrame('', 0x07));
    t.writes.length = 0;
    const run = [...'Hi!'].flatMap((c, k) => [5 * 80 + 10 + k, c.charCodeAt(0), 0x0e]);
    t.term.onFrame(delta([...run, 5 * 80 + 13, 0xfe, 0x0c, 7 * 80, 0x01, 0x0c]));
    expect(t.all()).toBe(`${ESC}6;11H${ESC}0;93;40mHi!${ESC}91m■${ESC}8;1H☺${ESC}0m`);
  });

  it('writes nothing for cells when a delta carries none, only the cursor', () => {
    const t = terminal();
    t.term.onFrame(fullFrame('', 0x07));
    t.writes.length = 0;
    t.term.onFrame(delta([], { row: 4, col: 9, visible: true, start: 13, end: 14 }));
    expect(t.all()).toBe(`${ESC}3 q${ESC}5;10H${ESC}?25h`);
  });

  it('honours the origin given by the host', () => {
    const t = terminal({ row: 3, col: 5 });
    t.term.onFrame(fullFrame('', 0x07));
    t.writes.length = 0;
    t.term.onFrame(delta([0, 0x41, 0x07, 1999, 0x42, 0x07]));
    expect(t.all()).toBe(`${ESC}3;5H${ESC}0;37;40mA${ESC}27;84HB${ESC}0m`);
  });

  it('a full frame redraws all 2000 cells, row by row', () => {
    const t = terminal();
    t.term.onFrame(fullFrame('', 0x07));
    const out = t.all();
    expect(out.match(/\x1b\[\d+;1H/g)).toHaveLength(25);
    expect(out.replace(/\x1b\[[0-9;? ]*[A-Za-z]/g, '')).toBe(' '.repeat(2000));
  });

  it('redraw() repaints everything from the model (terminal resize)', () => {
    const t = terminal();
    t.term.onFrame(fullFrame('Hello World!', 0x0e));
    const first = t.all();
    t.writes.length = 0;
    t.term.redraw();
    expect(t.all()).toBe(first);
  });
});

describe('terminal adapter: hardware cursor', () => {
  it('moves the terminal cursor to the hardware cursor and shows it', () => {
    const t = terminal();
    t.term.onFrame(fullFrame('', 0x07, 0, 0, { row: 24, col: 0, visible: true, start: 13, end: 14 }));
    expect(t.all().endsWith(`${ESC}0m${ESC}3 q${ESC}25;1H${ESC}?25h`)).toBe(true);
  });

  it('hides it when the cursor is off (CR0A bit 5) and shows it again when it comes back', () => {
    const t = terminal();
    const on: CursorState = { row: 1, col: 2, visible: true, start: 0, end: 15 };
    t.term.onFrame(fullFrame('', 0x07, 0, 0, on));
    t.writes.length = 0;
    t.term.onFrame(delta([], { ...on, visible: false }));
    expect(t.all()).toBe(`${ESC}?25l`);
    t.writes.length = 0;
    t.term.onFrame(delta([], on));
    expect(t.all()).toBe(`${ESC}2;3H${ESC}?25h`); // block shape unchanged: no DECSCUSR
  });

  it('close() leaves the terminal with default colours and a visible cursor', () => {
    const t = terminal();
    t.term.onFrame(fullFrame('', 0x07));
    t.writes.length = 0;
    t.term.close();
    expect(t.all()).toBe(`${ESC}0m${ESC}0 q${ESC}?25h`);
    t.term.onFrame(fullFrame('x', 0x07));
    expect(t.writes).toHaveLength(1);
  });
});

describe('core to adapter', () => {
  it('the kernel-entry screen (bootloader-cleared top half, mode-3 blanks below) is empty text; println shows up', async () => {
    const { FakeContext } = await import('../support/fake-context.js');
    const { vga } = await import('../../devices/vga/module.js');
    const ctx = new FakeContext('vga');
    const core = vga.create(ctx, {});
    for (let i = 0; i < 4000; i += 2) ctx.memory.write16(0xb8000 + i, i < 2000 ? 0 : 0x0720);
    const head = new HeadlessAdapter();
    const t = terminal();
    const pump = () => {
      for (const e of ctx.events.splice(0)) {
        head.onFrame(e.payload as Frame);
        t.term.onFrame(e.payload as Frame);
      }
    };
    core.advance!();
    pump();
    expect(head.screen.text()).toBe('\n'.repeat(24));
    [...'Hello World!'].forEach((c, k) => ctx.memory.write16(0xb8000 + 2 * (23 * 80 + k), c.charCodeAt(0) | 0x0e00));
    t.writes.length = 0;
    ctx.t = 16_666_667;
    core.advance!();
    pump();
    expect(head.screen.text().split('\n')[23]).toBe('Hello World!');
    expect(t.all()).toBe(`${ESC}24;1H${ESC}0;93;40mHello World!${ESC}0m${ESC}1;1H`); // mode-3 cursor stays at 0,0
  });
});
