// Code page 437 (the IBM PC ROM font) to Unicode, all 256 codes. The control range shows the
// ROM's glyphs (0x01 ☺ ... 0x1F ▼), 0x7F is ⌂, 0x00 draws as a blank and 0xFF as a no-break space.

const ROWS16 = [
  ' ☺☻♥♦♣♠•◘○◙♂♀♪♫☼',
  '►◄↕‼¶§▬↨↑↓→←∟↔▲▼',
  ' !"#$%&\'()*+,-./',
  '0123456789:;<=>?',
  '@ABCDEFGHIJKLMNO',
  'PQRSTUVWXYZ[\\]^_',
  '`abcdefghijklmno',
  'pqrstuvwxyz{|}~⌂',
  'ÇüéâäàåçêëèïîìÄÅ',
  'ÉæÆôöòûùÿÖÜ¢£¥₧ƒ',
  'áíóúñÑªº¿⌐¬½¼¡«»',
  '░▒▓│┤╡╢╖╕╣║╗╝╜╛┐',
  '└┴┬├─┼╞╟╚╔╩╦╠═╬╧',
  '╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀',
  'αßΓπΣσµτΦΘΩδ∞φε∩',
  '≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0',
];

/** CP437[code] = the Unicode glyph (one UTF-16 unit each). */
export const CP437: readonly string[] = Object.freeze(ROWS16.flatMap((row) => [...row]));

if (CP437.length !== 256) throw new Error(`CP437 table has ${CP437.length} entries`);

export function cp437ToUnicode(code: number): string {
  return CP437[code & 0xff];
}

/** Decode a run of CP437 bytes. */
export function decodeCp437(bytes: Iterable<number>): string {
  let s = '';
  for (const b of bytes) s += CP437[b & 0xff];
  return s;
}
