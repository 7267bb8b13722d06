// pc-keyboard 0.7.0 as blog_os uses it (blog-os-behaviour.md §8.9, §15 item 10):
// Keyboard<Us104Key, ScancodeSet1> with HandleControl::Ignore, quirks included.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  decodedKeyText, down, HandleControl, KEY_CODES, Keyboard, ScancodeSet1, up, Us104Key, type DecodedKey, type KeyCode,
} from '../../kernel/pc_keyboard/keyboard.js';
import { guestRig, type GuestRig } from '../support/guest.js';

// §8.9 base table, transcribed as "code name" pairs.
const BASE_TABLE = `01 Escape 02 Key1 03 Key2 04 Key3 05 Key4 06 Key5 07 Key6 08 Key7 09 Key8 0A Key9 0B Key0
  0C OemMinus 0D OemPlus 0E Backspace 0F Tab 10 Q 11 W 12 E 13 R 14 T 15 Y 16 U 17 I 18 O 19 P 1A Oem4 1B Oem6
  1C Return 1D LControl 1E A 1F S 20 D 21 F 22 G 23 H 24 J 25 K 26 L 27 Oem1 28 Oem3 29 Oem8 2A LShift 2B Oem7
  2C Z 2D X 2E C 2F V 30 B 31 N 32 M 33 OemComma 34 OemPeriod 35 Oem2 36 RShift 37 NumpadMultiply 38 LAlt
  39 Spacebar 3A CapsLock 3B F1 3C F2 3D F3 3E F4 3F F5 40 F6 41 F7 42 F8 43 F9 44 F10 45 NumpadLock
  46 ScrollLock 47 Numpad7 48 Numpad8 49 Numpad9 4A NumpadSubtract 4B Numpad4 4C Numpad5 4D Numpad6 4E NumpadAdd
  4F Numpad1 50 Numpad2 51 Numpad3 52 Numpad0 53 NumpadPeriod 54 SysRq 56 Oem5 57 F11 58 F12`;

const E0_TABLE = `10 PrevTrack 19 NextTrack 1C NumpadEnter 1D RControl 20 Mute 21 Calculator 22 Play 24 Stop 2A RAlt2
  2E VolumeDown 30 VolumeUp 32 WWWHome 35 NumpadDivide 37 PrintScreen 38 RAltGr 47 Home 48 ArrowUp 49 PageUp
  4B ArrowLeft 4D ArrowRight 4F End 50 ArrowDown 51 PageDown 52 Insert 53 Delete 5B LWin 5C RWin 5D Apps
  70 Oem11 73 Oem12 79 Oem10 7B Oem9 7D Oem13`;

function table(text: string): Map<number, KeyCode> {
  const words = text.trim().split(/\s+/);
  const map = new Map<number, KeyCode>();
  for (let i = 0; i < words.length; i += 2) map.set(parseInt(words[i], 16), words[i + 1] as KeyCode);
  return map;
}

const BASE = table(BASE_TABLE);
const E0 = table(E0_TABLE);

let kb: Keyboard;
let rig: GuestRig;
beforeEach(() => {
  rig = guestRig(); // the decoder's state is bytes in simulated memory
  kb = new Keyboard(new ScancodeSet1(), Us104Key, HandleControl.Ignore, 'test::kb');
});

/** What the blog's handler prints for each byte: the concatenation of the decoded keys. */
function typed(bytes: number[], keyboard = kb): string {
  let out = '';
  for (const b of bytes) {
    const ev = keyboard.add_byte(b);
    if (!ev.ok || ev.value === undefined) continue;
    const key = keyboard.process_keyevent(ev.value);
    if (key) out += decodedKeyText(key);
  }
  return out;
}

const press = (code: KeyCode): DecodedKey | undefined => kb.process_keyevent(down(code));
const tap = (make: number) => [make, make | 0x80];
const unicode = (char: string): DecodedKey => ({ kind: 'Unicode', char });
const raw = (key: KeyCode): DecodedKey => ({ kind: 'RawKey', key });

