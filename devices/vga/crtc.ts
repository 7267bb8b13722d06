// The CRT controller (index 0x3D4, data 0x3D5): register file with the CR11 write lock, and what
// the rest of the adapter derives from it (start address, cursor, raster timing for 0x3DA).

/** CRTC register numbers used by this model. */
export const CR = {
  H_TOTAL: 0x00,
  H_DISP_END: 0x01,
  V_TOTAL: 0x06,
  OVERFLOW: 0x07,
  MAX_SCAN: 0x09,
  CURSOR_START: 0x0a,
  CURSOR_END: 0x0b,
  START_HI: 0x0c,
  START_LO: 0x0d,
  CURSOR_HI: 0x0e,
  CURSOR_LO: 0x0f,
  V_RETRACE_START: 0x10,
  V_RETRACE_END: 0x11,
  V_DISP_END: 0x12,
  LAST_STANDARD: 0x18,
} as const;

/** CR11 bit 7: CR00-CR07 are write-protected (CR07 bit 4 stays writable). */
export const CR11_LOCK = 0x80;
/** CR0A bit 5: cursor off. */
export const CURSOR_OFF = 0x20;

/**
 * CR00-CR18 as the BIOS leaves mode 3 (80x25, 9x16 cells, 720x400 at 70 Hz): the table SeaBIOS
 * and the IBM BIOS program. CR09 = 0x4F (16 scan lines), cursor lines 0x0D-0x0E, CR11 = 0x8E
 * (so CR00-CR07 start locked), start address and cursor location 0.
 */
export const CRTC_MODE3: readonly number[] = [
  0x5f, 0x4f, 0x50, 0x82, 0x55, 0x81, 0xbf, 0x1f, 0x00, 0x4f, 0x0d, 0x0e, 0x00, 0x00, 0x00, 0x00,
  0x9c, 0x8e, 0x8f, 0x28, 0x1f, 0x96, 0xb9, 0xa3, 0xff,
];

export class Crtc {
  index = 0;
  /** 256 entries as QEMU keeps them; only CR00-CR18 exist on a VGA. */
  readonly regs = new Uint8Array(256);

  constructor() {
    this.reset();
  }

  reset(): void {
    this.index = 0;
    this.regs.fill(0);
    this.regs.set(CRTC_MODE3);
  }

  read(): number {
    return this.regs[this.index];
  }

  /** Data write honouring the CR11 lock exactly as QEMU does. Returns false when it was dropped. */
  write(value: number): boolean {
    const i = this.index;
    if (this.regs[CR.V_RETRACE_END] & CR11_LOCK && i <= CR.OVERFLOW) {
      if (i === CR.OVERFLOW) this.regs[i] = (this.regs[i] & ~0x10) | (value & 0x10);
      return false;
    }
    this.regs[i] = value & 0xff;
    return true;
  }

  /** CR0C:CR0D, in character cells from the start of video memory. */
  startAddress(): number {
    return (this.regs[CR.START_HI] << 8) | this.regs[CR.START_LO];
  }

  /** CR0E:CR0F, in character cells from the start of video memory. */
  cursorLocation(): number {
    return (this.regs[CR.CURSOR_HI] << 8) | this.regs[CR.CURSOR_LO];
  }

  /** Character cell height in scan lines (CR09 bits 0-4, plus one). */
  charHeight(): number {
    return (this.regs[CR.MAX_SCAN] & 0x1f) + 1;
  }

  /**
   * Cursor shape as QEMU's vga_draw_text decides it: drawn unless CR0A bit 5 is set; the end
   * line is clamped to the cell height; no cursor when start > end or start is below the cell.
   * The skew bits (CR0B bits 5-6) are ignored.
   */
  cursorShape(): { start: number; end: number; on: boolean } {
    const start = this.regs[CR.CURSOR_START] & 0x1f;
    const end = Math.min(this.regs[CR.CURSOR_END] & 0x1f, this.charHeight() - 1);
    const on = (this.regs[CR.CURSOR_START] & CURSOR_OFF) === 0 && start <= end;
    return { start, end, on };
  }
}

