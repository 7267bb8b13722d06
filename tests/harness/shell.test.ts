// The device shell's own rules, on both placements through the harness: output changes in one
// response, restarts from the last good snapshot, the width of a read that crashed. Worker tests
// run the compiled actor task: build first (npm test does).
import { describe, expect, it } from 'vitest';
import type { Placement } from '../../machine/config/spec.js';
import { ROOT } from '../support/cli.js';
import { startedDevices, type DeviceHarness } from '../support/harness.js';

const PLACEMENTS: readonly Placement[] = ['inline', 'worker'];
const PINS = 'impl: ./tests/fixtures/devices/pins.mjs';
const THROWING = 'impl: ./tests/fixtures/devices/throwing.mjs\non_crash: restart';

const started = startedDevices({ dir: ROOT });

function start(fragment: string, placement: Placement): Promise<DeviceHarness> {
  return started(fragment, { placement });
}

const levels = (h: DeviceHarness) => Array.from({ length: 16 }, (_, p) => h.level(p));

describe.each(PLACEMENTS)('device shell, placement %s', (placement) => {
  it('22 output changes in one call: every pin ends at its final level (o15 included), in the order each first changed', async () => {
    const h = await start(PINS, placement);
    h.out(0x2f0, 1, 5); // o0..o15 high, then o0..o4 low, then o0 high again
    expect(levels(h)).toEqual([1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(h.outputs.map((c) => c.name)).toEqual(['o0', 'o5', 'o6', 'o7', 'o8', 'o9', 'o10', 'o11', 'o12', 'o13', 'o14', 'o15']);
  });

  it('changes that fit in a response keep their edges: a pulse is low then high', async () => {
    const h = await start(PINS, placement);
    h.out(0x2f0, 1, 0);
    h.out(0x2f1, 1, 3); // o3 low, then high, in one call
    expect(h.history('o3').map((c) => c.level)).toEqual([1, 0, 1]);
  });

  it('on_crash restart brings back the last good snapshot: what was written after it is lost', async () => {
    const h = await start(`${THROWING}\noptions: { in: write }`, placement);
    h.out(0x2f0, 1, 0x42);
    h.step(150e6);
    expect(h.in(0x2f0, 1)).toBe(0x42); // a successful call 100 ms after the last snapshot: a new one
    h.out(0x2f0, 1, 0x43);
    h.out(0x2f1, 1, 0); // the write that throws
    expect(h.in(0x2f0, 1)).toBe(0x42);
    expect(h.tracesOf('actor.crash')).toEqual([expect.objectContaining({ src: 'dut', action: 'restart', from: 'snapshot', error: 'Error: model bug: counter underflow' })]);
  });

  it('a core restored from a snapshot that crashes again before the next snapshot restarts from reset', async () => {
    const h = await start(`${THROWING}\noptions: { in: write }`, placement);
    h.step(150e6);
    h.out(0x2f0, 1, 0x42);
    h.out(0x2f1, 1, 0);
    h.out(0x2f0, 1, 0x44);
    h.out(0x2f1, 1, 0);
    expect(h.in(0x2f0, 1)).toBe(0);
    expect(h.tracesOf('actor.crash').map((r) => r.from)).toEqual(['snapshot', 'reset']);
  });

  it('a read that crashes reads as all ones of its width', async () => {
    const h = await start(`${THROWING}\noptions: { in: read }`, placement);
    expect(h.in(0x2f0, 1)).toBe(0xff);
    expect(h.in(0x2f0, 2)).toBe(0xffff);
    expect(h.tracesOf('actor.crash')).toHaveLength(3); // a 2-byte access to a byte-wide region is two reads
  });
});
