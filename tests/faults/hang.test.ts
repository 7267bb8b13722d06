// A device that never answers, or whose deadline never moves on, must not hang the machine.
// These rest on the watchdog (`watchdog: 2s` in tests/fixtures/machines/faults-looping.yaml: a device
// that does not answer one request within 2 s of host time stops the machine, either placement)
// and on the bus's stuck-deadline check — the only host-time limit in this suite.
import { describe, expect, it } from 'vitest';
import { PLACEMENTS, runFault } from './run.js';

describe.each(PLACEMENTS)('a device that hangs, placement %s', (placement) => {
  it('while(true) in advance(): the machine stops with status 1, naming the device that did not answer', async () => {
    const run = await runFault('faults-looping.yaml', placement);
    expect(run.result).toMatchObject({ reason: 'crash', status: 1 });
    expect(run.result.crash?.actor).toBe('faulty');
    expect(run.result.crash?.error).toContain('did not answer within');
  });

  it.each(['read', 'write'])('while(true) in %s(): the same, for a port access', async (where) => {
    const run = await runFault('faults-looping.yaml', placement, { device: { options: { in: where } }, qtest: [where === 'read' ? 'inb 0x2f0' : 'outb 0x2f0 0x01'] });
    expect(run.result).toMatchObject({ reason: 'crash', status: 1 });
    expect(run.result.crash?.actor).toBe('faulty');
    expect(run.result.crash?.error).toContain('did not answer within');
  });

  it('a deadline that stays in the past: the machine stops with status 1, naming the device and its deadline', async () => {
    const run = await runFault('faults-stuck-deadline.yaml', placement);
    expect(run.result).toMatchObject({ reason: 'crash', status: 1 });
    expect(run.result.crash?.actor).toBe('faulty');
    expect(run.result.crash?.error).toContain('deadline');
  });
});
