// The VGA text renderer behind --screenshot and the web view: 9×16 cells, the 9th-column rule,
// colours from the attribute palette and the DAC, blink and cursor phases, PNG output.
import { describe, expect, it } from 'vitest';
import { blinkPhase, CELL_H, CELL_W, DEFAULT_PALETTE, FRAME_NS, HEIGHT, rasterize, WIDTH, type RasterScreen } from '../../devices/vga/adapters/raster.js';
import { CRTC_MODE3, rasterTiming } from '../../devices/vga/crtc.js';
import { MISC_MODE3, VgaCore, REGION } from '../../devices/vga/core.js';
import { ScreenModel } from '../../devices/vga/screen.js';
import { decodePng, loadVgaFont, screenOfFrame, screenPng } from '../../machine/screenshot.js';
import { FakeContext } from '../support/fake-context.js';

const font = loadVgaFont();
const HIDDEN = { row: 0, col: 0, visible: false, start: 0, end: 0 };

function screenWith(cells: Record<number, number>, extra: Partial<RasterScreen> = {}): RasterScreen {
  const all = new Uint16Array(2000).fill(0x0720);
  for (const [i, v] of Object.entries(cells)) all[Number(i)] = v;
  return { cells: all, cursor: HIDDEN, blink: true, ...extra };
}

function draw(screen: RasterScreen, t = 0): Uint8Array {
  return rasterize(screen, font, t, new Uint8Array(WIDTH * HEIGHT * 4));
}

/** RGB of the dot (x, y) inside cell `cell`, as 0xRRGGBB. */
function dot(img: Uint8Array, cell: number, x: number, y: number): number {
  const px = ((Math.floor(cell / 80) * CELL_H + y) * WIDTH + (cell % 80) * CELL_W + x) * 4;
  return (img[px] << 16) | (img[px + 1] << 8) | img[px + 2];
}

