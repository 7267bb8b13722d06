// The VGA text screen as the monitor shows it: 80×25 cells of 9×16 dots (720×400), glyphs from
// the 8×16 ROM font, the 9th dot column per the line-graphics rule, the 16 colours of the
// attribute palette and DAC, blinking characters and the cursor at their phase for a machine
// time. Pure and import-free at run time (types only), so the web page loads this same module
// (its compiled JS) and draws the same pixels as `--screenshot`.
import type { CursorState } from '../frame.js';

export const COLS = 80;
export const ROWS = 25;
/** Dots per character cell: 9 wide (SR01 bit 0 clear in mode 3), 16 high (CR09 = 0x4F). */
export const CELL_W = 9;
export const CELL_H = 16;
export const WIDTH = COLS * CELL_W;
export const HEIGHT = ROWS * CELL_H;
/** Bytes of the font: 256 glyphs × 16 scan lines, bit 7 = leftmost dot. */
export const FONT_BYTES = 256 * CELL_H;

/**
 * One mode-3 frame in machine ns: 100 character clocks of 9 dots at 28.322 MHz per line, 449
 * lines (≈70.1 Hz; the same figure crtc.ts derives from the CRTC registers).
 */
export const FRAME_NS = (100 * 9 * 449 * 1e9) / 28_322_000;

/**
 * The VGA derives both blink rates from vertical sync: the cursor toggles every 8 frames (a
 * 16-frame cycle), blinking characters every 16 frames (a 32-frame cycle). Frame 0 starts at
 * machine time 0, with both visible.
 */
export function blinkPhase(t: number): { readonly cursorOn: boolean; readonly charsOn: boolean } {
  const frame = Math.floor(Math.max(0, t) / FRAME_NS);
  return { cursorOn: (frame & 8) === 0, charsOn: (frame & 16) === 0 };
}

/** The 16 colours of mode 3 with the BIOS's attribute palette and DAC (EGA-compatible). */
export const DEFAULT_PALETTE: readonly number[] = [
  0x000000, 0x0000aa, 0x00aa00, 0x00aaaa, 0xaa0000, 0xaa00aa, 0xaa5500, 0xaaaaaa,
  0x555555, 0x5555ff, 0x55ff55, 0x55ffff, 0xff5555, 0xff55ff, 0xffff55, 0xffffff,
];

/** What the renderer needs of a screen (ScreenModel has all of it). */
export interface RasterScreen {
  /** 2000 cells, row-major: char | attr << 8. */
  readonly cells: ArrayLike<number>;
  readonly cursor: CursorState;
  /** AR10 bit 3: attribute bit 7 blinks (true) or selects a bright background (false). */
  readonly blink: boolean;
  /** 16 colours as 0xRRGGBB; empty or absent: DEFAULT_PALETTE. */
  readonly palette?: readonly number[];
  /** AR10 bit 2; absent: on (mode 3). */
  readonly lineGraphics?: boolean;
}

/**
 * Draw `screen` at machine time `t` into `out` (RGBA, WIDTH × HEIGHT × 4 bytes, alpha 255),
 * returned. `font` is FONT_BYTES of the 8×16 font in code page 437 order.
 */
export function rasterize<T extends Uint8Array | Uint8ClampedArray>(screen: RasterScreen, font: Uint8Array, t: number, out: T): T {
  if (font.length < FONT_BYTES) throw new Error(`the font has ${font.length} bytes; ${FONT_BYTES} expected`);
  if (out.length < WIDTH * HEIGHT * 4) throw new Error(`the image buffer has ${out.length} bytes; ${WIDTH * HEIGHT * 4} needed`);
  const palette = screen.palette && screen.palette.length === 16 ? screen.palette : DEFAULT_PALETTE;
  const lineGraphics = screen.lineGraphics ?? true;
  const { cursorOn, charsOn } = blinkPhase(t);
  const cursor = screen.cursor;
  const cursorCell = cursor.visible && cursorOn ? cursor.row * COLS + cursor.col : -1;
  for (let cell = 0; cell < COLS * ROWS; cell++) {
    const v = screen.cells[cell] ?? 0;
    const ch = v & 0xff;
    const attr = (v >> 8) & 0xff;
    let fg = attr & 0x0f;
    // Bit 7 either blinks the character (background limited to 8 colours) or brightens the background.
    const bg = screen.blink ? (attr >> 4) & 0x07 : attr >> 4;
    if (screen.blink && attr & 0x80 && !charsOn) fg = bg;
    const bgRgb = palette[bg];
    const cursorRgb = palette[attr & 0x0f]; // the cursor takes the cell's foreground colour
    // Line graphics: the box-drawing range carries its 8th dot into the 9th; all others get background there.
    const dup9 = lineGraphics && ch >= 0xc0 && ch <= 0xdf;
    const x0 = (cell % COLS) * CELL_W;
    const y0 = Math.floor(cell / COLS) * CELL_H;
    for (let line = 0; line < CELL_H; line++) {
      let bits = font[ch * CELL_H + line];
      let fgRgb = palette[fg];
      if (cell === cursorCell && line >= cursor.start && line <= cursor.end) {
        bits = 0x1ff; // the cursor spans all 9 dots
        fgRgb = cursorRgb;
      } else bits = (bits << 1) | (dup9 ? bits & 1 : 0);
      let p = ((y0 + line) * WIDTH + x0) * 4;
      for (let dot = 0; dot < CELL_W; dot++, p += 4) {
        const rgb = bits & (0x100 >> dot) ? fgRgb : bgRgb;
        out[p] = rgb >> 16;
        out[p + 1] = (rgb >> 8) & 0xff;
        out[p + 2] = rgb & 0xff;
        out[p + 3] = 255;
      }
    }
  }
  return out;
}
