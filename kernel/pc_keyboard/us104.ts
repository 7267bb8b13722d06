// pc-keyboard 0.7.0 `layouts::Us104Key`: a US 104-key keyboard. Letters follow Shift XOR Caps Lock
// (and, with HandleControl::MapLettersToUnicode, Ctrl+letter gives U+0001..U+001A); the digit row
// and punctuation follow Shift only; the keypad digits follow Num Lock. Every key it does not
// list — F-keys, arrows, LAlt, the Windows keys and, in this version, Oem7 (set-1 0x2B, which is
// the backslash key on a US board: fixed only in 0.8.0) — comes back as RawKey.
import { DecodedKey, HandleControl, type KeyCode, type KeyboardLayout, type Modifiers } from './keycode.js';

/** Keys that give one character or another depending on Shift: [unshifted, shifted]. */
const SHIFTED: ReadonlyMap<KeyCode, readonly [string, string]> = new Map<KeyCode, readonly [string, string]>([
  ['Oem8', ['`', '~']],
  ['Key1', ['1', '!']], ['Key2', ['2', '@']], ['Key3', ['3', '#']], ['Key4', ['4', '$']], ['Key5', ['5', '%']],
  ['Key6', ['6', '^']], ['Key7', ['7', '&']], ['Key8', ['8', '*']], ['Key9', ['9', '(']], ['Key0', ['0', ')']],
  ['OemMinus', ['-', '_']], ['OemPlus', ['=', '+']],
  ['Oem4', ['[', '{']], ['Oem6', [']', '}']], ['Oem5', ['\\', '|']],
  ['Oem1', [';', ':']], ['Oem3', ["'", '"']],
  ['OemComma', [',', '<']], ['OemPeriod', ['.', '>']], ['Oem2', ['/', '?']],
]);

/** Keys that always give the same character. */
const FIXED: ReadonlyMap<KeyCode, string> = new Map<KeyCode, string>([
  ['Escape', '\u001b'], ['Backspace', '\u0008'], ['Tab', '\u0009'], ['Return', '\u000a'],
  ['NumpadEnter', '\u000a'], ['Spacebar', ' '], ['Delete', '\u007f'],
  ['NumpadDivide', '/'], ['NumpadMultiply', '*'], ['NumpadSubtract', '-'], ['NumpadAdd', '+'],
  ['Numpad5', '5'],
]);

/** Keypad keys under Num Lock: [digit when on, the key it acts as when off]. */
const NUMPAD: ReadonlyMap<KeyCode, readonly [string, KeyCode]> = new Map<KeyCode, readonly [string, KeyCode]>([
  ['Numpad0', ['0', 'Insert']], ['Numpad1', ['1', 'End']], ['Numpad2', ['2', 'ArrowDown']],
  ['Numpad3', ['3', 'PageDown']], ['Numpad4', ['4', 'ArrowLeft']], ['Numpad6', ['6', 'ArrowRight']],
  ['Numpad7', ['7', 'Home']], ['Numpad8', ['8', 'ArrowUp']], ['Numpad9', ['9', 'PageUp']],
]);

const isLetter = (key: KeyCode): boolean => key.length === 1 && key >= 'A' && key <= 'Z';

export const Us104Key: KeyboardLayout = {
  map_keycode(keycode: KeyCode, modifiers: Modifiers, handle_ctrl: HandleControl): DecodedKey {
    if (isLetter(keycode)) {
      if (handle_ctrl === HandleControl.MapLettersToUnicode && modifiers.is_ctrl()) {
        return DecodedKey.Unicode(String.fromCharCode(keycode.charCodeAt(0) - 0x40));
      }
      return DecodedKey.Unicode(modifiers.is_caps() ? keycode : keycode.toLowerCase());
    }
    const shifted = SHIFTED.get(keycode);
    if (shifted) return DecodedKey.Unicode(modifiers.is_shifted() ? shifted[1] : shifted[0]);
    const fixed = FIXED.get(keycode);
    if (fixed !== undefined) return DecodedKey.Unicode(fixed);
    const numpad = NUMPAD.get(keycode);
    if (numpad) return modifiers.numlock ? DecodedKey.Unicode(numpad[0]) : DecodedKey.RawKey(numpad[1]);
    if (keycode === 'NumpadPeriod') return DecodedKey.Unicode(modifiers.numlock ? '.' : '\u007f');
    return DecodedKey.RawKey(keycode);
  },
};
