// The VGA core, one test per applicable row of device-models.md §1.4, observed as a guest and a
// front end would: port reads/writes at the module's default ports, memory stores, emitted frames.
import { describe, it, expect } from 'vitest';
import { SCAN_PERIOD_NS } from '../../devices/vga/core.js';
import { rasterTiming } from '../../devices/vga/crtc.js';
import { LINE_NS, machine, triplets } from './vga-harness.js';

describe('text buffer at 0xB8000, 80x25 char/attr pairs', () => {
  it('even byte is the character, odd byte the attribute, 160 bytes per row, row-major', () => {
    const m = machine();
    m.poke(2, 5, 0x41, 0x1f);
    const [first] = m.scanAt(0);
    expect(first.full).toBe(true);
    expect(first.cells.length).toBe(2000 * 3);
    expect(triplets(first)[2 * 80 + 5]).toEqual([165, 0x41, 0x1f]);
    expect(triplets(first)[0]).toEqual([0, 0, 0]);
  });

  it('the first frame is full; a changed cell yields a frame with just that cell', () => {
    const m = machine();
    m.scanAt(0);
    m.poke(24, 79, 0xfe, 0x0e);
    const [f] = m.scanAt(SCAN_PERIOD_NS);
    expect(f.full).toBe(false);
    expect(f.cells).toEqual([1999, 0xfe, 0x0e]);
    expect(f.t).toBe(SCAN_PERIOD_NS);
  });

  it('no frame is emitted when nothing changed', () => {
    const m = machine();
    m.scanAt(0);
    expect(m.scanAt(SCAN_PERIOD_NS)).toEqual([]);
    m.core.flush!();
    expect(m.frames().length).toBe(1);
  });
});

describe('attribute controller (0x3C0) and AR10 blink vs bright background', () => {
  it('mode 3 leaves AR10 = 0x0C: blinking enabled', () => {
    const m = machine();
    m.inp(0x3da);
    m.out(0x3c0, 0x30); // AR10 with the palette address source bit set
    expect(m.inp(0x3c1)).toBe(0x0c);
    expect(m.scanAt(0)[0].blink).toBe(true);
  });

  it('clearing AR10 bit 3 turns bit 7 into a bright background and emits a frame saying so', () => {
    const m = machine();
    m.scanAt(0);
    m.inp(0x3da);
    m.out(0x3c0, 0x30);
    m.out(0x3c0, 0x04);
    const [f] = m.scanAt(SCAN_PERIOD_NS);
    expect(f.blink).toBe(false);
    expect(f.cells).toEqual([]);
  });

  it('the attribute palette registers read back through 0x3C1', () => {
    const m = machine();
    m.inp(0x3da);
    m.out(0x3c0, 0x06);
    expect(m.inp(0x3c1)).toBe(0x14); // brown's palette entry in mode 3
    m.out(0x3c0, 0x2a);
    m.inp(0x3da);
    m.out(0x3c0, 0x06);
    expect(m.inp(0x3c1)).toBe(0x2a);
  });
});

