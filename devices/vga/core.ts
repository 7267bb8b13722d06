// VGA core in 80x25 colour text mode: the register files a mode-3 guest touches, and a scanner
// that reads the text page out of physical memory (like the adapter's CRTC reads its RAM) and
// publishes what changed as frames. No I/O, no host clock: time is ctx.now().
import type { AccessSize, DeviceContext, DeviceCore, DeviceState } from '../../bus/device.js';
import { Dac, type DacState } from './dac.js';
import { Crtc, inputStatus1, rasterTiming, type Timing } from './crtc.js';
import { CELLS, COLS, PAGE_BYTES, sameCursor, samePalette, type CursorState, type Frame } from './frame.js';

/** Region indices, in the order module.ts declares them. */
export const REGION = { attr: 0, misc: 1, seq: 2, dac: 3, miscr: 4, gfx: 5, crtc: 6, status: 7 } as const;
export const REGION_SIZES: readonly number[] = [2, 1, 2, 3, 1, 2, 2, 1];

/** One scan per 1/60 s of machine time at most. */
export const SCAN_PERIOD_NS = 16_666_667;

/** Misc output after a mode-3 set: colour I/O (bit 0), RAM enabled, 28 MHz clock, 400-line syncs. */
export const MISC_MODE3 = 0x67;
const MISC_COLOR_IO = 0x01;
const SEQ_MODE3 = [0x03, 0x00, 0x03, 0x00, 0x02];
const GFX_MODE3 = [0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0e, 0x0f, 0xff];
const ATTR_MODE3 = [
  0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f,
  0x0c, 0x00, 0x0f, 0x08, 0x00,
];
/** Writable bits per register, as QEMU masks them (sr_mask / gr_mask). */
const SEQ_MASK = [0x03, 0x3d, 0x0f, 0x3f, 0x0e, 0x00, 0x00, 0xff];
const GFX_MASK = [0x0f, 0x0f, 0x0f, 0x1f, 0x03, 0x7b, 0x0f, 0x0f, 0xff];
const AR_MODE = 0x10;
const AR_COUNT = 0x15;
const AR10_GRAPHICS = 0x01;
const AR10_BLINK = 0x08;
const AR10_LINE_GRAPHICS = 0x04;
const AR10_P54S = 0x80;
const AR_COLOR_SELECT = 0x14;
const GR_MISC = 0x06;
/** Host memory window per GR06 bits 2-3: [base, size]. Mode 3 uses map 3 (0xB8000, 32 KiB). */
const WINDOWS: ReadonlyArray<readonly [number, number]> = [
  [0xa0000, 0x20000],
  [0xa0000, 0x10000],
  [0xb0000, 0x8000],
  [0xb8000, 0x8000],
];

export interface VgaState extends DeviceState {
  readonly version: 1;
  readonly misc: number;
  readonly fcr: number;
  readonly seqIndex: number;
  readonly seq: number[];
  readonly gfxIndex: number;
  readonly gfx: number[];
  readonly attrIndex: number;
  readonly attrFlipFlop: number;
  readonly attr: number[];
  readonly crtcIndex: number;
  readonly crtc: number[];
  readonly dac: DacState;
  readonly nextScanAt: number;
  /** The text page as it is in memory now (full frame), so the machine can print the final screen. */
  readonly screen: Frame;
}

const HIDDEN: CursorState = { row: 0, col: 0, visible: false, start: 0, end: 0 };

export class VgaCore implements DeviceCore {
  private misc = MISC_MODE3;
  private fcr = 0;
  private seqIndex = 0;
  private readonly seq = new Uint8Array(8);
  private gfxIndex = 0;
  private readonly gfx = new Uint8Array(16);
  /** Attribute index incl. bit 5 (palette address source); the flip-flop picks index (0) or data (1). */
  private attrIndex = 0x20;
  private attrFlipFlop = 0;
  private readonly attr = new Uint8Array(AR_COUNT);
  private readonly crtc = new Crtc();
  private readonly dac = new Dac();
  private timing: Timing;

  // Scanner state: the page as last published, and what else the last frame said.
  private prev = new Uint8Array(PAGE_BYTES);
  private cur = new Uint8Array(PAGE_BYTES);
  private published = false;
  private lastCursor: CursorState = HIDDEN;
  private lastBlink = true;
  private lastStart = 0;
  private lastPalette: number[] = [];
  private lastLineGraphics = true;
  private nextScanAt = 0;