describe('VGA text rendering', () => {
  it('draws 720×400: 80×25 cells of 9×16 dots with the ROM font (█ fills 8 of the 9 columns of a non-box glyph cell)', () => {
    expect([WIDTH, HEIGHT]).toEqual([720, 400]);
    const img = draw(screenWith({ 0: 0x0fdb, 1: 0x0f41 }));
    for (let y = 0; y < 16; y++) for (let x = 0; x < 8; x++) expect(dot(img, 0, x, y)).toBe(0xffffff);
    // 'A' in the IBM VGA font: row 2 has one dot at column 3.
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((x) => dot(img, 1, x, 2))).toEqual([0, 0, 0, 0xffffff, 0, 0, 0, 0]);
  });

  it('repeats the 8th dot in the 9th column for glyphs 0xC0-0xDF when line graphics is on, else leaves it background', () => {
    const cells = { 0: 0x0fc4, 1: 0x0fdb, 2: 0x0fb0, 3: 0x0f41 }; // ─ █ ░ A
    const on = draw(screenWith(cells));
    expect(dot(on, 0, 8, 7)).toBe(0xffffff); // ─ joins the next cell
    expect(dot(on, 1, 8, 0)).toBe(0xffffff);
    expect(dot(on, 2, 7, 0)).toBe(0xffffff); // ░ (0xB0) has its 8th dot lit on row 0 ...
    expect(dot(on, 2, 8, 0)).toBe(0); // ... but is outside 0xC0-0xDF: 9th column stays background
    const off = draw(screenWith(cells, { lineGraphics: false }));
    expect(dot(off, 0, 8, 7)).toBe(0);
    expect(dot(off, 1, 8, 0)).toBe(0);
  });

  it('takes the 16 colours from the palette the VGA reports, else the mode-3 defaults', () => {
    const img = draw(screenWith({ 0: 0x1edb }));
    expect(dot(img, 0, 0, 0)).toBe(DEFAULT_PALETTE[14]); // yellow █
    expect(dot(img, 0, 8, 0)).toBe(DEFAULT_PALETTE[14]); // line graphics
    const custom = Array.from({ length: 16 }, (_, i) => 0x010101 * i);
    const img2 = draw(screenWith({ 0: 0x1e41 }, { palette: custom }));
    expect(dot(img2, 0, 0, 0)).toBe(0x010101); // background colour 1
  });

  it('blinks attribute bit 7 every 16 frames and the cursor every 8 (frames of the mode-3 raster, ≈70 Hz)', () => {
    expect(FRAME_NS).toBeCloseTo(rasterTiming(Uint8Array.from(CRTC_MODE3), MISC_MODE3, 0x00).frameNs, 3);
    expect(blinkPhase(0)).toEqual({ cursorOn: true, charsOn: true });
    expect(blinkPhase(8 * FRAME_NS + 1)).toEqual({ cursorOn: false, charsOn: true });
    expect(blinkPhase(16 * FRAME_NS + 1)).toEqual({ cursorOn: true, charsOn: false });
    const screen = screenWith({ 0: 0x8fdb }, { cursor: { row: 0, col: 1, visible: true, start: 14, end: 15 } });
    const shown = draw(screen, 0);
    const hidden = draw(screen, 16 * FRAME_NS + 1);
    expect(dot(shown, 0, 0, 0)).toBe(0xffffff);
    expect(dot(hidden, 0, 0, 0)).toBe(0); // the blinking █ shows its background
    expect(dot(shown, 1, 0, 14)).toBe(DEFAULT_PALETTE[7]); // cursor lines 14-15 in the cell's foreground, all 9 dots
    expect(dot(shown, 1, 8, 15)).toBe(DEFAULT_PALETTE[7]);
    expect(dot(shown, 1, 0, 13)).toBe(0);
    expect(dot(draw(screen, 8 * FRAME_NS + 1), 1, 0, 14)).toBe(0); // cursor off phase
    expect(dot(draw({ ...screen, blink: false }, 16 * FRAME_NS + 1), 0, 0, 0)).toBe(0xffffff); // no blink: bit 7 is a bright background
  });

  it('gets the palette from the DAC and attribute controller of a real VGA core', () => {
    const ctx = new FakeContext();
    const vga = new VgaCore(ctx as any);
    vga.write(REGION.dac, 1, 1, 0x14); // DAC entry 0x14 (what AR06 selects: brown) := pure blue
    for (const v of [0, 0, 63]) vga.write(REGION.dac, 2, 1, v);
    const frame = vga.screen();
    expect(frame.palette?.[6]).toBe(0x0000ff);
    expect(frame.palette?.[14]).toBe(0xffff55);
    expect(frame.lineGraphics).toBe(true);
    expect(screenOfFrame(frame).palette[6]).toBe(0x0000ff);
  });

  it('publishes a frame when only the palette or the line-graphics bit changes', () => {
    const ctx = new FakeContext();
    const vga = new VgaCore(ctx as any);
    vga.advance();
    const frames = () => ctx.events.filter((e) => e.channel === 'frame').map((e) => e.payload as { palette: number[]; lineGraphics: boolean; cells: number[] });
    expect(frames()).toHaveLength(1);
    ctx.t = 20_000_000;
    vga.advance();
    expect(frames()).toHaveLength(1); // nothing changed: no frame
    vga.write(REGION.dac, 1, 1, 0x3f); // DAC entry 0x3F (white, AR0F) := grey
    for (const v of [32, 32, 32]) vga.write(REGION.dac, 2, 1, v);
    ctx.t = 40_000_000;
    vga.advance();
    expect(frames()).toHaveLength(2);
    expect(frames()[1].palette[15]).toBe(0x828282);
    expect(frames()[1].cells).toEqual([]);
    vga.read(REGION.status, 0, 1); // reset the attribute flip-flop
    vga.write(REGION.attr, 0, 1, 0x30); // AR10, palette source on
    vga.write(REGION.attr, 0, 1, 0x08); // blink on, line graphics off
    ctx.t = 60_000_000;
    vga.advance();
    expect(frames()).toHaveLength(3);
    expect(frames()[2].lineGraphics).toBe(false);
  });

  it('encodes a 720×400 PNG whose pixels are the rendering, the same bytes every time', () => {
    const model = new ScreenModel();
    model.apply({ t: 0, full: true, cells: [0, 0x41, 0x1e], cursor: HIDDEN, blink: true });
    const a = screenPng(model);
    expect(a.equals(screenPng(model))).toBe(true);
    const png = decodePng(a);
    expect([png.width, png.height]).toEqual([720, 400]);
    expect(Array.from(png.data.subarray(0, 4))).toEqual([0x00, 0x00, 0xaa, 0xff]); // blue background of 'A'
  });
});
