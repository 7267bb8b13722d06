// Nothing merged silently (issue 10 item 4): when the PIT's advance() comes several periods late
// (a realtime host that fell behind), OUT0 shows one edge and the core reports the rest to its
// context as coalesced; an advance() on time, or a late one that loses nothing, reports nothing.
import { describe, expect, it } from 'vitest';
import type { DeviceCore } from '../../bus/device.js';
import { i8254 } from '../../devices/i8254/module.js';
import { timeOfTick } from '../../devices/i8254/clock.js';
import { FakeContext } from '../support/fake-context.js';

const N = 100; // count: a period of 100 input clocks (≈83.8 µs)

function pit(mode: 2 | 3, count = N): { ctx: FakeContext; core: DeviceCore } {
  const ctx = new FakeContext('pit');
  const core = i8254.create(ctx, {});
  core.write(0, 3, 1, 0x30 | (mode << 1)); // channel 0, LSB then MSB, mode
  core.write(0, 0, 1, count & 0xff);
  core.write(0, 0, 1, count >> 8);
  core.advance!();
  return { ctx, core };
}

/** Rising edges of pin 0 driven since history index `from`. */
const risesSince = (ctx: FakeContext, from: number): number =>
  ctx.outputHistory.slice(from).filter(([pin, level]) => pin === 0 && level === 1).length;

/** Serve every deadline on time up to `end` ns. */
function onTime(ctx: FakeContext, core: DeviceCore, end: number): void {
  for (let d = core.nextDeadline!(); d <= end; d = core.nextDeadline!()) {
    ctx.t = d;
    core.advance!();
  }
}

describe('i8254 coalesced edges', () => {
  it.each([2, 3] as const)('mode %i: advanced 5 periods late at once → one rising edge on OUT0, coalesced count 4', (mode) => {
    const { ctx, core } = pit(mode);
    // Just after a rising edge (the load on clock 1 starts the first period).
    onTime(ctx, core, timeOfTick(1 + N));
    const start = ctx.t;
    const history = ctx.outputHistory.length;
    ctx.coalescedEdges.length = 0;
    ctx.t = start + timeOfTick(5 * N) - timeOfTick(0); // five whole periods later
    core.advance!();
    expect(risesSince(ctx, history)).toBe(1);
    expect(ctx.coalescedEdges.map(([pin, edges]) => [pin, edges])).toEqual([[0, 4]]);
  });

  it('on time, every period is an edge and nothing is reported coalesced', () => {
    const { ctx, core } = pit(2);
    const history = ctx.outputHistory.length;
    onTime(ctx, core, timeOfTick(1 + 50 * N));
    expect(risesSince(ctx, history)).toBe(50);
    expect(ctx.coalescedEdges).toEqual([]);
  });

  it('late by less than a period (the one-clock pulse stepped over) loses nothing: the replay shows it', () => {
    const { ctx, core } = pit(2);
    onTime(ctx, core, timeOfTick(1 + N));
    const history = ctx.outputHistory.length;
    ctx.t = ctx.t + timeOfTick(N + 5) - timeOfTick(0); // past the next pulse by 5 clocks
    core.advance!();
    expect(risesSince(ctx, history)).toBe(1);
    expect(ctx.coalescedEdges).toEqual([]);
  });

  it('edges lost across a count reload are counted in both periods', () => {
    const { ctx, core } = pit(2);
    onTime(ctx, core, timeOfTick(1 + N));
    // A new count of 50 written mid-period takes over at the end of the current period.
    ctx.t = timeOfTick(1 + N + 10);
    core.write(0, 0, 1, 50);
    core.write(0, 0, 1, 0);
    ctx.coalescedEdges.length = 0;
    const history = ctx.outputHistory.length;
    // From clock 1+N+10: the old period ends at 1+2N (1 edge), then 50-clock periods: by 1+2N+200, 4 more.
    ctx.t = timeOfTick(1 + 2 * N + 200);
    core.advance!();
    const lost = ctx.coalescedEdges.reduce((n, [, edges]) => n + edges, 0);
    expect(risesSince(ctx, history) + lost).toBe(5);
    expect(lost).toBe(4);
  });
});

describe('i8254 coalesced edges: accounting', () => {
  it('served at random late times, edges shown plus edges reported equal the edges of a PIT served on time', () => {
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let trial = 0; trial < 40; trial++) {
      const mode = trial % 2 === 0 ? 2 : 3;
      const count = 2 + rand(300);
      const late = pit(mode, count);
      const exact = pit(mode, count);
      const history = late.ctx.outputHistory.length;
      const exactHistory = exact.ctx.outputHistory.length;
      let t = late.ctx.t;
      for (let step = 0; step < 30; step++) {
        t += 1 + rand(timeOfTick(count * 4)); // up to four periods at a time
        late.ctx.t = t;
        late.core.advance!();
      }
      onTime(exact.ctx, exact.core, t);
      const reported = late.ctx.coalescedEdges.reduce((n, [, edges]) => n + edges, 0);
      expect(risesSince(late.ctx, history) + reported).toBe(risesSince(exact.ctx, exactHistory));
    }
  });
});
