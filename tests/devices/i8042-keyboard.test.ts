// The PS/2 keyboard behind the 8042: one test per keyboard row of device-models.md §1.3
// (commands, scancode sets, translation, the queue), plus host input timing and traces.
import { describe, it, expect } from 'vitest';
import { KEY_NAMES } from '../../devices/i8042/scancodes.js';
import { ALL_KEYS, Kbc, SET1, hex } from './i8042-harness.js';

/** A Kbc with translation off, IRQs on (the raw set-2 stream). */
const raw = () => new Kbc();
/** A Kbc as SeaBIOS leaves it (translation on). */
const xlat = () => new Kbc().seabios();

describe('keyboard commands', () => {
  it('0xFF replies FA AA and resets to set 2, scanning enabled, LEDs off (v86 adds a 00)', () => {
    const k = raw().data(0xf5).data(0xf0, 0x01).data(0xed, 0x07);
    k.drain();
    k.data(0xff);
    expect(k.drain()).toEqual([0xfa, 0xaa]);
    expect(k.data(0xf0, 0x00).drain()).toEqual([0xfa, 0xfa, 0x02]);
    expect(k.press('A').drain()).toEqual([0x1c, 0xf0, 0x1c]);
    expect(k.core.snapshot()).toMatchObject({ keyboard: { leds: 0, set: 2, scanEnabled: true } });
  });

  it('0xF4 enables scanning (FA); 0xF5 resets and disables it (FA); 0xF6 resets and enables it (FA)', () => {
    const k = raw();
    expect(k.data(0xf5).drain()).toEqual([0xfa]);
    expect(k.press('A').drain()).toEqual([]);
    expect(k.data(0xf4).drain()).toEqual([0xfa]);
    expect(k.press('A').drain()).toEqual([0x1c, 0xf0, 0x1c]);
    k.data(0xf5).drain();
    k.data(0xf0, 0x03).drain();
    expect(k.data(0xf6).drain()).toEqual([0xfa]);
    expect(k.press('A').drain()).toEqual([0x1c, 0xf0, 0x1c]); // enabled, and back in set 2
  });

  it('a key pressed while scanning is disabled (F5) is never sent, not even after F4, and is traced as dropped', () => {
    const k = raw().data(0xf5);
    k.drain();
    k.press('A');
    expect(k.data(0xf4).drain()).toEqual([0xfa]);
    expect(k.drain()).toEqual([]);
    expect(k.ctx.tracesOf('kbd.key').map((t) => t.fields)).toEqual([
      { key: 'A', action: 'make', dropped: true, reason: 'scanning disabled' },
      { key: 'A', action: 'break', dropped: true, reason: 'scanning disabled' },
    ]);
  });

  it('0xED (LEDs) replies FA, then FA for the LED byte', () => {
    const k = raw();
    expect(k.data(0xed).drain()).toEqual([0xfa]);
    expect(k.data(0x02).drain()).toEqual([0xfa]);
    expect(k.core.snapshot()).toMatchObject({ keyboard: { leds: 0x02 } });
    expect(k.ctx.tracesOf('ps2.cmd').at(-1)?.fields).toEqual({ target: 'keyboard', cmd: 0xed, arg: 0x02 });
  });

  it('0xEE (echo) replies EE, not FA as v86 does', () => {
    expect(raw().data(0xee).drain()).toEqual([0xee]);
  });

  it('0xF0 0 reports the set raw (02) without translation and as 0x41 with it', () => {
    expect(raw().data(0xf0, 0x00).drain()).toEqual([0xfa, 0xfa, 0x02]);
    expect(xlat().data(0xf0, 0x00).drain()).toEqual([0xfa, 0xfa, 0x41]);
  });

  it('0xF0 1..3 switch the set (FA FA); set 1 sends set-1 codes, set 3 single bytes with F0 breaks', () => {
    const k = raw();
    expect(k.data(0xf0, 0x01).drain()).toEqual([0xfa, 0xfa]);
    expect(k.data(0xf0, 0x00).drain()).toEqual([0xfa, 0xfa, 0x01]);
    expect(k.press('ArrowUp').drain()).toEqual([0xe0, 0x48, 0xe0, 0xc8]);
    k.data(0xf0, 0x03).drain();
    expect(k.press('ArrowUp').drain()).toEqual([0x63, 0xf0, 0x63]);
    expect(k.press('LControl').drain()).toEqual([0x11, 0xf0, 0x11]);
  });

  it('0xF0 with a set other than 0..3 replies FE and keeps the set', () => {
    const k = raw();
    expect(k.data(0xf0, 0x04).drain()).toEqual([0xfa, 0xfe]);
    expect(k.data(0xf0, 0x00).drain()).toEqual([0xfa, 0xfa, 0x02]);
  });

  it('0xF2 (identify) replies FA AB 83, or FA AB 41 through translation', () => {
    expect(raw().data(0xf2).drain()).toEqual([0xfa, 0xab, 0x83]);
    expect(xlat().data(0xf2).drain()).toEqual([0xfa, 0xab, 0x41]);
  });

  it('0xF3 (typematic) replies FA, then FA for the rate byte', () => {
    const k = raw();
    expect(k.data(0xf3).drain()).toEqual([0xfa]);
    expect(k.data(0x20).drain()).toEqual([0xfa]);
    expect(k.press('A').drain()).toEqual([0x1c, 0xf0, 0x1c]); // the rate byte was not a command
  });

  it.each([
    ['F7', 'all keys typematic', 0xf7],
    ['F8', 'all keys make/break', 0xf8],
    ['F9', 'all keys make only', 0xf9],
    ['FA', 'all keys typematic/make/break', 0xfa],
  ])('0x%s (%s, scancode set 3) replies FA and is no guest error', (_name, _what, cmd) => {
    const k = raw();
    expect(k.data(cmd).drain()).toEqual([0xfa]);
    expect(k.guestErrors()).toBe(0);
    expect(k.press('A').drain()).toEqual([0x1c, 0xf0, 0x1c]); // no argument byte is awaited
  });

  it.each([
    ['FB', 'typematic', 0xfb],
    ['FC', 'make/break', 0xfc],
    ['FD', 'make only', 0xfd],
  ])('0x%s (set one key %s) replies FA, then FA for each set-3 key code that follows', (_name, _what, cmd) => {
    const k = raw();
    expect(k.data(cmd).drain()).toEqual([0xfa]);
    expect(k.data(0x1c).drain()).toEqual([0xfa]); // A
    expect(k.data(0x8b).drain()).toEqual([0xfa]); // left Windows, the highest codes are keys too
    expect(k.guestErrors()).toBe(0);
    expect(k.ctx.tracesOf('ps2.cmd').at(-1)?.fields).toEqual({ target: 'keyboard', cmd, arg: 0x8b });
  });

  it('a command after the key codes of 0xFB-0xFD ends the list and is carried out', () => {
    const k = raw().data(0xfc, 0x1c);
    k.drain();
    expect(k.data(0xf2).drain()).toEqual([0xfa, 0xab, 0x83]);
    expect(k.data(0x1c).drain()).toEqual([0xfe]); // no list is open any more: an unknown command
  });

  it('an unknown keyboard command replies FE (RESEND) and is a guest error; v86 replies FA', () => {
    const k = raw();
    expect(k.data(0xe5).drain()).toEqual([0xfe]);
    expect(k.guestErrors()).toBe(1);
  });

  it('a new command discards replies the host has not read (QEMU cqueue)', () => {
    const k = raw().data(0xf2); // FA in the output buffer, AB 83 in the keyboard
    k.data(0xee);
    expect(k.drain()).toEqual([0xfa, 0xee]);
  });

  it('command replies go ahead of scancodes already queued', () => {
    const k = raw();
    k.press('A'); // 1c out, f0 1c queued
    k.data(0xee);
    expect(k.drain()).toEqual([0x1c, 0xee, 0xf0, 0x1c]);
  });
});

