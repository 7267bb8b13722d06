// Host serial input (an input script's serial: steps) reaching a 16550 on the CPU's timeline.
import { describe, expect, it } from 'vitest';
import { DATA, FCR, LSR, MCR, Com } from './uart16550-harness.js';

describe('16550 host input', () => {
  it('bytes due now arrive on SIN at once: DR set, RBR gives them in order', () => {
    const com = new Com();
    com.out(MCR, 0x0b).out(FCR, 0x07); // FIFOs on: several bytes can wait
    com.core.input!({ at: 0, key: '', down: true, bytes: [0x68, 0x69] });
    expect(com.in(LSR) & 0x01).toBe(1);
    expect([com.in(DATA), com.in(DATA)]).toEqual([0x68, 0x69]);
  });

  it('bytes for a later machine time wait, are asked for by nextDeadline(), and arrive in time order', () => {
    const com = new Com();
    com.out(MCR, 0x0b).out(FCR, 0x07); // FIFOs on: several bytes can wait
    com.core.input!({ at: 2000, key: '', down: true, bytes: [0x32] });
    com.core.input!({ at: 1000, key: '', down: true, bytes: [0x31] });
    expect(com.in(LSR) & 0x01).toBe(0);
    expect(com.core.nextDeadline!()).toBe(1000);
    com.ctx.t = 2500;
    com.core.advance!();
    expect([com.in(DATA), com.in(DATA)]).toEqual([0x31, 0x32]);
  });

  it('a key event (no bytes) is not for a serial port: logged as unimplemented, nothing received', () => {
    const com = new Com();
    com.core.input!({ at: 0, key: 'A', down: true });
    expect(com.ctx.tracesOf('unimplemented')).toHaveLength(1);
    expect(com.in(LSR) & 0x01).toBe(0);
  });

  it('pending input survives snapshot and restore', () => {
    const com = new Com();
    com.core.input!({ at: 5000, key: '', down: true, bytes: [0x41] });
    const copy = new Com();
    copy.core.restore(JSON.parse(JSON.stringify(com.core.snapshot())));
    copy.ctx.t = 6000;
    copy.core.advance!();
    expect(copy.in(DATA)).toBe(0x41);
  });
});
