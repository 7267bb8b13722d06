// pc-keyboard 0.7.0: the crate's plain types. A KeyCode is the variant's name as a string, which
// is exactly what the kernel prints for a RawKey (`print!("{:?}", key)`: Rust's derived Debug of a
// fieldless enum variant is its name).

/** Every `enum KeyCode` variant of pc-keyboard 0.7.0, in declaration order. */
export const KEY_CODES = [
  // row 1: Escape and the F-keys
  'Escape', 'F1', 'F2', 'F3', 'F4', 'F5', 'F6', 'F7', 'F8', 'F9', 'F10', 'F11', 'F12',
  'PrintScreen', 'SysRq', 'ScrollLock', 'PauseBreak',
  // row 2: the digits
  'Oem8', 'Key1', 'Key2', 'Key3', 'Key4', 'Key5', 'Key6', 'Key7', 'Key8', 'Key9', 'Key0',
  'OemMinus', 'OemPlus', 'Backspace', 'Insert', 'Home', 'PageUp',
  'NumpadLock', 'NumpadDivide', 'NumpadMultiply', 'NumpadSubtract',
  // row 3: QWERTY
  'Tab', 'Q', 'W', 'E', 'R', 'T', 'Y', 'U', 'I', 'O', 'P', 'Oem4', 'Oem6', 'Oem5', 'Oem7',
  'Delete', 'End', 'PageDown', 'Numpad7', 'Numpad8', 'Numpad9', 'NumpadAdd',
  // row 4: ASDF
  'CapsLock', 'A', 'S', 'D', 'F', 'G', 'H', 'J', 'K', 'L', 'Oem1', 'Oem3', 'Return',
  'Numpad4', 'Numpad5', 'Numpad6',
  // row 5: ZXCV
  'LShift', 'Z', 'X', 'C', 'V', 'B', 'N', 'M', 'OemComma', 'OemPeriod', 'Oem2', 'RShift',
  'ArrowUp', 'Numpad1', 'Numpad2', 'Numpad3', 'NumpadEnter',
  // row 6: modifiers and the space bar
  'LControl', 'LWin', 'LAlt', 'Spacebar', 'RAltGr', 'RWin', 'Apps', 'RControl',
  'ArrowLeft', 'ArrowDown', 'ArrowRight', 'Numpad0', 'NumpadPeriod',
  // JIS extras
  'Oem9', 'Oem10', 'Oem11', 'Oem12', 'Oem13',
  // media keys and specials
  'PrevTrack', 'NextTrack', 'Mute', 'Calculator', 'Play', 'Stop', 'VolumeDown', 'VolumeUp', 'WWWHome',
  'PowerOnTestOk', 'TooManyKeys', 'RControl2', 'RAlt2',
] as const;

export type KeyCode = (typeof KEY_CODES)[number];

/** `enum KeyState` */
export type KeyState = 'Up' | 'Down' | 'SingleShot';

/** `struct KeyEvent { code, state }` */
export interface KeyEvent {
  readonly code: KeyCode;
  readonly state: KeyState;
}

export function keyEvent(code: KeyCode, state: KeyState): KeyEvent {
  return { code, state };
}

/** `enum Error` (only UnknownKeyCode can come out of add_byte with set 1). */
export type KeyboardError = 'BadStartBit' | 'BadStopBit' | 'ParityError' | 'UnknownKeyCode';

/** Rust's `Result<T, E>`. */
export type Result<T, E> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export const Ok = <T>(value: T): { readonly ok: true; readonly value: T } => ({ ok: true, value });
export const Err = <E>(error: E): { readonly ok: false; readonly error: E } => ({ ok: false, error });

/** `enum HandleControl`: what Ctrl+letter produces. */
export enum HandleControl {
  /** Ctrl+A..Ctrl+Z become U+0001..U+001A. */
  MapLettersToUnicode = 'MapLettersToUnicode',
  /** Ctrl changes nothing: letters stay letters (what blog_os uses). */
  Ignore = 'Ignore',
}

/** `enum DecodedKey { RawKey(KeyCode), Unicode(char) }` */
export type DecodedKey =
  | { readonly kind: 'Unicode'; readonly char: string }
  | { readonly kind: 'RawKey'; readonly key: KeyCode };

export const DecodedKey = {
  Unicode: (char: string): DecodedKey => ({ kind: 'Unicode', char }),
  RawKey: (key: KeyCode): DecodedKey => ({ kind: 'RawKey', key }),
};

const MODIFIER_FIELDS = ['lshift', 'rshift', 'lctrl', 'rctrl', 'numlock', 'capslock', 'alt_gr', 'rctrl2'] as const;

/** `struct Modifiers` (0.7.0: no lalt; AltGr is `alt_gr`; rctrl2 is the hidden Pause prefix). */
export class Modifiers {
  lshift = false;
  rshift = false;
  lctrl = false;
  rctrl = false;
  /** The crate starts with Num Lock on. */
  numlock = true;
  capslock = false;
  alt_gr = false;
  rctrl2 = false;

  /** The bits as the Keyboard stores them (one u16), in declaration order from bit 0. */
  bits(): number {
    return MODIFIER_FIELDS.reduce((b, f, i) => (this[f] ? b | (1 << i) : b), 0);
  }

  static from_bits(bits: number): Modifiers {
    const m = new Modifiers();
    MODIFIER_FIELDS.forEach((f, i) => (m[f] = (bits & (1 << i)) !== 0));
    return m;
  }

  is_shifted(): boolean { return this.lshift || this.rshift; }
  is_ctrl(): boolean { return this.lctrl || this.rctrl; }
  /** Letters are upper case when exactly one of Shift and Caps Lock applies. */
  is_caps(): boolean { return this.is_shifted() !== this.capslock; }
}

/** `trait KeyboardLayout` */
export interface KeyboardLayout {
  map_keycode(keycode: KeyCode, modifiers: Modifiers, handle_ctrl: HandleControl): DecodedKey;
}

/** `trait ScancodeSet` */
export interface ScancodeSet {
  advance_state(code: number): Result<KeyEvent | undefined, KeyboardError>;
  /** Keep the set's decode state in the byte at `at` (part of the Keyboard's memory). */
  place(at: number): void;
}
