// PNG screenshots of the VGA text screen (`--screenshot`, the monitor's screendump): the
// screen as the monitor shows it (devices/vga/adapters/raster.ts) with the shipped VGA font,
// encoded by pngjs. Same screen and machine time ⇒ the same bytes.
import { readFileSync, writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { FONT_BYTES, HEIGHT, rasterize, WIDTH, type RasterScreen } from '../devices/vga/adapters/raster.js';
import type { Frame } from '../devices/vga/frame.js';
import { ScreenModel } from '../devices/vga/screen.js';
import { projectPath } from './paths.js';

export { HEIGHT, WIDTH } from '../devices/vga/adapters/raster.js';

/** The font file: IBM VGA 8×16, code page 437 order (assets/fonts/README.md says where it comes from). */
export function vgaFontPath(): string {
  return projectPath('assets', 'fonts', 'vga-8x16.bin');
}

let font: Uint8Array | undefined;

export function loadVgaFont(): Uint8Array {
  if (font) return font;
  const bytes = new Uint8Array(readFileSync(vgaFontPath()));
  if (bytes.length !== FONT_BYTES) throw new Error(`${vgaFontPath()} has ${bytes.length} bytes; ${FONT_BYTES} expected`);
  return (font = bytes);
}

/** A screen model from a full frame (the VGA's screen(), the first frame of a run). */
export function screenOfFrame(frame: Frame): ScreenModel {
  if (!frame.full) throw new Error('a screenshot needs a full frame (frame.full: the VGA core\'s screen() or a first frame), not a partial update');
  const screen = new ScreenModel();
  screen.apply(frame);
  return screen;
}

function asScreen(source: Frame | ScreenModel): { screen: RasterScreen; t: number } {
  if (source instanceof ScreenModel) return { screen: source, t: source.t };
  return { screen: screenOfFrame(source), t: source.t };
}

/** The screen as RGBA pixels (WIDTH × HEIGHT × 4) at machine time `t` (default: the screen's own time). */
export function screenPixels(source: Frame | ScreenModel, t?: number): Uint8Array {
  const { screen, t: own } = asScreen(source);
  return rasterize(screen, loadVgaFont(), t ?? own, new Uint8Array(WIDTH * HEIGHT * 4));
}

/** Encode RGBA pixels of the screen's size as a PNG (RGB, no alpha: the screen is opaque). */
export function encodePng(rgba: Uint8Array, width = WIDTH, height = HEIGHT): Buffer {
  const png = new PNG({ width, height });
  png.data = Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength);
  return PNG.sync.write(png, { colorType: 2, inputHasAlpha: true, deflateLevel: 9 });
}

/** The screen as PNG bytes at machine time `t` (default: the screen's own time). */
export function screenPng(source: Frame | ScreenModel, t?: number): Buffer {
  return encodePng(screenPixels(source, t));
}

/**
 * Write the screen to `file` as a 720×400 PNG: a full Frame (e.g. the VGA core's screen()) or
 * a front end's ScreenModel, drawn at machine time `t` (default: the frame's / model's time),
 * which sets the blink and cursor phase.
 */
export function screendump(source: Frame | ScreenModel, file: string, t?: number): void {
  writeFileSync(file, screenPng(source, t));
}

/** Decode a PNG into RGBA pixels (tests compare images by their pixels). */
export function decodePng(bytes: Buffer): { width: number; height: number; data: Uint8Array } {
  const png = PNG.sync.read(bytes);
  return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
}