/** Raster timing in machine nanoseconds, derived from the CRTC, misc output and sequencer. */
export interface Timing {
  readonly lineNs: number;
  readonly frameNs: number;
  readonly hTotal: number; // character clocks per line
  readonly hDisplay: number; // character clocks displayed per line
  readonly vTotal: number; // lines per frame
  readonly vDisplay: number; // displayed lines
  readonly vRetraceStart: number;
  readonly vRetraceLines: number;
}

/** Dot clocks selected by misc output bits 2-3 (0: 25.175 MHz, 1: 28.322 MHz). */
const DOT_CLOCK_HZ = [25_175_000, 28_322_000];

/**
 * Approximate raster timing, good enough for the status bits that polling loops wait on. Mode 3:
 * 100 character clocks of 9 dots at 28.322 MHz = 31.78 us per line, 449 lines = 14.27 ms per frame
 * (70 Hz); 80 of the 100 clocks and 400 of the 449 lines are displayed; vertical retrace runs from
 * line 412 until the line whose low 4 bits equal CR11 bits 0-3 (lines 412-413). Blanking start/end
 * (CR02/03, CR15/16), skew and doubling bits are not modelled.
 */
export function rasterTiming(cr: Uint8Array, misc: number, sr01: number): Timing {
  const ov = cr[CR.OVERFLOW];
  const hTotal = cr[CR.H_TOTAL] + 5;
  const hDisplay = Math.min(cr[CR.H_DISP_END] + 1, hTotal);
  const vTotal = (cr[CR.V_TOTAL] | ((ov & 0x01) << 8) | ((ov & 0x20) << 4)) + 2;
  const vDisplay = Math.min((cr[CR.V_DISP_END] | ((ov & 0x02) << 7) | ((ov & 0x40) << 3)) + 1, vTotal);
  const vRetraceStart = cr[CR.V_RETRACE_START] | ((ov & 0x04) << 6) | ((ov & 0x80) << 2);
  const vRetraceLines = ((cr[CR.V_RETRACE_END] - vRetraceStart) & 0x0f) || 16;
  const dotClock = DOT_CLOCK_HZ[(misc >> 2) & 3] ?? DOT_CLOCK_HZ[1];
  const dotsPerChar = sr01 & 0x01 ? 8 : 9;
  const lineNs = (hTotal * dotsPerChar * 1e9) / dotClock;
  return { lineNs, frameNs: lineNs * vTotal, hTotal, hDisplay, vTotal, vDisplay, vRetraceStart, vRetraceLines };
}

export const ST01_DISPLAY_DISABLED = 0x01;
export const ST01_V_RETRACE = 0x08;

/**
 * Input status #1 at machine time t (frame 0 starts at t = 0): bit 0 = not in the active display
 * area (horizontal or vertical blank/border), bit 3 = vertical retrace. A pure function of time,
 * unlike QEMU's default of toggling both bits on every read.
 */
export function inputStatus1(timing: Timing, t: number): number {
  const inFrame = ((t % timing.frameNs) + timing.frameNs) % timing.frameNs;
  const line = Math.floor(inFrame / timing.lineNs);
  const clock = Math.floor(((inFrame - line * timing.lineNs) / timing.lineNs) * timing.hTotal);
  let v = 0;
  if (line >= timing.vDisplay || clock >= timing.hDisplay) v |= ST01_DISPLAY_DISABLED;
  const sinceRetrace = (((line - timing.vRetraceStart) % timing.vTotal) + timing.vTotal) % timing.vTotal;
  if (sinceRetrace < timing.vRetraceLines) v |= ST01_V_RETRACE | ST01_DISPLAY_DISABLED;
  return v;
}