  constructor(private readonly ctx: DeviceContext) {
    this.seq.set(SEQ_MODE3);
    this.gfx.set(GFX_MODE3);
    this.attr.set(ATTR_MODE3);
    this.timing = this.computeTiming();
  }

  // ---- port access -------------------------------------------------------------------------

  read(region: number, offset: number, size: AccessSize): number {
    // Wider than the region handles: little-endian bytes; bytes past the region float (0xFF).
    let value = 0;
    for (let i = 0; i < size; i++) value |= this.readByte(region, offset + i) << (8 * i);
    return value >>> 0;
  }

  write(region: number, offset: number, size: AccessSize, value: number): void {
    // A 16-bit `out 0x3D4, ax` lands here as index = AL, data = AH; a 16-bit write to 0x3D5 keeps
    // only AL (the high byte would go to 0x3D6, which nothing decodes).
    if (REGION_SIZES[region] === undefined) {
      this.ctx.guestError('write to an unknown VGA region', { region, offset, value });
      return;
    }
    for (let i = 0; i < size; i++) {
      if (offset + i >= (REGION_SIZES[region] ?? 0)) break;
      this.writeByte(region, offset + i, (value >>> (8 * i)) & 0xff);
    }
  }

  private readByte(region: number, offset: number): number {
    if (offset >= (REGION_SIZES[region] ?? 0)) {
      if (REGION_SIZES[region] === undefined) this.ctx.guestError('read of an unknown VGA region', { region, offset });
      return 0xff;
    }
    switch (region) {
      case REGION.attr:
        // The datasheet's address register reads back whatever the flip-flop state (QEMU returns 0
        // in the data phase); 0x3C1 reads the register the index selects.
        if (offset === 0) return this.attrIndex;
        return (this.attrIndex & 0x1f) < AR_COUNT ? this.attr[this.attrIndex & 0x1f] : 0;
      case REGION.misc:
        return 0x00; // input status #0: no switch sense, no CRT interrupt (QEMU's st00)
      case REGION.seq:
        return offset === 0 ? this.seqIndex : this.seq[this.seqIndex];
      case REGION.dac:
        return this.dac.read(offset);
      case REGION.miscr:
        return this.misc;
      case REGION.gfx:
        return offset === 0 ? this.gfxIndex : this.gfx[this.gfxIndex];
      case REGION.crtc:
        if (!this.colourDecode()) return 0xff;
        return offset === 0 ? this.crtc.index : this.crtc.read();
      case REGION.status:
        if (!this.colourDecode()) return 0xff;
        this.attrFlipFlop = 0;
        return inputStatus1(this.timing, this.ctx.now());
    }
    return 0xff;
  }

  private writeByte(region: number, offset: number, v: number): void {
    switch (region) {
      case REGION.attr:
        if (offset === 0) this.writeAttr(v);
        else this.ctx.guestError('write to 0x3C1 (attribute data is read-only; write it through 0x3C0)', { value: v });
        return;
      case REGION.misc:
        this.misc = v & ~0x10; // bit 4 is reserved (QEMU stores val & ~0x10)
        this.timing = this.computeTiming();
        return;
      case REGION.seq:
        if (offset === 0) this.seqIndex = v & 7;
        else this.writeSeq(v);
        return;
      case REGION.dac:
        this.dac.write(offset, v);
        return;
      case REGION.miscr:
        this.ctx.guestError('write to 0x3CC (misc output is written at 0x3C2)', { value: v });
        return;
      case REGION.gfx:
        if (offset === 0) this.gfxIndex = v & 0x0f;
        else this.writeGfx(v);
        return;
      case REGION.crtc:
        // The bus maps the CRTC at 0x3D4 only. With misc bit 0 clear a real VGA answers at 0x3B4
        // and leaves 0x3D4 undecoded: like QEMU's vga_ioport_invalid, this range then reads 0xFF
        // and drops writes. (Modelling the 0x3Bx side would need regions there.)
        if (!this.colourDecode()) return;
        if (offset === 0) this.crtc.index = v;
        else this.writeCrtc(v);
        return;
      case REGION.status:
        if (!this.colourDecode()) return;
        this.fcr = v & 0x10; // feature control (QEMU keeps only bit 4)
        return;
    }
  }

  private colourDecode(): boolean {
    return (this.misc & MISC_COLOR_IO) !== 0;
  }

