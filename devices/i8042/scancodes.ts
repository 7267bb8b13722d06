// Scancodes of a US/ISO 102/105-key MF2 keyboard, by pc-keyboard KeyCode name, and the 8042's
// set 2 → set 1 translation.
//
// The keyboard speaks set 2 after reset. Every key has a make sequence; its break sequence puts
// 0xF0 before the last byte (so "e0 75" breaks as "e0 f0 75"). Print Screen is two make codes in
// one (broken as two breaks), Pause has no break at all. Set 1 is, byte for byte, what the 8042
// translation makes of set 2 (that is how the set was defined), so set-1 sequences are derived
// here rather than tabled. Set 3 uses one byte per key with no prefixes.

export type ScancodeSet = 1 | 2 | 3;

/** A key whose set-2 make code is one byte, or two with 0xE0 first (marked by `E0 |`). */
const E0 = 0xe000;

/**
 * [pc-keyboard KeyCode name, set-2 make code (E0 | code for the extended keys), set-3 code].
 * Physical positions and codes follow the IBM MF2 keyboard (set 2) and the PS/2 set-3 layout.
 */
const SIMPLE_KEYS: ReadonlyArray<readonly [string, number, number]> = [
  // top row
  ['Escape', 0x76, 0x08], ['F1', 0x05, 0x07], ['F2', 0x06, 0x0f], ['F3', 0x04, 0x17], ['F4', 0x0c, 0x1f],
  ['F5', 0x03, 0x27], ['F6', 0x0b, 0x2f], ['F7', 0x83, 0x37], ['F8', 0x0a, 0x3f], ['F9', 0x01, 0x47],
  ['F10', 0x09, 0x4f], ['F11', 0x78, 0x56], ['F12', 0x07, 0x5e], ['ScrollLock', 0x7e, 0x5f],
  // digit row
  ['Oem8', 0x0e, 0x0e], ['Key1', 0x16, 0x16], ['Key2', 0x1e, 0x1e], ['Key3', 0x26, 0x26], ['Key4', 0x25, 0x25],
  ['Key5', 0x2e, 0x2e], ['Key6', 0x36, 0x36], ['Key7', 0x3d, 0x3d], ['Key8', 0x3e, 0x3e], ['Key9', 0x46, 0x46],
  ['Key0', 0x45, 0x45], ['OemMinus', 0x4e, 0x4e], ['OemPlus', 0x55, 0x55], ['Backspace', 0x66, 0x66],
  // QWERTY row
  ['Tab', 0x0d, 0x0d], ['Q', 0x15, 0x15], ['W', 0x1d, 0x1d], ['E', 0x24, 0x24], ['R', 0x2d, 0x2d],
  ['T', 0x2c, 0x2c], ['Y', 0x35, 0x35], ['U', 0x3c, 0x3c], ['I', 0x43, 0x43], ['O', 0x44, 0x44],
  ['P', 0x4d, 0x4d], ['Oem4', 0x54, 0x54], ['Oem6', 0x5b, 0x5b], ['Oem7', 0x5d, 0x5c],
  // home row
  ['CapsLock', 0x58, 0x14], ['A', 0x1c, 0x1c], ['S', 0x1b, 0x1b], ['D', 0x23, 0x23], ['F', 0x2b, 0x2b],
  ['G', 0x34, 0x34], ['H', 0x33, 0x33], ['J', 0x3b, 0x3b], ['K', 0x42, 0x42], ['L', 0x4b, 0x4b],
  ['Oem1', 0x4c, 0x4c], ['Oem3', 0x52, 0x52], ['Return', 0x5a, 0x5a],
  // bottom rows (Oem5 is the ISO key between left Shift and Z: set 1 0x56)
  ['LShift', 0x12, 0x12], ['Oem5', 0x61, 0x13], ['Z', 0x1a, 0x1a], ['X', 0x22, 0x22], ['C', 0x21, 0x21],
  ['V', 0x2a, 0x2a], ['B', 0x32, 0x32], ['N', 0x31, 0x31], ['M', 0x3a, 0x3a], ['OemComma', 0x41, 0x41],
  ['OemPeriod', 0x49, 0x49], ['Oem2', 0x4a, 0x4a], ['RShift', 0x59, 0x59],
  ['LControl', 0x14, 0x11], ['LWin', E0 | 0x1f, 0x8b], ['LAlt', 0x11, 0x19], ['Spacebar', 0x29, 0x29],
  ['RAltGr', E0 | 0x11, 0x39], ['RWin', E0 | 0x27, 0x8c], ['Apps', E0 | 0x2f, 0x8d], ['RControl', E0 | 0x14, 0x58],
  // navigation block
  ['Insert', E0 | 0x70, 0x67], ['Home', E0 | 0x6c, 0x6e], ['PageUp', E0 | 0x7d, 0x6f],
  ['Delete', E0 | 0x71, 0x64], ['End', E0 | 0x69, 0x65], ['PageDown', E0 | 0x7a, 0x6d],
  ['ArrowUp', E0 | 0x75, 0x63], ['ArrowLeft', E0 | 0x6b, 0x61], ['ArrowDown', E0 | 0x72, 0x60],
  ['ArrowRight', E0 | 0x74, 0x6a],
  // numeric keypad
  ['NumpadLock', 0x77, 0x76], ['NumpadDivide', E0 | 0x4a, 0x77], ['NumpadMultiply', 0x7c, 0x7e],
  ['NumpadSubtract', 0x7b, 0x84], ['Numpad7', 0x6c, 0x6c], ['Numpad8', 0x75, 0x75], ['Numpad9', 0x7d, 0x7d],
  ['NumpadAdd', 0x79, 0x7c], ['Numpad4', 0x6b, 0x6b], ['Numpad5', 0x73, 0x73], ['Numpad6', 0x74, 0x74],
  ['Numpad1', 0x69, 0x69], ['Numpad2', 0x72, 0x72], ['Numpad3', 0x7a, 0x7a], ['NumpadEnter', E0 | 0x5a, 0x79],
  ['Numpad0', 0x70, 0x70], ['NumpadPeriod', 0x71, 0x71],
];