describe('ScancodeSet1 (add_byte)', () => {
  it('maps every base make code of the table to a Down event, and code | 0x80 to Up', () => {
    expect(BASE.size).toBe(87);
    for (const [code, name] of BASE) {
      expect(kb.add_byte(code), `make 0x${code.toString(16)}`).toEqual({ ok: true, value: { code: name, state: 'Down' } });
      expect(kb.add_byte(code | 0x80), `break 0x${(code | 0x80).toString(16)}`).toEqual({ ok: true, value: { code: name, state: 'Up' } });
    }
  });

  it('reports every other base code as UnknownKeyCode (0x00, 0x55, 0x59..0x7F and their breaks)', () => {
    const unknown = Array.from({ length: 0x80 }, (_, c) => c).filter((c) => !BASE.has(c));
    expect(unknown.length).toBe(41);
    for (const code of unknown) {
      expect(kb.add_byte(code)).toEqual({ ok: false, error: 'UnknownKeyCode' });
      // 0x60 | 0x80 and 0x61 | 0x80 are the prefixes 0xE0 and 0xE1, not break codes
      if (code !== 0x60 && code !== 0x61) expect(kb.add_byte(code | 0x80)).toEqual({ ok: false, error: 'UnknownKeyCode' });
    }
  });

  it('0xE0 and 0xE1 are prefixes: Ok(None), then the next byte is looked up in the extended tables', () => {
    for (const [code, name] of E0) {
      expect(kb.add_byte(0xe0)).toEqual({ ok: true, value: undefined });
      expect(kb.add_byte(code)).toEqual({ ok: true, value: { code: name, state: 'Down' } });
      expect(kb.add_byte(0xe0)).toEqual({ ok: true, value: undefined });
      expect(kb.add_byte(code | 0x80)).toEqual({ ok: true, value: { code: name, state: 'Up' } });
    }
    expect(kb.add_byte(0xe1)).toEqual({ ok: true, value: undefined });
    expect(kb.add_byte(0x1d)).toEqual({ ok: true, value: { code: 'RControl2', state: 'Down' } });
    expect(kb.add_byte(0xe1)).toEqual({ ok: true, value: undefined });
    expect(kb.add_byte(0x9d)).toEqual({ ok: true, value: { code: 'RControl2', state: 'Up' } });
  });

  it('an unknown byte after a prefix is an error and the state is back at Start', () => {
    expect(kb.add_byte(0xe0)).toEqual({ ok: true, value: undefined });
    expect(kb.add_byte(0x1e)).toEqual({ ok: false, error: 'UnknownKeyCode' }); // no E0 1E
    expect(kb.add_byte(0x1e)).toEqual({ ok: true, value: { code: 'A', state: 'Down' } });
    expect(kb.add_byte(0xe1)).toEqual({ ok: true, value: undefined });
    expect(kb.add_byte(0x45)).toEqual({ ok: false, error: 'UnknownKeyCode' });
    expect(kb.add_byte(0x45)).toEqual({ ok: true, value: { code: 'NumpadLock', state: 'Down' } });
  });

  it('E0 E0 is not a double prefix: the second E0 is break code 0x60, unknown, and resets the state', () => {
    kb.add_byte(0xe0);
    expect(kb.add_byte(0xe0)).toEqual({ ok: false, error: 'UnknownKeyCode' });
    expect(kb.add_byte(0x48)).toEqual({ ok: true, value: { code: 'Numpad8', state: 'Down' } });
  });

  it('the extended tables are only reached through a prefix (0x48 alone is Numpad8, E0 48 is ArrowUp)', () => {
    expect(typed([0x48])).toBe('8');
    expect(typed([0xe0, 0x48])).toBe('ArrowUp');
  });

  it('KeyCode names are the Rust Debug names of every 0.7.0 variant', () => {
    expect(KEY_CODES.length).toBe(new Set(KEY_CODES).size);
    for (const name of [...BASE.values(), ...E0.values(), 'RControl2', 'PauseBreak'] as KeyCode[]) expect(KEY_CODES).toContain(name);
  });
});