  private writeAttr(v: number): void {
    if (this.attrFlipFlop === 0) {
      this.attrIndex = v & 0x3f;
    } else {
      // QEMU's masks; like QEMU the palette stays writable whatever the palette address source bit.
      const i = this.attrIndex & 0x1f;
      if (i < 0x10) this.attr[i] = v & 0x3f;
      else if (i === AR_MODE) {
        this.attr[i] = v & ~0x10;
        if (v & AR10_GRAPHICS) this.ctx.unimplemented('attribute controller graphics mode (AR10 bit 0): text scanning continues', { value: v });
      } else if (i === 0x11) this.attr[i] = v;
      else if (i === 0x12) this.attr[i] = v & 0x3f;
      else if (i < AR_COUNT) this.attr[i] = v & 0x0f;
      else this.ctx.guestError(`write to attribute register AR${i.toString(16)} (AR00-AR14 exist)`, { value: v });
    }
    this.attrFlipFlop ^= 1;
  }

  private writeSeq(v: number): void {
    const i = this.seqIndex;
    if (i > 4) this.ctx.guestError(`write to sequencer register SR${i} (SR0-SR4 exist)`, { value: v });
    this.seq[i] = v & SEQ_MASK[i];
    if (i === 1) this.timing = this.computeTiming();
  }

  private writeGfx(v: number): void {
    const i = this.gfxIndex;
    if (i > 8) {
      this.ctx.guestError(`write to graphics register GR${i.toString(16)} (GR0-GR8 exist)`, { value: v });
      return;
    }
    this.gfx[i] = v & GFX_MASK[i];
    if (i === GR_MISC && v & 0x01) {
      this.ctx.unimplemented('graphics modes (GR06 bit 0): only text mode is scanned', { value: v });
    }
  }

  private writeCrtc(v: number): void {
    if (this.crtc.index > 0x18) {
      this.ctx.unimplemented(`CRTC extension register CR${this.crtc.index.toString(16)}`, { value: v });
    }
    if (this.crtc.write(v) && this.crtc.index <= 0x12) this.timing = this.computeTiming();
  }

  private computeTiming(): Timing {
    return rasterTiming(this.crtc.regs, this.misc, this.seq[1]);
  }

  // ---- scanning ------------------------------------------------------------------------------

  nextDeadline(): number {
    return this.nextScanAt;
  }

  advance(): void {
    const now = this.ctx.now();
    if (now < this.nextScanAt) return;
    this.scan();
    // Scans sit on a fixed grid of 1/60 s, so no machine second ever holds more than 60.
    this.nextScanAt = (Math.floor(now / SCAN_PERIOD_NS) + 1) * SCAN_PERIOD_NS;
  }

  flush(): void {
    this.scan();
  }

  /** The screen as it is in memory right now, as a full frame (nothing is emitted). */
  screen(): Frame {
    const page = new Uint8Array(PAGE_BYTES);
    this.readPage(page);
    const cells: number[] = [];
    for (let i = 0; i < CELLS; i++) cells.push(i, page[2 * i], page[2 * i + 1]);
    return { t: this.ctx.now(), full: true, cells, cursor: this.cursorState(), blink: this.blinkEnabled(), palette: this.textPalette(), lineGraphics: this.lineGraphics() };
  }

  private blinkEnabled(): boolean {
    return (this.attr[AR_MODE] & AR10_BLINK) !== 0;
  }

  private lineGraphics(): boolean {
    return (this.attr[AR_MODE] & AR10_LINE_GRAPHICS) !== 0;
  }

  /**
   * What each of the 16 colour indices shows: AR00-AR0F give DAC bits 0-5 (bits 4-5 from AR14
   * bits 0-1 when AR10 bit 7 is set), AR14 bits 2-3 give DAC bits 6-7; the DAC gives the RGB.
   */
  private textPalette(): number[] {
    const sel = this.attr[AR_COLOR_SELECT];
    const p54 = (this.attr[AR_MODE] & AR10_P54S) !== 0;
    const out: number[] = [];
    for (let i = 0; i < 16; i++) {
      const low = p54 ? (this.attr[i] & 0x0f) | ((sel & 0x03) << 4) : this.attr[i] & 0x3f;
      out.push(this.dac.rgb(low | ((sel & 0x0c) << 4)));
    }
    return out;
  }

