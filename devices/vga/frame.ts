// What the VGA core publishes to its front-end adapters (ctx.emit('frame', frame)).
// Plain JSON: frames are posted from the device's worker to the main thread.

export const COLS = 80;
export const ROWS = 25;
export const CELLS = COLS * ROWS;
/** Bytes of one text page: a character byte then an attribute byte per cell. */
export const PAGE_BYTES = CELLS * 2;

/** The hardware cursor as the CRTC shows it, relative to the displayed window. */
export interface CursorState {
  /** 0..24; 0 when the cursor is off-screen. */
  readonly row: number;
  /** 0..79; 0 when the cursor is off-screen. */
  readonly col: number;
  /** False when CR0A bit 5 is set, when start > end, or when the location is outside the window. */
  readonly visible: boolean;
  /** First scan line of the cursor inside the character cell (CR0A bits 0-4). */
  readonly start: number;
  /** Last scan line (CR0B bits 0-4, clamped to the character height - 1). */
  readonly end: number;
}

export interface Frame {
  /** Machine time (ns) of the scan. */
  readonly t: number;
  /** True when `cells` holds all 2000 cells (first frame, or after a restore). */
  readonly full: boolean;
  /** Flat triplets [index, char, attr, index, char, attr, ...]; index = row*80 + col. */
  readonly cells: number[];
  readonly cursor: CursorState;
  /** AR10 bit 3: attribute bit 7 blinks (true) or selects a bright background (false). */
  readonly blink: boolean;
  /**
   * The 16 text colours as 0xRRGGBB: a colour index through the attribute palette (AR00-AR0F,
   * AR10 bit 7 with AR14) and the DAC. Absent: the default mode-3 colours.
   */
  readonly palette?: readonly number[];
  /** AR10 bit 2 (line graphics): glyphs 0xC0-0xDF repeat their 8th dot in the 9th column. */
  readonly lineGraphics?: boolean;
}

export function samePalette(a: readonly number[] | undefined, b: readonly number[] | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function sameCursor(a: CursorState, b: CursorState): boolean {
  return a.row === b.row && a.col === b.col && a.visible === b.visible && a.start === b.start && a.end === b.end;
}
