// on_crash: restart within a budget counted in machine time: a device that crashes at once after
// every restart (its deadline in the past) used to be restarted ~585 000 times in 10 s with
// machine time frozen; now the machine gives up after the budget and halts, naming the device.
import { describe, expect, it } from 'vitest';
import { ofKind, PLACEMENTS, runFault } from './run.js';

describe.each(PLACEMENTS)('on_crash: restart, placement %s', (placement) => {
  it('a device that throws again at once is restarted 5 times, then the machine gives up and halts, naming it', async () => {
    const run = await runFault('faults-restart-loop.yaml', placement);
    expect(run.result).toMatchObject({ reason: 'crash', status: 1 });
    expect(run.result.crash).toEqual({
      actor: 'faulty',
      error: 'device "faulty" crashed 6 times within 1s of machine time; gave up: model bug: counter underflow (on_crash allows 5 restarts within 1s)',
    });
    const crashes = ofKind(run, 'actor.crash');
    expect(crashes.map((r) => r.action)).toEqual(['restart', 'restart', 'restart', 'restart', 'restart', 'give-up']);
    expect(crashes.every((r) => r.src === 'faulty')).toBe(true);
    expect((crashes[5].t as number) - (crashes[0].t as number)).toBeLessThan(1000); // machine time all but stood still
    expect(crashes[5].message).toBe(run.result.crash?.error);
  });

  it('{ restart: 2, within: 500ms }: a crash every 300 ms of machine time is restarted each time, and the machine runs on', async () => {
    const run = await runFault('faults-throwing.yaml', placement, {
      device: { on_crash: { restart: 2, within: '500ms' }, options: { after: 300e6 } },
      stopAt: 2e9,
    });
    expect(run.result).toMatchObject({ reason: 'for', status: 0 });
    expect(run.result.crash).toBeUndefined();
    const crashes = ofKind(run, 'actor.crash');
    expect(crashes.map((r) => r.action)).toEqual(Array(6).fill('restart'));
    crashes.forEach((r, i) => expect(r.t).toBeCloseTo((i + 1) * 300e6, -3)); // each restarted core waits its 300 ms again
  });

  it('{ restart: 1, within: 1s }: the second crash within 1 s of machine time halts the machine', async () => {
    const run = await runFault('faults-throwing.yaml', placement, { device: { on_crash: { restart: 1, within: '1s' }, options: { after: 300e6 } }, stopAt: 2e9 });
    expect(run.result).toMatchObject({ reason: 'crash', status: 1 });
    expect(run.result.crash?.error).toBe(
      'device "faulty" crashed 2 times within 1s of machine time; gave up: model bug: counter underflow (on_crash allows 1 restart within 1s)',
    );
    expect(ofKind(run, 'actor.crash').map((r) => [r.action, Math.round((r.t as number) / 1e6)])).toEqual([['restart', 300], ['give-up', 600]]);
  });

  it('a create() that throws on every restart is counted too: the budget runs out, naming the device', async () => {
    const run = await runFault('faults-throwing.yaml', placement, { device: { on_crash: 'restart', options: { in: 'create' } } });
    expect(run.result).toMatchObject({ reason: 'crash', status: 1 });
    expect(run.result.crash?.error).toMatch(/^device "faulty" crashed 6 times within 1s of machine time; gave up: model bug: counter underflow/);
  });
});
