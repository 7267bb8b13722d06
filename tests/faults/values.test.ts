// A device model that returns nonsense does not stop the machine: a read value is cut to the
// access width (an integer) or reads as all ones, the floating bus (anything else); a level other
// than 0/1 or a pin the device lacks is ignored; a deadline that is no number means none. Each is
// traced once per device as device.bad_value, naming the device and the value.
import { describe, expect, it } from 'vitest';
import { ofKind, PLACEMENTS, runFault } from './run.js';

const READS = [
  ['inb 0x2f0', 'OK 0x78'], // 0x12345678, cut to a byte
  ['inw 0x2f0', 'OK 0x5678'],
  ['inl 0x2f0', 'OK 0x12345678'],
  ['inb 0x2f1', 'OK 0xff'], // -1
  ['inw 0x2f1', 'OK 0xffff'],
  ['inl 0x2f1', 'OK 0xffffffff'],
  ['inb 0x2f2', 'OK 0x00'], // 2^40: an integer, cut to the width
  ['inl 0x2f2', 'OK 0x00000000'],
  ['inb 0x2f3', 'OK 0xff'], // NaN
  ['inl 0x2f4', 'OK 0xffffffff'], // "abc"
  ['inb 0x2f5', 'OK 0xff'], // 10n
  ['inw 0x2f5', 'OK 0xffff'],
  ['inb 0x2f6', 'OK 0xff'], // undefined
  ['inb 0x2f7', 'OK 0xff'], // 1.5
] as const;

describe.each(PLACEMENTS)('a device that returns garbage, placement %s', (placement) => {
  it('reads are cut to the access width; a non-integer reads as all ones; the machine carries on', async () => {
    const run = await runFault('faults-garbage.yaml', placement, { qtest: READS.map(([cmd]) => cmd) });
    expect(run.replies).toEqual(READS.map(([, reply]) => reply));
    expect(run.result).toMatchObject({ reason: 'stop', status: 0 });
    expect(run.result.crash).toBeUndefined();
    expect(ofKind(run, 'device.bad_value')).toEqual([
      expect.objectContaining({ src: 'faulty', device: 'faulty', op: 'read', value: 'NaN (not an integer)', outcome: 'reads as all ones (floating bus)' }),
    ]);
  });

  it.each([
    ['none', 'undefined'],
    ['string', 'the string "1000000"'],
    ['nan', 'NaN (not an integer)'],
    ['bigint', '10n (a BigInt)'],
    ['object', 'an object'],
  ])('a deadline that is %s means no deadline, traced once; the machine runs on', async (deadline, value) => {
    const run = await runFault('faults-garbage.yaml', placement, { device: { options: { deadline } }, stopAt: 30e6 });
    expect(run.result).toMatchObject({ reason: 'for', status: 0 });
    expect(run.result.crash).toBeUndefined();
    expect(ofKind(run, 'device.bad_value')).toEqual([expect.objectContaining({ src: 'faulty', op: 'deadline', value, outcome: 'taken as no deadline' })]);
  });

  it('output levels other than 0/1 and a pin it lacks are ignored, traced once each; a proper level goes through', async () => {
    const run = await runFault('faults-garbage.yaml', placement, { device: { options: { levels: true } }, stopAt: 30e6 });
    expect(run.result).toMatchObject({ reason: 'for', status: 0 });
    expect(ofKind(run, 'device.bad_value').map((r) => [r.op, r.value])).toEqual([['setOutput level', '2'], ['setOutput pin', '3']]);
    expect(ofKind(run, 'irq.level').filter((r) => r.src === 'faulty').map((r) => r.state)).toEqual([1]);
  });
});
