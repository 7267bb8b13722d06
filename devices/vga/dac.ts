// The colour DAC's CPU side (0x3C7-0x3C9): 256 entries of 6-bit red, green, blue, loaded and read
// back three writes/reads per entry with auto-incrementing indices. The display side is not
// modelled (terminal colours stand in for the DAC).

export interface DacState {
  readonly palette: number[];
  readonly readIndex: number;
  readonly writeIndex: number;
  readonly sub: number;
  readonly mode: number;
  readonly latch: number[];
}

/** The default DAC contents of the 16-colour modes: the EGA rgbRGB palette in entries 0-63. */
function egaPalette(): Uint8Array {
  const dac = new Uint8Array(256 * 3);
  for (let i = 0; i < 64; i++) {
    const level = (hi: number, lo: number) => ((i >> hi) & 1) * 0x2a + ((i >> lo) & 1) * 0x15;
    dac.set([level(2, 5), level(1, 4), level(0, 3)], i * 3);
  }
  return dac;
}

export class Dac {
  private readonly palette = egaPalette();
  private readIndex = 0;
  private writeIndex = 0;
  /** Which component (0 red, 1 green, 2 blue) the next data access is. */
  private sub = 0;
  /** 0x3C7 read-back: 0 after a write-index set, 3 after a read-index set (QEMU's dac_state). */
  private mode = 0;
  private readonly latch = new Uint8Array(3);

  /** offset 0 = 0x3C7 (state), 1 = 0x3C8 (write index), 2 = 0x3C9 (data). */
  read(offset: number): number {
    if (offset === 0) return this.mode;
    if (offset === 1) return this.writeIndex;
    const v = this.palette[this.readIndex * 3 + this.sub];
    if (++this.sub === 3) {
      this.sub = 0;
      this.readIndex = (this.readIndex + 1) & 0xff;
    }
    return v;
  }

  /** offset 0 = 0x3C7 (read index), 1 = 0x3C8 (write index), 2 = 0x3C9 (data). */
  write(offset: number, v: number): void {
    if (offset === 0) {
      this.readIndex = v & 0xff;
      this.sub = 0;
      this.mode = 3;
    } else if (offset === 1) {
      this.writeIndex = v & 0xff;
      this.sub = 0;
      this.mode = 0;
    } else {
      // A VGA DAC keeps 6 bits per component (QEMU keeps 8 for its VBE 8-bit DAC mode).
      this.latch[this.sub] = v & 0x3f;
      if (++this.sub === 3) {
        this.palette.set(this.latch, this.writeIndex * 3);
        this.sub = 0;
        this.writeIndex = (this.writeIndex + 1) & 0xff;
      }
    }
  }

  /** Entry `i` as the display side sees it: 0xRRGGBB, each 6-bit component widened to 8 bits. */
  rgb(i: number): number {
    const p = this.palette;
    const w = (v: number) => (v << 2) | (v >> 4);
    return (w(p[i * 3]) << 16) | (w(p[i * 3 + 1]) << 8) | w(p[i * 3 + 2]);
  }

  snapshot(): DacState {
    return {
      palette: Array.from(this.palette),
      readIndex: this.readIndex,
      writeIndex: this.writeIndex,
      sub: this.sub,
      mode: this.mode,
      latch: Array.from(this.latch),
    };
  }

  restore(s: DacState): void {
    this.palette.fill(0);
    this.palette.set(s.palette.slice(0, this.palette.length));
    this.readIndex = s.readIndex & 0xff;
    this.writeIndex = s.writeIndex & 0xff;
    this.sub = s.sub % 3;
    this.mode = s.mode === 3 ? 3 : 0;
    this.latch.set(s.latch.slice(0, 3));
  }
}