describe('0x3DA input status #1', () => {
  it('reading it resets the attribute flip-flop to the index phase', () => {
    const m = machine();
    m.inp(0x3da);
    m.out(0x3c0, 0x11); // index: overscan
    expect(m.inp(0x3c0)).toBe(0x11);
    m.inp(0x3da); // back to the index phase without writing the data
    m.out(0x3c0, 0x30); // so this is an index again (AR10), not overscan data
    m.out(0x3c0, 0x08);
    m.out(0x3c0, 0x31);
    expect(m.inp(0x3c1)).toBe(0x00); // overscan untouched
    m.inp(0x3da);
    m.out(0x3c0, 0x30);
    expect(m.inp(0x3c1)).toBe(0x08);
  });

  it('reports vertical retrace (bit 3) and display disabled (bit 0) from machine time, 70 Hz', () => {
    const m = machine();
    const at = (t: number) => {
      m.ctx.t = t;
      return m.inp(0x3da);
    };
    expect(at(0)).toBe(0x00); // line 0, first character: active display
    expect(at(LINE_NS * 0.9)).toBe(0x01); // horizontal blank (character clocks 80-99 of 100)
    expect(at(LINE_NS * 405.5)).toBe(0x01); // below line 400: not displayed, not yet retrace
    expect(at(LINE_NS * 412.5)).toBe(0x09); // lines 412-413: vertical retrace
    expect(at(LINE_NS * 413.5)).toBe(0x09);
    expect(at(LINE_NS * 414.5)).toBe(0x01);
    const frameNs = LINE_NS * 449;
    expect(1e9 / frameNs).toBeCloseTo(70.09, 1);
    expect(at(frameNs * 1000 + LINE_NS * 412.5)).toBe(0x09); // periodic
    expect(at(frameNs * 1000 + LINE_NS * 0.1)).toBe(0x00);
  });

  it('is deterministic: repeated reads at one machine time agree (no toggling per read)', () => {
    const m = machine();
    m.ctx.t = LINE_NS * 412.5;
    const reads = Array.from({ length: 5 }, () => m.inp(0x3da));
    expect(new Set(reads)).toEqual(new Set([0x09]));
  });

  it('a polling loop waiting for retrace then display sees both within one frame', () => {
    const m = machine();
    let t = 0;
    const step = 1000; // 1 us per poll
    const limit = 2 * LINE_NS * 449; // bounded, so a regression fails instead of hanging
    while (!(m.inp(0x3da) & 0x08) && t < limit) m.ctx.t = t += step;
    const retraceAt = t;
    while (m.inp(0x3da) & 0x08 && t < limit) m.ctx.t = t += step;
    expect(retraceAt).toBeGreaterThan(LINE_NS * 411);
    expect(retraceAt).toBeLessThan(LINE_NS * 413);
    expect(t - retraceAt).toBeCloseTo(2 * LINE_NS, -4);
  });

  it('derives the timing from the CRTC registers (mode 3 gives 449 lines of 31.78 us)', () => {
    const cr = new Uint8Array(256);
    cr.set([0x5f, 0x4f, 0x50, 0x82, 0x55, 0x81, 0xbf, 0x1f, 0, 0x4f, 0, 0, 0, 0, 0, 0, 0x9c, 0x8e, 0x8f]);
    const t = rasterTiming(cr, 0x67, 0x00);
    expect(t.vTotal).toBe(449);
    expect(t.vDisplay).toBe(400);
    expect(t.vRetraceStart).toBe(412);
    expect(t.vRetraceLines).toBe(2);
    expect(t.lineNs).toBeCloseTo(31_777, 0);
  });
});

describe('CRTC index/data at 0x3D4/0x3D5', () => {
  it('index then data; the index reads back at 0x3D4', () => {
    const m = machine();
    m.out(0x3d4, 0x0e);
    expect(m.inp(0x3d4)).toBe(0x0e);
    m.out(0x3d5, 0x12);
    expect(m.crtc(0x0e)).toBe(0x12);
  });

  it('a 16-bit out to 0x3D4 writes index = AL and data = AH', () => {
    const m = machine();
    m.out(0x3d4, 0x340f, 2);
    expect(m.crtc(0x0f)).toBe(0x34);
    expect(m.inp(0x3d4, 2)).toBe(0x340f);
  });

  it('a 16-bit out to 0x3D5 uses the low byte', () => {
    const m = machine();
    m.out(0x3d4, 0x0f);
    m.out(0x3d5, 0xab56, 2);
    expect(m.crtc(0x0f)).toBe(0x56);
    expect(m.inp(0x3d4)).toBe(0x0f);
  });

  it('mode 3 register values: max scan line 0x0F, cursor lines 0x0D-0x0E, start and cursor 0', () => {
    const m = machine();
    expect(m.crtc(0x09) & 0x1f).toBe(0x0f);
    expect(m.crtc(0x0a)).toBe(0x0d);
    expect(m.crtc(0x0b)).toBe(0x0e);
    for (const r of [0x0c, 0x0d, 0x0e, 0x0f]) expect(m.crtc(r)).toBe(0);
    expect(m.crtc(0x11)).toBe(0x8e);
  });

  it('CR11 bit 7 write-protects CR00-CR07 except CR07 bit 4 (QEMU)', () => {
    const m = machine();
    expect(m.crtc(0x00, 0x12)).toBe(0x5f); // locked by the mode-3 CR11 = 0x8E
    expect(m.crtc(0x07, 0x00)).toBe(0x0f); // only bit 4 (line compare bit 8) took the 0
    expect(m.crtc(0x0a, 0x20)).toBe(0x20); // CR08 and up are never locked
    m.crtc(0x11, 0x0e);
    expect(m.crtc(0x00, 0x12)).toBe(0x12);
  });
});

