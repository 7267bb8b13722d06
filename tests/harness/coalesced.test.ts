// A PIT advanced late reports its merged edges on both placements: the count travels in the
// call's response (inline: the shell's result; worker: the mailbox words), the same either way.
import { afterEach, describe, expect, it } from 'vitest';
import { timeOfTick } from '../../devices/i8254/clock.js';
import { startDevice, type DeviceHarness } from '../support/harness.js';

const N = 100;
let open: DeviceHarness | undefined;
afterEach(async () => {
  await open?.stop();
  open = undefined;
});

describe.each(['inline', 'worker'] as const)('coalesced edges, placement %s', (placement) => {
  it('advanced 5 periods late: out0 rises once and 4 edges are reported coalesced', async () => {
    const h = (open = await startDevice('impl: i8254', { placement }));
    h.out(0x43, 1, 0x34);
    h.out(0x40, 1, N & 0xff);
    h.out(0x40, 1, N >> 8);
    h.runUntil(timeOfTick(1 + N)); // on time through the first period
    const before = h.history('out0').length;
    h.lateTo(timeOfTick(1 + 6 * N));
    expect(h.history('out0').slice(before).filter((c) => c.level === 1)).toHaveLength(1);
    expect(h.coalesced).toEqual([{ pin: 0, name: 'out0', count: 4, t: timeOfTick(1 + 6 * N) }]);
    h.runUntil(timeOfTick(1 + 60 * N)); // on time again: nothing more is lost
    expect(h.coalesced).toHaveLength(1);
  });
});
