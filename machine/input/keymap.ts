// Host characters → PS/2 key presses (pc-keyboard KeyCode names) on a US 104-key layout, with
// Shift where the character needs it. What a person's fingers would do for each character.

export interface KeyStroke {
  readonly key: string;
  readonly shift: boolean;
}

const PLAIN: Record<string, string> = {
  '-': 'OemMinus', '=': 'OemPlus', '[': 'Oem4', ']': 'Oem6', '\\': 'Oem7', ';': 'Oem1', "'": 'Oem3',
  '`': 'Oem8', ',': 'OemComma', '.': 'OemPeriod', '/': 'Oem2', ' ': 'Spacebar', '\n': 'Return', '\r': 'Return',
  '\t': 'Tab', '\b': 'Backspace', '\x7f': 'Backspace', '\x1b': 'Escape',
};
const SHIFTED: Record<string, string> = {
  '_': 'OemMinus', '+': 'OemPlus', '{': 'Oem4', '}': 'Oem6', '|': 'Oem7', ':': 'Oem1', '"': 'Oem3',
  '~': 'Oem8', '<': 'OemComma', '>': 'OemPeriod', '?': 'Oem2',
  '!': 'Key1', '@': 'Key2', '#': 'Key3', '$': 'Key4', '%': 'Key5', '^': 'Key6', '&': 'Key7', '*': 'Key8', '(': 'Key9', ')': 'Key0',
};

/** The stroke for one character, or undefined when a US keyboard cannot type it. */
export function strokeFor(ch: string): KeyStroke | undefined {
  if (ch >= 'a' && ch <= 'z') return { key: ch.toUpperCase(), shift: false };
  if (ch >= 'A' && ch <= 'Z') return { key: ch, shift: true };
  if (ch >= '0' && ch <= '9') return { key: `Key${ch}`, shift: false };
  if (PLAIN[ch]) return { key: PLAIN[ch], shift: false };
  if (SHIFTED[ch]) return { key: SHIFTED[ch], shift: true };
  return undefined;
}

/** Every key name a script may send: the keyboard model's own table (devices/i8042/scancodes.ts). */
export { KEY_NAMES } from '../../devices/i8042/scancodes.js';

/** A key event relative to the moment input is delivered: `delay` ns later. */
export interface TimedKey {
  readonly delay: number;
  readonly key: string;
  readonly down: boolean;
}

/** Machine time between the events of typed text: about what a PS/2 keyboard needs to send a byte. */
export const KEY_GAP_NS = 1_000_000;

/** Press and release for each character of `text`, with Shift around the ones that need it. */
export function typeText(text: string, start = 0, gap = KEY_GAP_NS): { events: TimedKey[]; unknown: string[] } {
  const events: TimedKey[] = [];
  const unknown: string[] = [];
  let t = start;
  const at = (key: string, down: boolean) => {
    events.push({ delay: t, key, down });
    t += gap;
  };
  for (const ch of text) {
    const s = strokeFor(ch);
    if (!s) {
      unknown.push(ch);
      continue;
    }
    if (s.shift) at('LShift', true);
    at(s.key, true);
    at(s.key, false);
    if (s.shift) at('LShift', false);
  }
  return { events, unknown };
}

/** Press and release one named key. */
export function pressKey(key: string, start = 0, gap = KEY_GAP_NS): TimedKey[] {
  return [{ delay: start, key, down: true }, { delay: start + gap, key, down: false }];
}