  private cursorState(): CursorState {
    const { start, end, on } = this.crtc.cursorShape();
    const rel = this.crtc.cursorLocation() - this.crtc.startAddress();
    // Like v86 (and a real monitor), a cursor outside the displayed window is not seen.
    if (rel < 0 || rel >= CELLS) return { row: 0, col: 0, visible: false, start, end };
    return { row: Math.floor(rel / COLS), col: rel % COLS, visible: on, start, end };
  }

  /**
   * Copy the displayed page: the host window GR06 selects (0xB8000 in mode 3) plus twice the
   * start address. Addresses wrap inside the window; memory the machine lacks reads 0xFF.
   */
  private readPage(into: Uint8Array): void {
    const [base, size] = WINDOWS[(this.gfx[GR_MISC] >> 2) & 3];
    const mem = this.ctx.memory;
    const first = (this.crtc.startAddress() * 2) % size;
    if (first + PAGE_BYTES <= size && mem.contains(base + first, PAGE_BYTES)) {
      into.set(mem.bytes.subarray(base + first, base + first + PAGE_BYTES));
      return;
    }
    for (let i = 0; i < PAGE_BYTES; i++) {
      const addr = base + ((first + i) % size);
      into[i] = addr < mem.size ? mem.bytes[addr] : 0xff;
    }
  }

  private scan(): void {
    this.readPage(this.cur);
    const cursor = this.cursorState();
    const blink = this.blinkEnabled();
    const start = this.crtc.startAddress();
    const palette = this.textPalette();
    const lineGraphics = this.lineGraphics();
    const full = !this.published;
    const cells: number[] = [];
    const cur = this.cur;
    const prev = this.prev;
    for (let i = 0; i < PAGE_BYTES; i += 2) {
      if (full || cur[i] !== prev[i] || cur[i + 1] !== prev[i + 1]) cells.push(i >> 1, cur[i], cur[i + 1]);
    }
    const same = cells.length === 0 && sameCursor(cursor, this.lastCursor) && blink === this.lastBlink && start === this.lastStart &&
      lineGraphics === this.lastLineGraphics && samePalette(palette, this.lastPalette);
    if (!full && same) return;
    this.prev = cur;
    this.cur = prev;
    this.published = true;
    this.lastCursor = cursor;
    this.lastBlink = blink;
    this.lastStart = start;
    this.lastPalette = palette;
    this.lastLineGraphics = lineGraphics;
    const frame: Frame = { t: this.ctx.now(), full, cells, cursor, blink, palette, lineGraphics };
    this.ctx.emit('frame', frame);
  }

  // ---- state ---------------------------------------------------------------------------------

  snapshot(): VgaState {
    return {
      version: 1,
      misc: this.misc,
      fcr: this.fcr,
      seqIndex: this.seqIndex,
      seq: Array.from(this.seq),
      gfxIndex: this.gfxIndex,
      gfx: Array.from(this.gfx),
      attrIndex: this.attrIndex,
      attrFlipFlop: this.attrFlipFlop,
      attr: Array.from(this.attr),
      crtcIndex: this.crtc.index,
      crtc: Array.from(this.crtc.regs),
      dac: this.dac.snapshot(),
      nextScanAt: this.nextScanAt,
      screen: this.screen(),
    };
  }

  restore(state: DeviceState): void {
    if (state.version !== 1) throw new Error(`vga: cannot restore state version ${String(state.version)} (expected 1)`);
    const s = state as VgaState;
    this.misc = s.misc & 0xff;
    this.fcr = s.fcr & 0xff;
    this.seqIndex = s.seqIndex & 7;
    this.seq.set(s.seq.slice(0, this.seq.length));
    this.gfxIndex = s.gfxIndex & 0x0f;
    this.gfx.set(s.gfx.slice(0, this.gfx.length));
    this.attrIndex = s.attrIndex & 0x3f;
    this.attrFlipFlop = s.attrFlipFlop & 1;
    this.attr.set(s.attr.slice(0, AR_COUNT));
    this.crtc.index = s.crtcIndex & 0xff;
    this.crtc.regs.set(s.crtc.slice(0, 256));
    this.dac.restore(s.dac);
    this.nextScanAt = s.nextScanAt;
    this.timing = this.computeTiming();
    // The front end may have nothing (a fresh process): the next scan publishes a full frame.
    this.published = false;
  }
}

/** The current screen of a VGA core as a full frame, or undefined when `core` is not a VGA. */
export function screenOf(core: DeviceCore): Frame | undefined {
  return core instanceof VgaCore ? core.screen() : undefined;
}
