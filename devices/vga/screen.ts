// The screen as a front end knows it: 80x25 cells (char | attr << 8) plus cursor and blink mode,
// kept up to date by applying frames in order. Shared by every display adapter and the CLI.
import { CP437 } from './cp437.js';
import { CELLS, COLS, ROWS, type CursorState, type Frame } from './frame.js';

export class ScreenModel {
  /** cells[row * 80 + col] = char | attr << 8. */
  readonly cells = new Uint16Array(CELLS);
  cursor: CursorState = { row: 0, col: 0, visible: false, start: 0, end: 0 };
  blink = true;
  /** 16 colours as 0xRRGGBB (the DAC through the attribute palette); empty: the default mode-3 colours. */
  palette: readonly number[] = [];
  /** AR10 bit 2: the 9th column of glyphs 0xC0-0xDF repeats their 8th. */
  lineGraphics = true;
  /** Machine time of the last frame applied, and how many were applied. */
  t = 0;
  frames = 0;

  apply(frame: Frame): void {
    const c = frame.cells;
    for (let i = 0; i + 2 < c.length; i += 3) {
      const index = c[i];
      if (index >= 0 && index < CELLS) this.cells[index] = (c[i + 1] & 0xff) | ((c[i + 2] & 0xff) << 8);
    }
    this.cursor = { ...frame.cursor };
    this.blink = frame.blink;
    if (frame.palette) this.palette = [...frame.palette];
    if (frame.lineGraphics !== undefined) this.lineGraphics = frame.lineGraphics;
    this.t = frame.t;
    this.frames++;
  }

  charAt(row: number, col: number): number {
    return this.cells[row * COLS + col] & 0xff;
  }

  attrAt(row: number, col: number): number {
    return this.cells[row * COLS + col] >> 8;
  }

  /** Row `r` as 80 Unicode characters (CP437 glyphs; code 0 shows as a space). */
  rowText(r: number): string {
    let s = '';
    for (let c = 0; c < COLS; c++) s += CP437[this.cells[r * COLS + c] & 0xff];
    return s;
  }

  /** The 25 rows joined with "\n", trailing spaces of each row removed. */
  text(): string {
    const lines: string[] = [];
    for (let r = 0; r < ROWS; r++) lines.push(this.rowText(r).replace(/ +$/, ''));
    return lines.join('\n');
  }

  /** True when `str` appears on the screen (a string with "\n" may span rows of text()). */
  contains(str: string): boolean {
    return this.text().includes(str);
  }
}