describe('cursor location CR0E/CR0F and shape CR0A/CR0B', () => {
  it('the cursor location is in cells: 0x00A5 is row 2, column 5', () => {
    const m = machine();
    m.crtc(0x0e, 0x00);
    m.crtc(0x0f, 0xa5);
    expect(m.scanAt(0)[0].cursor).toEqual({ row: 2, col: 5, visible: true, start: 0x0d, end: 0x0e });
  });

  it('moving the cursor alone produces a frame with no cells', () => {
    const m = machine();
    m.scanAt(0);
    m.crtc(0x0f, 81);
    const [f] = m.scanAt(SCAN_PERIOD_NS);
    expect(f.cells).toEqual([]);
    expect(f.cursor).toMatchObject({ row: 1, col: 1, visible: true });
  });

  it('a cursor outside the displayed window is not visible', () => {
    const m = machine();
    m.crtc(0x0e, 0x07);
    m.crtc(0x0f, 0xd0); // 2000: one past the last cell
    expect(m.scanAt(0)[0].cursor.visible).toBe(false);
  });

  it('CR0A bit 5 turns the cursor off; bits 0-4 / CR0B bits 0-4 give the scan lines', () => {
    const m = machine();
    m.crtc(0x0a, 0x00);
    m.crtc(0x0b, 0x6f); // skew bits ignored
    expect(m.scanAt(0)[0].cursor).toMatchObject({ visible: true, start: 0, end: 15 });
    m.crtc(0x0a, 0x20);
    expect(m.scanAt(SCAN_PERIOD_NS)[0].cursor.visible).toBe(false);
  });

  it('start > end hides the cursor; end is clamped to the cell height (QEMU)', () => {
    const m = machine();
    m.crtc(0x0a, 0x0e);
    m.crtc(0x0b, 0x0d);
    expect(m.scanAt(0)[0].cursor.visible).toBe(false);
    m.crtc(0x0b, 0x1f);
    expect(m.scanAt(SCAN_PERIOD_NS)[0].cursor).toMatchObject({ visible: true, start: 14, end: 15 });
  });
});

describe('start address CR0C/CR0D', () => {
  it('moves the scanned window: start 80 shows memory row 1 at the top', () => {
    const m = machine();
    m.poke(1, 0, 0x42, 0x07);
    m.scanAt(0);
    m.crtc(0x0c, 0x00);
    m.crtc(0x0d, 80);
    const [f] = m.scanAt(SCAN_PERIOD_NS);
    expect(triplets(f)).toContainEqual([0, 0x42, 0x07]);
    m.poke(25, 0, 0x43, 0x07); // just past the first page: now the bottom row
    m.core.flush!();
    expect(m.lastFrame().cells).toEqual([24 * 80, 0x43, 0x07]);
  });

  it('CR0C is the high byte: start 0x0102 begins 0x204 bytes into text RAM', () => {
    const m = machine();
    m.ctx.memory.write16(0xb8000 + 0x204, 0x1f44);
    m.crtc(0x0c, 0x01);
    m.crtc(0x0d, 0x02);
    expect(triplets(m.scanAt(0)[0])[0]).toEqual([0, 0x44, 0x1f]);
  });

  it('reads back high at CR0C and low at CR0D (not swapped as in v86)', () => {
    const m = machine();
    m.crtc(0x0c, 0x12);
    m.crtc(0x0d, 0x34);
    expect(m.crtc(0x0c)).toBe(0x12);
    expect(m.crtc(0x0d)).toBe(0x34);
  });

  it('the cursor is shown relative to the start address', () => {
    const m = machine();
    m.crtc(0x0d, 80);
    m.crtc(0x0f, 85);
    expect(m.scanAt(0)[0].cursor).toMatchObject({ row: 0, col: 5, visible: true });
  });
});

