// Rebuilds vga-8x16.bin from VileR's "Px IBM VGA8" TrueType font (Debian package fonts-pc:
// /usr/share/fonts/pc/Px_IBM_VGA8.ttf). Its outlines are the ROM's pixels drawn as squares
// (1600 units per em, 100 units per pixel, 8 x 16 pixels per cell), so sampling each pixel's
// centre gives the bitmap back exactly. Output: 256 glyphs in code page 437 order, 16 bytes
// each (one per scan line, bit 7 = leftmost dot) -- the layout of the VGA's font plane.
//   node assets/fonts/from-ttf.mjs /usr/share/fonts/pc/Px_IBM_VGA8.ttf assets/fonts/vga-8x16.bin
// (run `npm run build` first: the code page table comes from dist/devices/vga/cp437.js).
import { readFileSync, writeFileSync } from 'node:fs';
import { CP437 } from '../../dist/devices/vga/cp437.js';

const [input, output] = process.argv.slice(2);
if (!input || !output) throw new Error('usage: node assets/fonts/from-ttf.mjs FONT.ttf OUT.bin');
const b = readFileSync(input);
const tables = {};
for (let i = 0; i < b.readUInt16BE(4); i++) {
  const o = 12 + i * 16;
  tables[b.toString('latin1', o, o + 4)] = b.readUInt32BE(o + 8);
}
const unitsPerEm = b.readUInt16BE(tables.head + 18);
const longLoca = b.readInt16BE(tables.head + 50) === 1;
const ascent = b.readInt16BE(tables.hhea + 4);
const advance = b.readUInt16BE(tables.hmtx);
const px = advance / 8;
if (unitsPerEm / px !== 16) throw new Error(`expected a 8x16 pixel font, got ${advance / px}x${unitsPerEm / px}`);

/** Unicode -> glyph index from the (3,1) format-4 cmap. */
function glyphIndex(code) {
  const cmap = tables.cmap;
  for (let i = 0; i < b.readUInt16BE(cmap + 2); i++) {
    const rec = cmap + 4 + i * 8;
    if (b.readUInt16BE(rec) !== 3 || b.readUInt16BE(rec + 2) !== 1) continue;
    const t = cmap + b.readUInt32BE(rec + 4);
    const segs = b.readUInt16BE(t + 6) / 2;
    const ends = t + 14, starts = ends + segs * 2 + 2, deltas = starts + segs * 2, ranges = deltas + segs * 2;
    for (let s = 0; s < segs; s++) {
      if (code > b.readUInt16BE(ends + s * 2)) continue;
      const start = b.readUInt16BE(starts + s * 2);
      if (code < start) return 0;
      const delta = b.readInt16BE(deltas + s * 2);
      const ro = b.readUInt16BE(ranges + s * 2);
      if (ro === 0) return (code + delta) & 0xffff;
      const g = b.readUInt16BE(ranges + s * 2 + ro + (code - start) * 2);
      return g === 0 ? 0 : (g + delta) & 0xffff;
    }
  }
  return 0;
}

/** Contours of a simple glyph as point lists (on-curve only: these outlines are squares). */
function contours(g) {
  const loca = tables.loca;
  const off = longLoca ? b.readUInt32BE(loca + g * 4) : b.readUInt16BE(loca + g * 2) * 2;
  const next = longLoca ? b.readUInt32BE(loca + g * 4 + 4) : b.readUInt16BE(loca + g * 2 + 2) * 2;
  if (next === off) return [];
  const p = tables.glyf + off;
  const n = b.readInt16BE(p);
  if (n < 0) throw new Error(`glyph ${g} is composite`);
  const ends = [];
  for (let i = 0; i < n; i++) ends.push(b.readUInt16BE(p + 10 + i * 2));
  const count = ends[n - 1] + 1;
  let q = p + 10 + n * 2;
  q += 2 + b.readUInt16BE(q);
  const flags = [];
  while (flags.length < count) {
    const f = b[q++];
    flags.push(f);
    if (f & 8) for (let r = b[q++]; r > 0; r--) flags.push(f);
  }
  const coord = (short, same) => {
    const xs = [];
    let v = 0;
    for (const f of flags) {
      if (f & short) v += f & same ? b[q++] : -b[q++];
      else if (!(f & same)) { v += b.readInt16BE(q); q += 2; }
      xs.push(v);
    }
    return xs;
  };
  const xs = coord(2, 16);
  const ys = coord(4, 32);
  if (flags.some((f) => !(f & 1))) throw new Error(`glyph ${g} has curves`);
  const out = [];
  let first = 0;
  for (const e of ends) {
    out.push(xs.slice(first, e + 1).map((x, i) => [x, ys[first + i]]));
    first = e + 1;
  }
  return out;
}

/** Nonzero winding number of the point (x, y). */
function inside(cs, x, y) {
  let w = 0;
  for (const c of cs) {
    for (let i = 0; i < c.length; i++) {
      const [x0, y0] = c[i];
      const [x1, y1] = c[(i + 1) % c.length];
      if (y0 <= y) { if (y1 > y && (x1 - x0) * (y - y0) - (x - x0) * (y1 - y0) > 0) w++; }
      else if (y1 <= y && (x1 - x0) * (y - y0) - (x - x0) * (y1 - y0) < 0) w--;
    }
  }
  return w !== 0;
}

const font = new Uint8Array(256 * 16);
for (let code = 0; code < 256; code++) {
  const ch = code === 0 ? ' ' : CP437[code];
  const g = glyphIndex(ch.codePointAt(0));
  if (g === 0 && code !== 0 && code !== 0x20 && code !== 0xff) throw new Error(`no glyph for CP437 0x${code.toString(16)} (${ch})`);
  const cs = contours(g);
  for (let row = 0; row < 16; row++) {
    let bits = 0;
    for (let col = 0; col < 8; col++) if (inside(cs, (col + 0.5) * px, ascent - (row + 0.5) * px)) bits |= 0x80 >> col;
    font[code * 16 + row] = bits;
  }
}
writeFileSync(output, font);
