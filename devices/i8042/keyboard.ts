// The PS/2 keyboard behind the 8042's first port: its commands, scanning, scancode set and the
// byte queue it feeds the controller from.
//
// Behaviour follows QEMU's ps2.c (an MF2 keyboard): replies to a command go ahead of scancodes
// still queued, and a new command discards replies the host has not read (QEMU's cqueue).
// Scancode bytes are queued only while there is room for the whole key sequence, so the host
// never sees half a scancode (QEMU queues key bytes one by one). v86 differences are marked "v86:".
import type { DeviceContext } from '../../bus/device.js';
import { hexBytes, isKnownKey, keyBytes, translateSequence } from './scancodes.js';
import { KEY_QUEUE_SIZE, REPLY_HEADROOM, keyboardPowerOn, type KeyboardState } from './state.js';

/** Keyboard commands (host → keyboard, written to port 0x60). */
export const KBD_CMD = {
  SET_LEDS: 0xed,
  ECHO: 0xee,
  SCANCODE_SET: 0xf0,
  IDENTIFY: 0xf2,
  TYPEMATIC: 0xf3,
  ENABLE: 0xf4,
  RESET_DISABLE: 0xf5,
  RESET_ENABLE: 0xf6,
  /** F7–FA: all keys typematic / make-break / make-only / typematic-make-break (scancode set 3). */
  SET_ALL_TYPEMATIC: 0xf7,
  SET_ALL_MAKE_BREAK: 0xf8,
  SET_ALL_MAKE: 0xf9,
  SET_ALL_TYPEMATIC_MAKE_BREAK: 0xfa,
  /** FB–FD: the same per key; set-3 key codes follow, one byte each. */
  SET_KEY_TYPEMATIC: 0xfb,
  SET_KEY_MAKE_BREAK: 0xfc,
  SET_KEY_MAKE: 0xfd,
  RESET: 0xff,
} as const;

/** Bytes from 0xED up are commands: one ends a key list (FB–FD) and is carried out. */
const FIRST_COMMAND = KBD_CMD.SET_LEDS;

/** Keyboard replies. */
export const KBD_REPLY = {
  ACK: 0xfa,
  RESEND: 0xfe,
  BAT_OK: 0xaa,
  ID: 0xab,
  /** Second identification byte of an MF2 keyboard; 0x41 once the controller translates it. */
  ID_MF2: 0x83,
  ECHO: 0xee,
} as const;

function isKeyListCommand(cmd: number): boolean {
  return cmd >= KBD_CMD.SET_KEY_TYPEMATIC && cmd <= KBD_CMD.SET_KEY_MAKE;
}

const hex = (v: number): string => `0x${v.toString(16).padStart(2, '0')}`;

export class Ps2Keyboard {
  private s: KeyboardState = keyboardPowerOn();

  constructor(private readonly ctx: DeviceContext) {}

  // ---- the byte stream to the controller ------------------------------------------------------

  hasData(): boolean {
    return this.s.queue.length > 0;
  }

  /** The oldest byte for the host (a reply if any is queued, else a scancode byte). */
  take(): number | undefined {
    const b = this.s.queue.shift();
    if (this.s.replies > 0) this.s.replies--;
    return b;
  }

  // ---- host → keyboard ----------------------------------------------------------------------

  /** A byte the host sent to the keyboard: a command, or the argument of the previous one. */
  write(v: number): void {
    this.discardUnreadReplies();
    const pending = this.s.awaiting;
    if (isKeyListCommand(pending) && v < FIRST_COMMAND) {
      // Another set-3 key code for FB/FC/FD: ACKed, and the list stays open.
      this.ctx.trace('ps2.cmd', { target: 'keyboard', cmd: pending, arg: v });
      this.reply(KBD_REPLY.ACK);
      return;
    }
    if (pending !== 0 && !isKeyListCommand(pending)) {
      this.s.awaiting = 0;
      this.ctx.trace('ps2.cmd', { target: 'keyboard', cmd: pending, arg: v });
      this.argument(pending, v);
      return;
    }
    this.s.awaiting = 0; // a command ends a key list
    this.ctx.trace('ps2.cmd', { target: 'keyboard', cmd: v });
    switch (v) {
      case KBD_CMD.RESET:
        // BAT passes at once. v86: FA AA 00 (a mouse-style extra byte).
        this.resetDefaults();
        this.reply(KBD_REPLY.ACK, KBD_REPLY.BAT_OK);
        return;
      case KBD_CMD.RESET_ENABLE: // v86: no-op
        this.resetDefaults();
        this.reply(KBD_REPLY.ACK);
        return;
      case KBD_CMD.RESET_DISABLE:
        this.resetDefaults();
        this.s.scanEnabled = false;
        this.reply(KBD_REPLY.ACK);
        return;
      case KBD_CMD.ENABLE:
        this.s.scanEnabled = true;
        this.reply(KBD_REPLY.ACK);
        return;
      case KBD_CMD.IDENTIFY:
        // Always the raw MF2 ID; a translating controller turns 0x83 into 0x41 (QEMU does it here).
        this.reply(KBD_REPLY.ACK, KBD_REPLY.ID, KBD_REPLY.ID_MF2);
        return;
      case KBD_CMD.ECHO: // v86: replies FA
        this.reply(KBD_REPLY.ECHO);
        return;
      case KBD_CMD.SET_LEDS:
      case KBD_CMD.SCANCODE_SET:
      case KBD_CMD.TYPEMATIC:
        this.s.awaiting = v;
        this.reply(KBD_REPLY.ACK);
        return;
      case KBD_CMD.SET_ALL_TYPEMATIC:
      case KBD_CMD.SET_ALL_MAKE_BREAK:
      case KBD_CMD.SET_ALL_MAKE:
      case KBD_CMD.SET_ALL_TYPEMATIC_MAKE_BREAK:
        // IBM PS/2 keyboard: ACK in any set; the key types matter only in set 3. QEMU: FA ACKed,
        // F7-F9 RESEND. Deviation: the types are accepted, not applied (set 3 keeps make/break).
        this.reply(KBD_REPLY.ACK);
        return;
      case KBD_CMD.SET_KEY_TYPEMATIC:
      case KBD_CMD.SET_KEY_MAKE_BREAK:
      case KBD_CMD.SET_KEY_MAKE:
        // IBM: ACK, then set-3 key codes, each ACKed, until the next command (QEMU: FC takes one
        // byte, FB and FD RESEND). Accepted, not applied, as F7-FA.
        this.s.awaiting = v;
        this.reply(KBD_REPLY.ACK);
        return;
      case 0x00:
        // QEMU acknowledges a zero byte (some guests send it as a "no-op" to probe the port).
        this.reply(KBD_REPLY.ACK);
        return;
      default:
        // QEMU (current): RESEND. v86: ACK to everything.
        this.ctx.guestError('i8042: unknown keyboard command', { cmd: hex(v) });
        this.reply(KBD_REPLY.RESEND);
    }
  }