/** Set-2 make bytes in groups: each group is broken separately (F0 before its last byte). */
interface KeyCodes {
  readonly set2: ReadonlyArray<readonly number[]>;
  readonly set3: number;
  /** Pause sends its whole sequence on make and nothing on break. */
  readonly makeOnly: boolean;
}

const KEYS = new Map<string, KeyCodes>();
for (const [name, code, set3] of SIMPLE_KEYS) {
  const group = code & E0 ? [0xe0, code & 0xff] : [code];
  KEYS.set(name, { set2: [group], set3, makeOnly: false });
}
// Print Screen is "fake left shift" + "keypad *" with E0 prefixes; its break undoes both, in reverse.
KEYS.set('PrintScreen', { set2: [[0xe0, 0x12], [0xe0, 0x7c]], set3: 0x57, makeOnly: false });
// Pause is Ctrl+NumLock behind E1, make and break at once on press; the release sends nothing.
KEYS.set('PauseBreak', { set2: [[0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14, 0xf0, 0x77]], set3: 0x62, makeOnly: true });

/** Every key name the keyboard accepts (pc-keyboard KeyCode names). */
export const KEY_NAMES: readonly string[] = [...KEYS.keys()];

export function isKnownKey(key: string): boolean {
  return KEYS.has(key);
}

/**
 * The bytes the keyboard sends for a key going down (make) or up (break) in scancode set `set`,
 * or null for a key this keyboard does not have.
 */
export function keyBytes(key: string, down: boolean, set: ScancodeSet): number[] | null {
  const k = KEYS.get(key);
  if (!k) return null;
  if (set === 3) return down ? [k.set3] : [0xf0, k.set3];
  let set2: number[];
  if (down) set2 = k.set2.flat();
  else if (k.makeOnly) set2 = [];
  else set2 = [...k.set2].reverse().flatMap((g) => [...g.slice(0, -1), 0xf0, g[g.length - 1]]);
  return set === 2 ? set2 : translateSequence(set2);
}

/**
 * The 8042's translation table (set 2 → set 1), the same in every AT-compatible controller.
 * Rows of 16, indexed by the set-2 byte; 0x80..0xFF pass through unchanged except 0x83 (F7)
 * and 0x84 (Alt+SysRq), so ACK, BAT, ID and RESEND replies survive translation.
 */
const LOW_HALF = [
  'ff 43 41 3f 3d 3b 3c 58 64 44 42 40 3e 0f 29 59',
  '65 38 2a 70 1d 10 02 5a 66 71 2c 1f 1e 11 03 5b',
  '67 2e 2d 20 12 05 04 5c 68 39 2f 21 14 13 06 5d',
  '69 31 30 23 22 15 07 5e 6a 72 32 24 16 08 09 5f',
  '6b 33 25 17 18 0b 0a 60 6c 34 35 26 27 19 0c 61',
  '6d 73 28 74 1a 0d 62 6e 3a 36 1c 1b 75 2b 63 76',
  '55 56 77 78 79 7a 0e 7b 7c 4f 7d 4b 47 7e 7f 6f',
  '52 53 50 4c 4d 48 01 45 57 4e 51 4a 37 49 46 54',
].join(' ').split(' ').map((h) => parseInt(h, 16));

export const TRANSLATION: readonly number[] = Array.from({ length: 256 }, (_, b) =>
  b < 0x80 ? LOW_HALF[b] : b === 0x83 ? 0x41 : b === 0x84 ? 0x54 : b,
);

/** The set-2 break prefix the translating controller swallows (it sets bit 7 of the next byte). */
export const BREAK_PREFIX = 0xf0;

/** Translate a whole set-2 sequence as the controller would, byte by byte. */
export function translateSequence(bytes: readonly number[]): number[] {
  const out: number[] = [];
  let high = 0;
  for (const b of bytes) {
    if (b === BREAK_PREFIX) { high = 0x80; continue; }
    out.push(TRANSLATION[b] | high);
    high = 0;
  }
  return out;
}

/** "e0 48" */
export function hexBytes(bytes: readonly number[]): string {
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(' ');
}
