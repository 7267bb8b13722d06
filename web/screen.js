// The page's copy of the VGA screen, kept up to date with the frames the server forwards (the
// same frames the terminal gets), drawn on the canvas by the same renderer as --screenshot.
import { rasterize, WIDTH, HEIGHT, blinkPhase } from '/lib/raster.js';

const CELLS = 80 * 25;

export class ScreenView {
  /** @param {HTMLCanvasElement} canvas @param {Uint8Array} font */
  constructor(canvas, font) {
    this.ctx = canvas.getContext('2d', { alpha: false });
    this.font = font;
    this.image = this.ctx.createImageData(WIDTH, HEIGHT);
    this.cells = new Uint16Array(CELLS);
    this.cursor = { row: 0, col: 0, visible: false, start: 0, end: 0 };
    this.blink = true;
    this.palette = [];
    this.lineGraphics = true;
    this.frames = 0;
    /** Machine time the picture was last drawn for, and whether anything changed since. */
    this.drawnAt = -1;
    this.dirty = true;
  }

  /** A full screen state (the server's hello). */
  load(s) {
    this.cells.set(s.cells.slice(0, CELLS));
    this.cursor = s.cursor;
    this.blink = s.blink;
    this.palette = s.palette;
    this.lineGraphics = s.lineGraphics;
    this.dirty = true;
  }

  /** A VGA frame: changed cells as [index, char, attr] triplets, plus cursor, blink mode, palette. */
  apply(f) {
    const c = f.cells;
    for (let i = 0; i + 2 < c.length; i += 3) if (c[i] >= 0 && c[i] < CELLS) this.cells[c[i]] = (c[i + 1] & 0xff) | ((c[i + 2] & 0xff) << 8);
    this.cursor = f.cursor;
    this.blink = f.blink;
    if (f.palette) this.palette = f.palette;
    if (f.lineGraphics !== undefined) this.lineGraphics = f.lineGraphics;
    this.frames++;
    this.dirty = true;
  }

  /** Draw at machine time t when something changed or the blink/cursor phase moved. */
  draw(t) {
    const phase = (x) => { const p = blinkPhase(x); return `${p.cursorOn}${p.charsOn}`; };
    if (!this.dirty && this.drawnAt >= 0 && phase(this.drawnAt) === phase(t)) return;
    rasterize(this, this.font, t, this.image.data);
    this.ctx.putImageData(this.image, 0, 0);
    this.drawnAt = t;
    this.dirty = false;
  }

  /** The screen as text, printable ASCII only (others as spaces), rows joined with "\n". */
  text() {
    const rows = [];
    for (let r = 0; r < 25; r++) {
      let s = '';
      for (let c = 0; c < 80; c++) {
        const ch = this.cells[r * 80 + c] & 0xff;
        s += ch >= 0x20 && ch < 0x7f ? String.fromCharCode(ch) : ' ';
      }
      rows.push(s.replace(/ +$/, ''));
    }
    return rows.join('\n');
  }
}
