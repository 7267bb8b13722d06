// A device that asks the machine to exit ends the run with its status, named in the message.
import { describe, expect, it } from 'vitest';
import { ofKind, PLACEMENTS, runFault } from './run.js';

describe.each(PLACEMENTS)('a device that requests exit, placement %s', (placement) => {
  it('the machine stops with reason exit and the device\'s status, naming the device', async () => {
    const run = await runFault('faults-exiting.yaml', placement);
    expect(run.result).toMatchObject({ reason: 'exit', status: 3 });
    expect(run.result.crash).toBeUndefined();
    expect(run.result.cpu?.message).toBe('faulty requested exit with 3');
    expect(run.result.cpu?.now).toBe(1e6);
  });

  it('a status that is not an integer is a model bug: traced, and the machine exits with status 1', async () => {
    const run = await runFault('faults-exiting.yaml', placement, { device: { options: { status: 'nan' } } });
    expect(run.result).toMatchObject({ reason: 'exit', status: 1 });
    expect(ofKind(run, 'device.bad_value')).toEqual([expect.objectContaining({ src: 'faulty', op: 'exit status', value: 'NaN (not an integer)' })]);
  });
});
