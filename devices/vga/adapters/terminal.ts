// Draws the VGA screen into an ANSI terminal: CP437 glyphs, the 16 text colours as SGR codes,
// the hardware cursor as the terminal cursor. Only cells a frame reports as changed are drawn.
import { CP437 } from '../cp437.js';
import { CELLS, COLS, type Frame } from '../frame.js';
import { ScreenModel } from '../screen.js';
import type { DisplayAdapter } from './adapter.js';

const CSI = '\x1b[';
export const SHOW_CURSOR = `${CSI}?25h`;
export const HIDE_CURSOR = `${CSI}?25l`;
export const RESET_SGR = `${CSI}0m`;

/** VGA colour numbers (bit 0 blue, bit 1 green, bit 2 red) in ANSI order (red first): swap R and B. */
const ANSI_OF_VGA = [0, 4, 2, 6, 1, 5, 3, 7];

/** The SGR parameters one attribute byte needs. */
export interface Pen {
  readonly fg: number; // 30-37, or 90-97 when attribute bit 3 (bright) is set
  readonly bg: number; // 40-47, or 100-107 for bit 7 when blinking is disabled
  readonly blink: boolean; // SGR 5: bit 7 when blinking is enabled (AR10 bit 3)
}

/**
 * Decode an attribute byte: bits 0-3 foreground (bit 3 bright), bits 4-6 background, bit 7
 * blink or bright background per AR10 bit 3. The attribute-controller palette and the DAC are
 * not applied: the terminal's own 16 colours stand in for the default EGA palette.
 */
export function penFor(attr: number, blinkEnabled: boolean): Pen {
  const fg = (attr & 0x08 ? 90 : 30) + ANSI_OF_VGA[attr & 7];
  const high = (attr & 0x80) !== 0;
  const bg = (high && !blinkEnabled ? 100 : 40) + ANSI_OF_VGA[(attr >> 4) & 7];
  return { fg, bg, blink: high && blinkEnabled };
}

/** A complete SGR sequence (starting from a reset) for an attribute byte. */
export function sgrFor(attr: number, blinkEnabled: boolean): string {
  const p = penFor(attr, blinkEnabled);
  return `${CSI}0;${p.fg};${p.bg}${p.blink ? ';5' : ''}m`;
}

/** Only the parameters that differ between two pens; '' when none do. */
function sgrChange(from: Pen, to: Pen): string {
  const params: number[] = [];
  if (from.fg !== to.fg) params.push(to.fg);
  if (from.bg !== to.bg) params.push(to.bg);
  if (from.blink !== to.blink) params.push(to.blink ? 5 : 25);
  return params.length ? `${CSI}${params.join(';')}m` : '';
}

export interface TextSink {
  write(s: string): void;
}

export interface TerminalOptions {
  /** 1-based terminal row of the screen's top-left cell (default 1). */
  readonly row?: number;
  /** 1-based terminal column of the screen's top-left cell (default 1). */
  readonly col?: number;
}

export class TerminalAdapter implements DisplayAdapter {
  readonly screen = new ScreenModel();
  private readonly row0: number;
  private readonly col0: number;
  /** Terminal cursor visibility and DECSCUSR shape as last written (null: unknown). */
  private cursorShown: boolean | null = null;
  private cursorStyle: number | null = null;
  private closed = false;

  constructor(private readonly out: TextSink, options: TerminalOptions = {}) {
    this.row0 = options.row ?? 1;
    this.col0 = options.col ?? 1;
  }

  onFrame(f: Frame): void {
    if (this.closed) return;
    const blinkChanged = f.blink !== this.screen.blink;
    this.screen.apply(f);
    if (f.full) {
      this.render(null);
      return;
    }
    const dirty = new Uint8Array(CELLS);
    for (let i = 0; i + 2 < f.cells.length; i += 3) {
      if (f.cells[i] >= 0 && f.cells[i] < CELLS) dirty[f.cells[i]] = 1;
    }
    // Bit 7 changes meaning with AR10 bit 3: those cells look different now.
    if (blinkChanged) for (let i = 0; i < CELLS; i++) if (this.screen.cells[i] & 0x8000) dirty[i] = 1;
    this.render(dirty);
  }

  /** Draw every cell again (after a terminal resize or anything else that spoilt the screen). */
  redraw(): void {
    if (this.closed) return;
    this.cursorShown = null;
    this.cursorStyle = null;
    this.render(null);
  }

  /** Leave the terminal usable: default colours, default cursor shape, cursor shown. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.out.write(`${RESET_SGR}${CSI}0 q${SHOW_CURSOR}`);
  }

  private moveTo(index: number): string {
    return `${CSI}${this.row0 + Math.floor(index / COLS)};${this.col0 + (index % COLS)}H`;
  }

  /**
   * One write per frame. Cells are drawn in order; a cursor move is written only where a cell
   * does not follow the previous one, an SGR only where the attribute's look changes, so a run
   * of same-attribute cells in a row is one move, one SGR and its characters. Nothing is assumed
   * about the terminal between frames (the host writes its status bar): each frame starts with a
   * full SGR and ends with a reset.
   */
  private render(dirty: Uint8Array | null): void {
    const { cells, blink, cursor } = this.screen;
    let s = '';
    let pen: Pen | null = null;
    let at = -1; // the cell the terminal cursor is on, -1 when unknown
    for (let i = 0; i < CELLS; i++) {
      if (dirty && !dirty[i]) continue;
      if (at !== i) s += this.moveTo(i);
      const cell = cells[i];
      const next = penFor(cell >> 8, blink);
      s += pen ? sgrChange(pen, next) : sgrFor(cell >> 8, blink);
      pen = next;
      s += CP437[cell & 0xff];
      // After the last column the terminal may be in its pending-wrap state: move explicitly.
      at = i % COLS === COLS - 1 ? -1 : i + 1;
    }
    if (pen) s += RESET_SGR;

    if (cursor.visible) {
      // DECSCUSR: blinking block for a cursor reaching the top half of the cell, else underline.
      const style = cursor.start < 8 ? 1 : 3;
      if (style !== this.cursorStyle) s += `${CSI}${style} q`;
      this.cursorStyle = style;
      s += this.moveTo(cursor.row * COLS + cursor.col);
      if (this.cursorShown !== true) s += SHOW_CURSOR;
      this.cursorShown = true;
    } else if (this.cursorShown !== false) {
      s += HIDE_CURSOR;
      this.cursorShown = false;
    }
    if (s) this.out.write(s);
  }
}
