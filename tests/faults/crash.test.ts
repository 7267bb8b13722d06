// A device model that throws stops the machine (on_crash: halt), and the crash names the device
// and what it threw — on a worker and inline in the CPU's thread alike, wherever it threw.
// Workers run compiled code: build first (npm test does).
import { describe, expect, it } from 'vitest';
import { ofKind, PLACEMENTS, runFault } from './run.js';

describe.each(PLACEMENTS)('a device that throws, placement %s', (placement) => {
  it('advance() throws: the machine stops with status 1, the crash names the device and its error', async () => {
    const run = await runFault('faults-throwing.yaml', placement);
    expect(run.result).toMatchObject({ reason: 'crash', status: 1 });
    expect(run.result.crash).toEqual({ actor: 'faulty', error: 'device "faulty" crashed: model bug: counter underflow' });
    expect(ofKind(run, 'actor.crash')).toEqual([expect.objectContaining({ src: 'faulty', t: 1e6, actor: 'faulty', error: 'Error: model bug: counter underflow', action: 'halt' })]);
  });

  it.each([
    ['bigint', 'threw 10n (a BigInt) instead of an Error'],
    ['undefined', 'threw undefined instead of an Error'],
    ['string', 'threw the string "a string, not an Error" instead of an Error'],
    ['null-object', 'threw an object instead of an Error'],
    ['huge', `device "faulty" crashed: ${'x'.repeat(300)}…`],
  ])('a throw of %s is the device\'s crash, described', async (throws, error) => {
    const run = await runFault('faults-throwing.yaml', placement, { device: { options: { throws } } });
    expect(run.result).toMatchObject({ reason: 'crash', status: 1 });
    expect(run.result.crash?.actor).toBe('faulty');
    expect(run.result.crash?.error).toContain(error);
    expect(ofKind(run, 'actor.crash')).toHaveLength(1);
  });

  it('module.create() throws: the first request reports it as the device\'s crash', async () => {
    const run = await runFault('faults-throwing.yaml', placement, { device: { options: { in: 'create' } } });
    expect(run.result).toMatchObject({ reason: 'crash', status: 1 });
    expect(run.result.crash).toEqual({ actor: 'faulty', error: 'device "faulty" crashed: model bug: counter underflow' });
  });

  it('create() throws a BigInt: still the device\'s crash', async () => {
    const run = await runFault('faults-throwing.yaml', placement, { device: { options: { in: 'create', throws: 'bigint' } } });
    expect(run.result.crash).toEqual({ actor: 'faulty', error: 'device "faulty" crashed: threw 10n (a BigInt) instead of an Error' });
  });

  it('flush() throws when the machine stops: the run ends as the device\'s crash, not a clean stop', async () => {
    const run = await runFault('faults-throwing.yaml', placement, { device: { options: { in: 'flush' } }, stopAt: 5e6 });
    expect(run.result).toMatchObject({ reason: 'crash', status: 1 });
    expect(run.result.crash?.actor).toBe('faulty');
    expect(run.result.crash?.error).toContain('model bug: counter underflow');
  });

  it('a throw inside ctx.trace() (a field that cannot be read): the device\'s crash', async () => {
    const run = await runFault('faults-throwing.yaml', placement, { device: { options: { in: 'trace' } } });
    expect(run.result).toMatchObject({ reason: 'crash', status: 1 });
    expect(run.result.crash).toEqual({ actor: 'faulty', error: 'device "faulty" crashed: model bug: counter underflow' });
  });

  it('setInput() throws on the first edge of a wire into it: the crash names the device, not the one driving the wire', async () => {
    const wired = await runFault('faults-throwing-wired.yaml', placement, { device: { options: { in: 'set-input' } } });
    expect(wired.result).toMatchObject({ reason: 'crash', status: 1 });
    expect(wired.result.crash).toEqual({ actor: 'faulty', error: 'device "faulty" crashed: model bug: counter underflow' });
  });
});

describe('a device that throws, sharing a worker with another device (placement: { worker: GROUP })', () => {
  it('the crash names the device that threw, not only its worker', async () => {
    const group = { worker: 'shared' };
    const run = await runFault('faults-throwing.yaml', group, { others: { kbd: { placement: group } } });
    expect(run.result).toMatchObject({ reason: 'crash', status: 1 });
    expect(run.result.crash?.actor).toContain('faulty');
    expect(run.result.crash?.error).toBe('device "faulty" crashed: model bug: counter underflow');
  });
});
