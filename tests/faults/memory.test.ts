// A device's memory limit (limits.memory): a device that keeps growing its Buffers is crashed
// when its thread's memory has grown past the limit, and the machine stops naming it. Sampled
// every few thousand calls or 10 ms of machine time, so the crash comes some calls late.
import { describe, expect, it } from 'vitest';
import { ofKind, PLACEMENTS, runFault } from './run.js';

describe.each(PLACEMENTS)('a device that allocates, placement %s', (placement) => {
  it('keeping 8 MiB more every 1 ms against a 64 MiB limit: the machine stops, naming the device and its usage', async () => {
    const run = await runFault('faults-allocating.yaml', placement);
    expect(run.result).toMatchObject({ reason: 'crash', status: 1 });
    expect(run.result.crash?.actor).toBe('faulty');
    expect(run.result.crash?.error).toMatch(/^device "faulty" uses \d+ MiB, over its memory limit of 64 MiB \(limits\.memory in the YAML\)$/);
    const used = Number(/uses (\d+) MiB/.exec(run.result.crash!.error)![1]);
    expect(used).toBeGreaterThan(64);
    expect(used).toBeLessThan(64 + 8 * 12); // sampled every 10 ms of machine time: at most ≈10 calls late
    expect(ofKind(run, 'actor.crash')).toEqual([expect.objectContaining({ src: 'faulty', action: 'halt', error: run.result.crash!.error })]);
  });

  it('allocating as much and dropping it (garbage the GC takes back) is not held against the device', async () => {
    const run = await runFault('faults-allocating.yaml', placement, { device: { options: { retain: false } }, stopAt: 100e6 });
    expect(run.result).toMatchObject({ reason: 'for', status: 0 });
    expect(run.result.crash).toBeUndefined();
  });
});