describe('misc output 0x3C2 / 0x3CC and the 0x3Bx/0x3Dx select', () => {
  it('reads 0x67 at 0x3CC after mode 3; 0x3C2 reads input status #0 instead', () => {
    const m = machine();
    expect(m.inp(0x3cc)).toBe(0x67);
    expect(m.inp(0x3c2)).toBe(0x00);
    m.out(0x3c2, 0x77);
    expect(m.inp(0x3cc)).toBe(0x67); // bit 4 is not stored (QEMU)
  });

  it('with misc bit 0 clear the 0x3Dx CRTC and status read 0xFF and ignore writes', () => {
    const m = machine();
    m.out(0x3c2, 0x66);
    expect(m.inp(0x3d4)).toBe(0xff);
    expect(m.inp(0x3d5)).toBe(0xff);
    expect(m.inp(0x3da)).toBe(0xff);
    m.out(0x3d4, 0x0f);
    m.out(0x3d5, 0x55);
    m.out(0x3c2, 0x67);
    expect(m.crtc(0x0f)).toBe(0x00);
  });

  it('in mono decode 0x3DA does not reset the attribute flip-flop', () => {
    const m = machine();
    m.inp(0x3da);
    m.out(0x3c2, 0x66);
    m.out(0x3c0, 0x30);
    m.inp(0x3da);
    m.out(0x3c0, 0x04); // still the data phase: AR10 = 0x04
    m.out(0x3c2, 0x67);
    m.inp(0x3da);
    m.out(0x3c0, 0x30);
    expect(m.inp(0x3c1)).toBe(0x04);
  });
});

describe('sequencer, graphics controller and DAC', () => {
  it('sequencer and graphics registers read back with their mode-3 values', () => {
    const m = machine();
    m.out(0x3c4, 0x04);
    expect(m.inp(0x3c5)).toBe(0x02);
    m.out(0x3ce, 0x06);
    expect(m.inp(0x3cf)).toBe(0x0e);
    m.out(0x3ce, 0x05);
    m.out(0x3cf, 0x10);
    expect(m.inp(0x3cf)).toBe(0x10);
  });

  it('GR06 memory map 2 moves the scanned window to 0xB0000', () => {
    const m = machine();
    m.ctx.memory.write8(0xb0000, 0x4d);
    m.ctx.memory.write8(0xb0001, 0x07);
    m.out(0x3ce, 0x06);
    m.out(0x3cf, 0x0a);
    expect(triplets(m.scanAt(0)[0])[0]).toEqual([0, 0x4d, 0x07]);
  });

  it('the DAC stores what is written (6 bits a component) and reads it back', () => {
    const m = machine();
    m.out(0x3c8, 0x10);
    for (const v of [0x3f, 0x20, 0xff, 0x01, 0x02, 0x03]) m.out(0x3c9, v);
    expect(m.inp(0x3c8)).toBe(0x12);
    expect(m.inp(0x3c7)).toBe(0x00);
    m.out(0x3c7, 0x10);
    expect(m.inp(0x3c7)).toBe(0x03);
    expect([0, 1, 2, 3, 4, 5].map(() => m.inp(0x3c9))).toEqual([0x3f, 0x20, 0x3f, 0x01, 0x02, 0x03]);
  });

  it('the DAC starts with the EGA palette (entry 0x3E is yellow 3F 3F 15)', () => {
    const m = machine();
    m.out(0x3c7, 0x3e);
    expect([m.inp(0x3c9), m.inp(0x3c9), m.inp(0x3c9)]).toEqual([0x3f, 0x3f, 0x15]);
  });
});
