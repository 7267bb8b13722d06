// The terminal input adapter: raw stdin bytes → key presses. Characters become press/release
// sequences (with Shift where needed); escape sequences become arrows, F-keys, Home/End,
// Insert/Delete, PageUp/PageDown (the keyboard adds their 0xE0 prefixes); Ctrl-letter becomes
// LControl + the letter.
import { KEY_GAP_NS, strokeFor, type TimedKey } from './keymap.js';

const CSI_KEYS: Record<string, string> = {
  A: 'ArrowUp', B: 'ArrowDown', C: 'ArrowRight', D: 'ArrowLeft', H: 'Home', F: 'End',
  '2~': 'Insert', '3~': 'Delete', '5~': 'PageUp', '6~': 'PageDown', '1~': 'Home', '4~': 'End', '7~': 'Home', '8~': 'End',
  '11~': 'F1', '12~': 'F2', '13~': 'F3', '14~': 'F4', '15~': 'F5', '17~': 'F6', '18~': 'F7', '19~': 'F8',
  '20~': 'F9', '21~': 'F10', '23~': 'F11', '24~': 'F12',
};
const SS3_KEYS: Record<string, string> = { P: 'F1', Q: 'F2', R: 'F3', S: 'F4', H: 'Home', F: 'End', A: 'ArrowUp', B: 'ArrowDown', C: 'ArrowRight', D: 'ArrowLeft' };

/** Key events for one chunk of terminal input (delays relative to its arrival). */
export function terminalKeys(text: string): TimedKey[] {
  const out: TimedKey[] = [];
  let t = 0;
  const tap = (key: string, withKey?: string) => {
    if (withKey) out.push({ delay: t, key: withKey, down: true });
    out.push({ delay: (t += withKey ? KEY_GAP_NS : 0), key, down: true });
    out.push({ delay: (t += KEY_GAP_NS), key, down: false });
    if (withKey) out.push({ delay: (t += KEY_GAP_NS), key: withKey, down: false });
    t += KEY_GAP_NS;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\x1b' && (text[i + 1] === '[' || text[i + 1] === 'O') && i + 2 < text.length) {
      const table = text[i + 1] === '[' ? CSI_KEYS : SS3_KEYS;
      const m = /^(\d*~|[A-Z])/.exec(text.slice(i + 2));
      if (m && table[m[1]]) {
        tap(table[m[1]]);
        i += 1 + m[1].length;
        continue;
      }
    }
    const code = ch.charCodeAt(0);
    if (code >= 1 && code <= 26 && ch !== '\t' && ch !== '\r' && ch !== '\n' && ch !== '\b') {
      tap(String.fromCharCode(64 + code), 'LControl'); // Ctrl-letter
      continue;
    }
    const s = strokeFor(ch);
    if (s) tap(s.key, s.shift ? 'LShift' : undefined);
  }
  return out;
}
