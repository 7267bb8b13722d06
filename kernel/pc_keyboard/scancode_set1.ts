// pc-keyboard 0.7.0 ScancodeSet1: the state machine that turns set-1 bytes (what QEMU's i8042
// delivers with translation on) into key events. Bit 7 of a code is "released"; 0xE0 and 0xE1
// prefix one byte that is looked up in the extended tables, after which the state is back at
// Start whether or not that byte was known.
import { load8, store8 } from '../../cpu/isa.js';
import { Err, Ok, keyEvent, type KeyCode, type KeyEvent, type KeyboardError, type Result, type ScancodeSet } from './keycode.js';

export const EXTENDED_KEY_CODE = 0xe0;
export const EXTENDED2_KEY_CODE = 0xe1;

/** DecodeState as its u8 discriminant. */
const START = 0;
const EXTENDED_STATE = 1;
const EXTENDED2_STATE = 2;

/** Make codes 0x00..0x58 without a prefix (undefined: unknown). */
const BASE: ReadonlyArray<KeyCode | undefined> = [
  undefined, 'Escape', 'Key1', 'Key2', 'Key3', 'Key4', 'Key5', 'Key6', // 00..07
  'Key7', 'Key8', 'Key9', 'Key0', 'OemMinus', 'OemPlus', 'Backspace', 'Tab', // 08..0F
  'Q', 'W', 'E', 'R', 'T', 'Y', 'U', 'I', // 10..17
  'O', 'P', 'Oem4', 'Oem6', 'Return', 'LControl', 'A', 'S', // 18..1F
  'D', 'F', 'G', 'H', 'J', 'K', 'L', 'Oem1', // 20..27
  'Oem3', 'Oem8', 'LShift', 'Oem7', 'Z', 'X', 'C', 'V', // 28..2F (0x2B is Oem7 in 0.7.0)
  'B', 'N', 'M', 'OemComma', 'OemPeriod', 'Oem2', 'RShift', 'NumpadMultiply', // 30..37
  'LAlt', 'Spacebar', 'CapsLock', 'F1', 'F2', 'F3', 'F4', 'F5', // 38..3F
  'F6', 'F7', 'F8', 'F9', 'F10', 'NumpadLock', 'ScrollLock', 'Numpad7', // 40..47
  'Numpad8', 'Numpad9', 'NumpadSubtract', 'Numpad4', 'Numpad5', 'Numpad6', 'NumpadAdd', 'Numpad1', // 48..4F
  'Numpad2', 'Numpad3', 'Numpad0', 'NumpadPeriod', 'SysRq', undefined, 'Oem5', 'F11', // 50..57
  'F12', // 58
];

/** Codes that follow an 0xE0 prefix. */
const EXTENDED: ReadonlyMap<number, KeyCode> = new Map<number, KeyCode>([
  [0x10, 'PrevTrack'], [0x19, 'NextTrack'], [0x1c, 'NumpadEnter'], [0x1d, 'RControl'],
  [0x20, 'Mute'], [0x21, 'Calculator'], [0x22, 'Play'], [0x24, 'Stop'], [0x2a, 'RAlt2'],
  [0x2e, 'VolumeDown'], [0x30, 'VolumeUp'], [0x32, 'WWWHome'], [0x35, 'NumpadDivide'],
  [0x37, 'PrintScreen'], [0x38, 'RAltGr'], [0x47, 'Home'], [0x48, 'ArrowUp'], [0x49, 'PageUp'],
  [0x4b, 'ArrowLeft'], [0x4d, 'ArrowRight'], [0x4f, 'End'], [0x50, 'ArrowDown'], [0x51, 'PageDown'],
  [0x52, 'Insert'], [0x53, 'Delete'], [0x5b, 'LWin'], [0x5c, 'RWin'], [0x5d, 'Apps'],
  [0x70, 'Oem11'], [0x73, 'Oem12'], [0x79, 'Oem10'], [0x7b, 'Oem9'], [0x7d, 'Oem13'],
]);

/** Codes that follow an 0xE1 prefix (the first half of Pause). */
const EXTENDED2: ReadonlyMap<number, KeyCode> = new Map<number, KeyCode>([[0x1d, 'RControl2']]);

type Lookup = (code: number) => KeyCode | undefined;

export class ScancodeSet1 implements ScancodeSet {
  /** Where its DecodeState byte is: inside the Keyboard that owns it (see Keyboard). */
  private stateAt = -1;

  /** Become the scancode set of the Keyboard whose state byte is at `at` (state: Start). */
  place(at: number): void {
    this.stateAt = at;
    store8(at, START);
  }

  private get state(): number {
    if (this.stateAt < 0) throw new Error('ScancodeSet1 used outside a Keyboard (its state lives in the Keyboard)');
    return load8(this.stateAt);
  }

  private set state(s: number) {
    store8(this.stateAt, s);
  }

  static new(): ScancodeSet1 {
    return new ScancodeSet1();
  }

  static map_scancode(code: number): Result<KeyCode, KeyboardError> {
    return found(BASE[code]);
  }

  static map_extended_scancode(code: number): Result<KeyCode, KeyboardError> {
    return found(EXTENDED.get(code));
  }

  static map_extended2_scancode(code: number): Result<KeyCode, KeyboardError> {
    return found(EXTENDED2.get(code));
  }

  advance_state(code: number): Result<KeyEvent | undefined, KeyboardError> {
    code &= 0xff;
    switch (this.state) {
      case EXTENDED_STATE:
        this.state = START;
        return event(code, (c) => EXTENDED.get(c));
      case EXTENDED2_STATE:
        this.state = START;
        return event(code, (c) => EXTENDED2.get(c));
      default:
        if (code === EXTENDED_KEY_CODE) {
          this.state = EXTENDED_STATE;
          return Ok(undefined);
        }
        if (code === EXTENDED2_KEY_CODE) {
          this.state = EXTENDED2_STATE;
          return Ok(undefined);
        }
        return event(code, (c) => BASE[c]);
    }
  }
}

function found(key: KeyCode | undefined): Result<KeyCode, KeyboardError> {
  return key === undefined ? Err('UnknownKeyCode') : Ok(key);
}

/** 0x80..0xFF: the break (release) code of `code - 0x80`; below: a make (press) code. */
function event(code: number, lookup: Lookup): Result<KeyEvent | undefined, KeyboardError> {
  const release = code >= 0x80;
  const key = lookup(release ? code - 0x80 : code);
  if (key === undefined) return Err('UnknownKeyCode');
  return Ok(keyEvent(key, release ? 'Up' : 'Down'));
}
