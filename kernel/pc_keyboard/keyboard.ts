// pc-keyboard 0.7.0 `Keyboard<L, S>`: bytes → KeyEvent through the scancode set, KeyEvent →
// DecodedKey through the modifier state and the layout. In 0.7.0 every modifier *press* also comes
// back as RawKey(that key) — which is why blog_os prints "LShift" each time Shift goes down — and
// its release gives None. The state is an ordinary struct, as in the crate (no hardware access).
import {
  DecodedKey, Err, keyEvent, Modifiers,
  type HandleControl, type KeyCode, type KeyEvent, type KeyboardError, type KeyboardLayout, type Result, type ScancodeSet,
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

export class Keyboard<L extends KeyboardLayout = KeyboardLayout, S extends ScancodeSet = ScancodeSet> {
  private readonly modifiers = new Modifiers();

  /** `Keyboard::new(scancode_set, layout, handle_ctrl)` (0.7.0 argument order). */
  constructor(private readonly scancode_set: S, private readonly layout: L, private handle_ctrl: HandleControl) {}

  static new<L extends KeyboardLayout, S extends ScancodeSet>(scancode_set: S, layout: L, handle_ctrl: HandleControl): Keyboard<L, S> {
    return new Keyboard(scancode_set, layout, handle_ctrl);
  }

  get_modifiers(): Readonly<Modifiers> {
    return this.modifiers;
  }

  set_ctrl_handling(value: HandleControl): void {
    this.handle_ctrl = value;
  }

  get_ctrl_handling(): HandleControl {
    return this.handle_ctrl;
  }

  /** One byte from the keyboard: Ok(event), Ok(undefined) after a prefix byte, or Err(UnknownKeyCode). */
  add_byte(byte: number): Result<KeyEvent | undefined, KeyboardError> {
    if (!Number.isInteger(byte) || byte < 0 || byte > 0xff) return Err('UnknownKeyCode');
    return this.scancode_set.advance_state(byte);
  }

  /** A key event → the key it means now, or undefined (releases, and modifier releases). */
  process_keyevent(ev: KeyEvent): DecodedKey | undefined {
    const m = this.modifiers;
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
    return this.layout.map_keycode(ev.code, m, this.handle_ctrl);
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
