// Comparing two renderings of the 720×400 VGA screen: which 9×16 character cells differ.
import { CELL_H, CELL_W, COLS, HEIGHT, ROWS, WIDTH } from '../../devices/vga/adapters/raster.js';

export interface Image {
  readonly width: number;
  readonly height: number;
  readonly data: ArrayLike<number>;
}

/** The cells whose pixels differ, as "row R col C (N px)" strings (empty when the images match). */
export function differingCells(actual: Image, expected: Image): string[] {
  if (actual.width !== WIDTH || actual.height !== HEIGHT) return [`the image is ${actual.width}×${actual.height}, not ${WIDTH}×${HEIGHT}`];
  if (expected.width !== WIDTH || expected.height !== HEIGHT) return [`the expected image is ${expected.width}×${expected.height}, not ${WIDTH}×${HEIGHT}`];
  const out: string[] = [];
  for (let row = 0; row < ROWS; row++) {
    for (let col = 0; col < COLS; col++) {
      let n = 0;
      for (let y = row * CELL_H; y < (row + 1) * CELL_H; y++) {
        for (let x = col * CELL_W; x < (col + 1) * CELL_W; x++) {
          const p = (y * WIDTH + x) * 4;
          if (actual.data[p] !== expected.data[p] || actual.data[p + 1] !== expected.data[p + 1] || actual.data[p + 2] !== expected.data[p + 2]) n++;
        }
      }
      if (n) out.push(`row ${row} col ${col} (${n} px)`);
    }
  }
  return out;
}

/** A one-paragraph summary for an assertion message: how many cells differ, the first few. */
export function describeDifference(cells: readonly string[]): string {
  if (cells.length === 0) return 'the images match';
  return `${cells.length} cell(s) differ: ${cells.slice(0, 12).join(', ')}${cells.length > 12 ? ', …' : ''}`;
}
