// The adaptive halt-polling rule (time.idle: adaptive), as KVM tunes a vCPU's halt_poll_ns: outcomes
// of halts in, the next poll window out. No clock is involved: these are the rule's own facts.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { HALT_POLL_DEFAULTS, HaltPollWindow } from '../../cpu/halt-poll.js';

const US = 1000;

describe('HaltPollWindow', () => {
  it('starts at 0: a halt first sleeps without polling', () => {
    expect(new HaltPollWindow().ns).toBe(0);
  });

  it('grows from 10 µs, doubling, to the 200 µs cap while wake-ups come just after the window', () => {
    // The last wake-up, at 200 µs, is caught by the full window: no change.
    const w = new HaltPollWindow();
    const seen: number[] = [];
    for (let i = 0; i < 7; i++) {
      w.update(Math.min(w.ns + 5 * US, 200 * US), true); // woken 5 µs after the poll gave up (within the cap)
      seen.push(w.ns / US);
    }
    expect(seen).toEqual([10, 20, 40, 80, 160, 200, 200]);
  });

  it('keeps the window when the poll caught the wake-up', () => {
    const w = new HaltPollWindow();
    w.update(50 * US, true);
    w.update(50 * US, true);
    expect(w.ns).toBe(20 * US);
    w.update(15 * US, true);
    w.update(20 * US, true);
    expect(w.ns).toBe(20 * US);
  });

  it('halves the window after a halt longer than the cap, and drops it to 0 below 10 µs', () => {
    const w = new HaltPollWindow();
    for (let i = 0; i < 6; i++) w.update(190 * US, true);
    expect(w.ns).toBe(200 * US);
    const seen: number[] = [];
    for (let i = 0; i < 6; i++) {
      w.update(30_000 * US, true); // a key typed 30 ms into the halt
      seen.push(w.ns / US);
    }
    expect(seen).toEqual([100, 50, 25, 12.5, 0, 0]);
  });

  it('counts the CPU\'s own timeout against polling only when it ran past the cap', () => {
    const w = new HaltPollWindow();
    w.update(30 * US, true);
    w.update(30 * US, true);
    expect(w.ns).toBe(20 * US);
    w.update(150 * US, false); // slept until just before a deadline 150 µs away: no news about wake-ups
    expect(w.ns).toBe(20 * US);
    w.update(55_000 * US, false); // slept through a whole PIT period
    expect(w.ns).toBe(10 * US);
  });

  it('never leaves [0, cap] and is 0 or at least the grow-start value, whatever the halts', () => {
    const outcome = fc.record({ blockNs: fc.double({ min: 0, max: 1e8, noNaN: true }), woken: fc.boolean() });
    const limits = fc.record({
      maxNs: fc.integer({ min: 0, max: 1_000_000 }),
      growStartNs: fc.integer({ min: 1, max: 100_000 }),
      grow: fc.integer({ min: 1, max: 4 }),
      shrink: fc.integer({ min: 1, max: 4 }),
    });
    fc.assert(fc.property(limits, fc.array(outcome, { maxLength: 60 }), (l, halts) => {
      const w = new HaltPollWindow(l);
      for (const h of halts) {
        w.update(h.blockNs, h.woken);
        expect(w.ns).toBeGreaterThanOrEqual(0);
        expect(w.ns).toBeLessThanOrEqual(l.maxNs);
        if (w.ns !== 0) expect(w.ns).toBeGreaterThanOrEqual(Math.min(l.growStartNs, l.maxNs));
      }
    }));
  });

  it('uses KVM\'s x86 defaults and rejects a zero grow-start or a negative cap', () => {
    expect(HALT_POLL_DEFAULTS).toEqual({ maxNs: 200_000, growStartNs: 10_000, grow: 2, shrink: 2 });
    expect(() => new HaltPollWindow({ maxNs: 200_000, growStartNs: 0, grow: 2, shrink: 2 })).toThrow(RangeError);
    expect(() => new HaltPollWindow({ maxNs: -1, growStartNs: 10_000, grow: 2, shrink: 2 })).toThrow(RangeError);
  });
});