  private argument(cmd: number, v: number): void {
    switch (cmd) {
      case KBD_CMD.SET_LEDS:
        this.s.leds = v & 0x07;
        this.reply(KBD_REPLY.ACK);
        return;
      case KBD_CMD.TYPEMATIC:
        this.s.typematic = v & 0x7f;
        this.reply(KBD_REPLY.ACK);
        return;
      case KBD_CMD.SCANCODE_SET:
        if (v === 0) {
          // The raw set number; translation makes 1/2/3 read as 0x43/0x41/0x3F (QEMU reports the
          // same through its table). v86: always reports 1 and never switches.
          this.reply(KBD_REPLY.ACK, this.s.set);
        } else if (v >= 1 && v <= 3) {
          this.s.set = v as 1 | 2 | 3;
          this.reply(KBD_REPLY.ACK);
        } else {
          this.ctx.guestError('i8042: scancode set out of range', { set: hex(v) });
          this.reply(KBD_REPLY.RESEND);
        }
        return;
    }
  }

  /** FF/F5/F6: default set, LEDs and typematic; scanning on; the FIFO is emptied (QEMU, MF2). */
  private resetDefaults(): void {
    this.s = keyboardPowerOn();
  }

  /** Replies go ahead of queued scancodes, within the headroom above the scancode queue. */
  private reply(...bytes: number[]): void {
    if (this.s.queue.length + bytes.length > KEY_QUEUE_SIZE + REPLY_HEADROOM) return;
    this.s.queue.splice(this.s.replies, 0, ...bytes);
    this.s.replies += bytes.length;
  }

  private discardUnreadReplies(): void {
    this.s.queue.splice(0, this.s.replies);
    this.s.replies = 0;
  }

  // ---- keys ---------------------------------------------------------------------------------

  /**
   * A host key event. With scanning enabled the key's bytes in the current set are queued, all
   * or nothing. `translating` only shapes the trace: `bytes` shows what the host will read.
   */
  key(key: string, down: boolean, translating: boolean): void {
    if (!isKnownKey(key)) {
      this.ctx.unimplemented('i8042: key not on this keyboard', { key });
      return;
    }
    const action = down ? 'make' : 'break';
    if (!this.s.scanEnabled) {
      // F5 stops scanning: keys pressed meanwhile are never seen (not buffered), as on a real
      // keyboard and QEMU. Reset (FF) is instantaneous here, so no key falls inside a BAT.
      this.ctx.trace('kbd.key', { key, action, dropped: true, reason: 'scanning disabled' });
      return;
    }
    const bytes = keyBytes(key, down, this.s.set) ?? [];
    const shown = hexBytes(translating ? translateSequence(bytes) : bytes);
    if (this.s.queue.length + bytes.length > KEY_QUEUE_SIZE) {
      // QEMU drops key bytes once 16 are queued; here the whole sequence goes. v86 overwrites.
      this.ctx.trace('kbd.key', { key, action, bytes: shown, dropped: true });
      return;
    }
    this.s.queue.push(...bytes);
    this.ctx.trace('kbd.key', { key, action, bytes: shown });
  }

  // ---- snapshot -----------------------------------------------------------------------------

  snapshot(): KeyboardState {
    return { ...this.s, queue: [...this.s.queue] };
  }

  restore(state: KeyboardState): void {
    this.s = { ...state, queue: [...state.queue] };
  }
}
