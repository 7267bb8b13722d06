// pc-keyboard 0.7.0 `Keyboard<L, S>`: bytes → KeyEvent through the scancode set, KeyEvent →
// DecodedKey through the modifier state and the layout. In 0.7.0 every modifier *press* also comes
// back as RawKey(that key) — which is why blog_os prints "LShift" each time Shift goes down — and
// its release gives None. The state is the crate's struct, in simulated memory (inside the static
// or the task's future that holds the Keyboard), read and written with loads and stores:
//
//   kb + 0   the scancode set's DecodeState   u8 (0 Start, 1 Extended, 2 Extended2)
//   kb + 1   handle_ctrl                      u8 (0 MapLettersToUnicode, 1 Ignore)
//   kb + 2   modifiers                        u16, one bit per field (Modifiers.bits)
import { load16, load8, store16, store8 } from '../../cpu/isa.js';
import { staticAlloc } from '../statics.js';
import {
  DecodedKey, Err, HandleControl, keyEvent, Modifiers,
  type KeyCode, type KeyEvent, type KeyboardError, type KeyboardLayout, type Result, type ScancodeSet,
} from './keycode.js';

export { DecodedKey, HandleControl, KEY_CODES, keyEvent, Modifiers } from './keycode.js';
export type { KeyCode, KeyEvent, KeyState, KeyboardError, KeyboardLayout, Result, ScancodeSet } from './keycode.js';
export { ScancodeSet1 } from './scancode_set1.js';
export { Us104Key } from './us104.js';

/** Modifier keys: what their press sets (their release clears it again). */
const HELD: ReadonlyMap<KeyCode, 'lshift' | 'rshift' | 'lctrl' | 'rctrl' | 'alt_gr' | 'rctrl2'> = new Map([
  ['LShift', 'lshift'], ['RShift', 'rshift'], ['LControl', 'lctrl'], ['RControl', 'rctrl'],
  ['RAltGr', 'alt_gr'], ['RControl2', 'rctrl2'],
] as const);

/** Bytes of a Keyboard's state. */
export const KEYBOARD_BYTES = 4;
const SET_STATE = 0;
const HANDLE_CTRL = 1;
const MODIFIERS = 2;

let anonymous = 0;

export class Keyboard<L extends KeyboardLayout = KeyboardLayout, S extends ScancodeSet = ScancodeSet> {
  /** Address of the state. */
  readonly at: number;

  /**
   * `Keyboard::new(scancode_set, layout, handle_ctrl)` (0.7.0 argument order), its state written
   * at `at`: an address, a static's name, or nothing (a .bss static of its own).
   */
  constructor(private readonly scancode_set: S, private readonly layout: L, handle_ctrl: HandleControl, at?: number | string) {
    this.at = typeof at === 'number' ? at : staticAlloc(at ?? `pc_keyboard::Keyboard#${anonymous++}`, KEYBOARD_BYTES, 2);
    scancode_set.place(this.at + SET_STATE);
    this.set_ctrl_handling(handle_ctrl);
    store16(this.at + MODIFIERS, new Modifiers().bits());
  }

  static new<L extends KeyboardLayout, S extends ScancodeSet>(scancode_set: S, layout: L, handle_ctrl: HandleControl, at?: number | string): Keyboard<L, S> {
    return new Keyboard(scancode_set, layout, handle_ctrl, at);
  }

  /** A copy of the modifier state. */
  get_modifiers(): Readonly<Modifiers> {
    return Modifiers.from_bits(load16(this.at + MODIFIERS));
  }

  set_ctrl_handling(value: HandleControl): void {
    store8(this.at + HANDLE_CTRL, value === HandleControl.Ignore ? 1 : 0);
  }

  get_ctrl_handling(): HandleControl {
    return load8(this.at + HANDLE_CTRL) === 1 ? HandleControl.Ignore : HandleControl.MapLettersToUnicode;
  }

  /** One byte from the keyboard: Ok(event), Ok(undefined) after a prefix byte, or Err(UnknownKeyCode). */
  add_byte(byte: number): Result<KeyEvent | undefined, KeyboardError> {
    if (!Number.isInteger(byte) || byte < 0 || byte > 0xff) return Err('UnknownKeyCode');
    return this.scancode_set.advance_state(byte);
  }

  /** A key event → the key it means now, or undefined (releases, and modifier releases). */
  process_keyevent(ev: KeyEvent): DecodedKey | undefined {
    const before = load16(this.at + MODIFIERS);
    const m = Modifiers.from_bits(before);
    const key = this.process(ev, m);
    const after = m.bits();
    if (after !== before) store16(this.at + MODIFIERS, after);
    return key;
  }

  private process(ev: KeyEvent, m: Modifiers): DecodedKey | undefined {
    const held = HELD.get(ev.code);
    if (held) {
      if (ev.state === 'Down') {
        m[held] = true;
        return DecodedKey.RawKey(ev.code);
      }
      if (ev.state === 'Up') m[held] = false;
      return undefined;
    }
    if (ev.state !== 'Down') return undefined;
    if (ev.code === 'CapsLock') {
      m.capslock = !m.capslock;
      return DecodedKey.RawKey('CapsLock');
    }
    if (ev.code === 'NumpadLock') {
      // After the hidden RControl2 (E1 1D) it is the Pause key, and Num Lock stays as it was.
      if (m.rctrl2) return DecodedKey.RawKey('PauseBreak');
      m.numlock = !m.numlock;
      return DecodedKey.RawKey('NumpadLock');
    }
    return this.layout.map_keycode(ev.code, m, this.get_ctrl_handling());
  }
}

/** What the blog's handlers print for a decoded key: the character, or the KeyCode's Debug name. */
export function decodedKeyText(key: DecodedKey): string {
  return key.kind === 'Unicode' ? key.char : key.key;
}

/** Shorthand for tests and callers building events by hand. */
export function down(code: KeyCode): KeyEvent {
  return keyEvent(code, 'Down');
}

export function up(code: KeyCode): KeyEvent {
  return keyEvent(code, 'Up');
}