describe('process_keyevent with Us104Key and HandleControl::Ignore', () => {
  it('letters are lower case; Shift or Caps Lock makes them upper case; both make them lower again', () => {
    expect(typed([...tap(0x1e), ...tap(0x30)])).toBe('ab');
    expect(typed([0x2a, ...tap(0x1e), 0xaa, ...tap(0x1e)])).toBe('LShiftAa');
    expect(typed([0x36, ...tap(0x2c), 0xb6])).toBe('RShiftZ');
    expect(typed([...tap(0x3a), ...tap(0x10)])).toBe('CapsLockQ');
    expect(typed([0x2a, ...tap(0x10), 0xaa])).toBe('LShiftq'); // caps lock still on
    expect(typed([...tap(0x3a), ...tap(0x10)])).toBe('CapsLockq');
  });

  it('every letter key gives its letter', () => {
    const letters = [...BASE].filter(([, n]) => n.length === 1);
    expect(letters.length).toBe(26);
    for (const [code, name] of letters) expect(typed(tap(code))).toBe(name.toLowerCase());
  });

  it('Shift (every press, including repeats) prints "LShift"/"RShift"; its release prints nothing', () => {
    expect(typed([0x2a, 0x2a, 0x2a, 0xaa])).toBe('LShiftLShiftLShift');
    expect(kb.process_keyevent(down('RShift'))).toEqual(raw('RShift'));
    expect(kb.process_keyevent(up('RShift'))).toBeUndefined();
  });

  it('digits and punctuation follow Shift only, not Caps Lock', () => {
    const pairs: Array<[KeyCode, string, string]> = [
      ['Oem8', '`', '~'], ['Key1', '1', '!'], ['Key2', '2', '@'], ['Key3', '3', '#'], ['Key4', '4', '$'],
      ['Key5', '5', '%'], ['Key6', '6', '^'], ['Key7', '7', '&'], ['Key8', '8', '*'], ['Key9', '9', '('],
      ['Key0', '0', ')'], ['OemMinus', '-', '_'], ['OemPlus', '=', '+'], ['Oem4', '[', '{'], ['Oem6', ']', '}'],
      ['Oem5', '\\', '|'], ['Oem1', ';', ':'], ['Oem3', "'", '"'], ['OemComma', ',', '<'], ['OemPeriod', '.', '>'],
      ['Oem2', '/', '?'],
    ];
    for (const [key, plain, shifted] of pairs) expect(press(key), key).toEqual(unicode(plain));
    press('CapsLock');
    for (const [key, plain] of pairs) expect(press(key), `${key} with caps lock`).toEqual(unicode(plain));
    press('LShift');
    for (const [key, , shifted] of pairs) expect(press(key), `${key} shifted`).toEqual(unicode(shifted));
  });

  it('the backslash key of a US keyboard (set-1 0x2B) is RawKey(Oem7) and prints "Oem7"; 0x56 (Oem5) gives "\\"', () => {
    expect(typed(tap(0x2b))).toBe('Oem7');
    expect(typed([0x2a, ...tap(0x2b)])).toBe('LShiftOem7');
    expect(typed(tap(0x56))).toBe('|'); // still shifted
  });

  it('Escape, Backspace, Tab, Return, Delete and Space are characters; NumpadEnter is a newline too', () => {
    expect(typed([0x01, 0x0e, 0x0f, 0x1c, 0x39])).toBe('\u001b\u0008\u0009\n ');
    expect(typed([0xe0, 0x53, 0xe0, 0x1c])).toBe('\u007f\n');
  });

  it('Num Lock starts on: keypad digits and "."; after NumpadLock they are navigation keys and U+007F', () => {
    const pad: Array<[number, string, string]> = [
      [0x52, '0', 'Insert'], [0x4f, '1', 'End'], [0x50, '2', 'ArrowDown'], [0x51, '3', 'PageDown'],
      [0x4b, '4', 'ArrowLeft'], [0x4c, '5', '5'], [0x4d, '6', 'ArrowRight'], [0x47, '7', 'Home'],
      [0x48, '8', 'ArrowUp'], [0x49, '9', 'PageUp'], [0x53, '.', '\u007f'],
    ];
    expect(kb.get_modifiers().numlock).toBe(true);
    for (const [code, on] of pad) expect(typed(tap(code))).toBe(on);
    expect(typed(tap(0x45))).toBe('NumpadLock');
    expect(kb.get_modifiers().numlock).toBe(false);
    for (const [code, , off] of pad) expect(typed(tap(code))).toBe(off);
    expect(typed([0x37, 0x4a, 0x4e, 0xe0, 0x35])).toBe('*-+/'); // operators ignore Num Lock
  });

  it('Pause (E1 1D 45 …): RControl2 prints, then NumpadLock is PauseBreak and Num Lock is unchanged', () => {
    expect(typed([0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5])).toBe('RControl2PauseBreak');
    expect(kb.get_modifiers().numlock).toBe(true);
  });

  it('Ctrl prints its name and, with HandleControl::Ignore, letters stay letters', () => {
    expect(typed([0x1d, ...tap(0x2e), 0x9d])).toBe('LControlc');
    expect(typed([0xe0, 0x1d, ...tap(0x2e), 0xe0, 0x9d])).toBe('RControlc');
  });

  it('with MapLettersToUnicode, Ctrl+C gives U+0003 (the mode blog_os does not use)', () => {
    const mapped = new Keyboard(new ScancodeSet1(), Us104Key, HandleControl.MapLettersToUnicode, 'test::mapped');
    expect(typed([0x1d, ...tap(0x2e)], mapped)).toBe('LControl\u0003');
  });

  it('keys without a character come back as RawKey with their name (§15 item 10)', () => {
    expect(typed([0x38, 0xb8])).toBe('LAlt'); // LAlt is not a modifier in 0.7.0
    expect(typed([0xe0, 0x38, 0xe0, 0xb8])).toBe('RAltGr');
    expect(typed([...tap(0x3b), ...tap(0x58), ...tap(0x46)])).toBe('F1F12ScrollLock');
    expect(typed([0xe0, 0x48, 0xe0, 0x5b, 0xe0, 0x5d, 0xe0, 0x47])).toBe('ArrowUpLWinAppsHome');
  });

  it('releases decode to nothing, and unknown bytes are ignored by the decode-and-print loop', () => {
    for (const name of BASE.values()) expect(kb.process_keyevent(up(name)), name).toBeUndefined();
    expect(typed([0x00, 0x55, 0x7f, 0xff, 0x1e])).toBe('a');
  });
});

describe('the decoder state in simulated memory', () => {
  it('DecodeState, handle_ctrl and the modifier bits are the Keyboard\'s bytes', () => {
    expect([rig.memory.bytes[kb.at], rig.memory.bytes[kb.at + 1], rig.memory.read16(kb.at + 2)]).toEqual([0, 1, 1 << 4]); // Start, Ignore, numlock
    kb.add_byte(0xe0);
    expect(rig.memory.bytes[kb.at]).toBe(1); // Extended
    kb.add_byte(0x1d);
    const ev = kb.add_byte(0x2a);
    if (ev.ok && ev.value) kb.process_keyevent(ev.value); // LShift down
    expect(rig.memory.read16(kb.at + 2) & 1).toBe(1);
    rig.memory.write16(kb.at + 2, 0); // Shift released (and Num Lock off) by writing the state
    expect(kb.get_modifiers()).toMatchObject({ lshift: false, numlock: false });
  });
});