describe('scancodes and translation', () => {
  it('without translation the host reads set 2: make 1c, break f0 1c; extended e0 75 / e0 f0 75', () => {
    expect(raw().press('A').drain()).toEqual([0x1c, 0xf0, 0x1c]);
    expect(raw().press('ArrowUp').drain()).toEqual([0xe0, 0x75, 0xe0, 0xf0, 0x75]);
  });

  it('with command-byte bit 0x40 the controller translates: A gives 1e then 9e', () => {
    expect(xlat().press('A').drain()).toEqual([0x1e, 0x9e]);
  });

  it('every key translates to the set-1 bytes pc-keyboard decodes (make and break)', () => {
    const wrong: string[] = [];
    for (const key of ALL_KEYS) {
      const got = xlat().press(key).drain();
      const want = [...SET1.get(key)!.make, ...SET1.get(key)!.brk];
      if (hex(got) !== hex(want)) wrong.push(`${key}: ${hex(got)} != ${hex(want)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('the keyboard accepts exactly the documented key names', () => {
    expect([...KEY_NAMES].sort()).toEqual([...ALL_KEYS].sort());
  });

  it('Print Screen and Pause send their multi-prefix sequences; Pause sends nothing on release', () => {
    expect(raw().press('PrintScreen').drain()).toEqual([0xe0, 0x12, 0xe0, 0x7c, 0xe0, 0xf0, 0x7c, 0xe0, 0xf0, 0x12]);
    expect(raw().press('PauseBreak').drain()).toEqual([0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14, 0xf0, 0x77]);
  });

  it('switching translation off mid-stream hands the remaining bytes over raw', () => {
    const k = xlat();
    k.press('A'); // 1e in the buffer
    k.cmd(0x60).data(0x21); // translation off, IRQ1 on, aux off
    expect(k.drain()).toEqual([0x1e, 0xf0, 0x1c]);
  });
});

describe('queue depth and overflow', () => {
  it('16 scancode bytes fit in the keyboard; further keys are dropped whole and traced as dropped', () => {
    const k = raw();
    for (let i = 0; i < 10; i++) k.key('A', true); // 1 byte each: 1 in the buffer + up to 16 queued
    for (let i = 0; i < 10; i++) k.key('ArrowUp', false); // 3 bytes each
    const dropped = k.ctx.tracesOf('kbd.key').filter((t) => t.fields.dropped);
    const bytes = k.drain();
    expect(bytes).toEqual([...Array(10).fill(0x1c), ...[0, 1].flatMap(() => [0xe0, 0xf0, 0x75])]);
    expect(dropped).toHaveLength(8);
    expect(dropped[0].fields).toEqual({ key: 'ArrowUp', action: 'break', bytes: 'e0 f0 75', dropped: true });
  });

  it('replies still fit when the scancode queue is full (headroom)', () => {
    const k = raw();
    for (let i = 0; i < 17; i++) k.key('A', true);
    k.data(0xf2);
    expect(k.drain()).toEqual([0x1c, 0xfa, 0xab, 0x83, ...Array(16).fill(0x1c)]);
  });
});

describe('host input', () => {
  it('an event in the future waits for its time: nextDeadline names it, advance() delivers it', () => {
    const k = xlat();
    k.key('A', true, 500).key('A', false, 300);
    expect(k.core.nextDeadline!()).toBe(300);
    k.ctx.t = 299;
    k.core.advance!();
    expect(k.status() & 1).toBe(0);
    k.ctx.t = 600;
    k.core.advance!();
    expect(k.drain()).toEqual([0x9e, 0x1e]); // in time order, not arrival order
    expect(k.core.nextDeadline!()).toBe(Infinity);
  });

  it('an unknown key is logged as unimplemented and produces nothing', () => {
    const k = xlat();
    expect(() => k.press('Hyper').press('')).not.toThrow();
    expect(k.ctx.tracesOf('unimplemented').map((t) => t.fields.key)).toEqual(['Hyper', 'Hyper', '', '']);
    expect(k.drain()).toEqual([]);
  });

  it('kbd.key traces the bytes the host will read (set 1 under translation)', () => {
    const k = xlat().press('ArrowUp');
    expect(k.ctx.tracesOf('kbd.key').map((t) => t.fields)).toEqual([
      { key: 'ArrowUp', action: 'make', bytes: 'e0 48' },
      { key: 'ArrowUp', action: 'break', bytes: 'e0 c8' },
    ]);
    expect(raw().press('ArrowUp').ctx.tracesOf('kbd.key')[1].fields.bytes).toBe('e0 f0 75');
  });
});
