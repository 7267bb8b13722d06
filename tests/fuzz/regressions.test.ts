// Bugs the fuzzer found in device cores, each pinned by the shrunk case it reported.
import { describe, it, expect } from 'vitest';
import type { DeviceCore } from '../../bus/device.js';
import { i8254 } from '../../devices/i8254/module.js';
import { FakeContext } from '../support/fake-context.js';

/** The bus in virtual time: advance() at each deadline up to `until`, then stand there. */
function serve(core: DeviceCore, ctx: FakeContext, until: number): void {
  for (let d = core.nextDeadline!(); d <= until; d = core.nextDeadline!()) {
    ctx.t = Math.max(ctx.t, d);
    core.advance!();
  }
  ctx.t = until;
}

describe('found by npm run fuzz', () => {
  it('i8254: a restored core drives OUT0 with the saved level, not the level it powered on with', () => {
    // Shrunk case: `outb 0x43 0x30` (channel 0, mode 0: OUT0 goes low), snapshot, restore into a
    // fresh core. The fresh core powers on in mode 3 with OUT0 high and drove pin 0 high; the
    // restore left it there while the restored state says OUT0 is low, and since the state also
    // said "pin 0 shows low" no deadline ever corrected the wire: IRQ0 stuck high.
    const a = new FakeContext('pit');
    const original = i8254.create(a, {});
    original.write(0, 3, 1, 0x30);
    expect(a.level(0)).toBe(0);

    const b = new FakeContext('pit');
    const restored = i8254.create(b, {});
    expect(b.level(0)).toBe(1); // mode 3 after reset: OUT0 high
    restored.restore(JSON.parse(JSON.stringify(original.snapshot())));
    expect(b.level(0)).toBe(0);
    expect(restored.nextDeadline!()).toBe(original.nextDeadline!());
  });

  it('i8254: a restored core replays the OUT0 changes a late host missed exactly as the original would', () => {
    // Shrunk case: power-on mode 3 (count 65536), time served exactly to 411.94 ms, snapshot, then
    // the host comes back 137 ms late. The original replays the first missed low/high pair from
    // where it last drove pin 0, then drives OUT0's level now: 1, 0, 1. The restored core did not
    // know where that was (not in the snapshot) and drove only the final 1: one IRQ0 edge fewer.
    const a = new FakeContext('pit');
    const original = i8254.create(a, {});
    original.advance!();
    serve(original, a, 169_635_547);
    serve(original, a, 411_940_509);

    const b = new FakeContext('pit');
    const restored = i8254.create(b, {});
    b.t = a.t;
    b.outputs[0] = a.level(0);
    restored.restore(JSON.parse(JSON.stringify(original.snapshot())));

    const late = 549_254_012;
    const fromA = a.outputHistory.length;
    const fromB = b.outputHistory.length;
    for (const [ctx, core] of [[a, original], [b, restored]] as const) {
      ctx.t = late;
      core.advance!();
    }
    const levels = (ctx: FakeContext, from: number): number[] => ctx.outputHistory.slice(from).map(([, level]) => level);
    expect(levels(a, fromA)).toEqual([1, 0, 1]);
    expect(levels(b, fromB)).toEqual(levels(a, fromA));
  });
});
