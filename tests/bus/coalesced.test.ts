// Nothing merged silently (issue 10 item 4), through the real router and device shell: a PIT
// advanced several periods late (a realtime host that fell behind) shows one edge on its wire; the
// rest become one irq.coalesced record on that wire, named as irq.level names it, and the running
// total in the control block (C_COALESCED, the status line's counter).
import { describe, expect, it } from 'vitest';
import { C_COALESCED } from '../../bus/control.js';
import type { DecodedRecord } from '../../bus/trace-ring.js';
import { timeOfTick } from '../../devices/i8254/clock.js';
import { IrqStats } from '../../machine/analysis/irq-stats.js';
import { busRig } from '../support/bus-rig.js';

const N = 100; // PIT count: a period of 100 clocks

function rig() {
  const r = busRig([{ name: 'pit', module: 'i8254' }, { name: 'pic1', module: 'i8259' }], ['pit.out0 -> pic1.ir0']);
  r.bus.prime(0);
  r.bus.out(0x43, 1, 0x34, 0); // channel 0, LSB/MSB, mode 2
  r.bus.out(0x40, 1, N & 0xff, 0);
  r.bus.out(0x40, 1, N >> 8, 0);
  // On time through the first period.
  r.bus.advanceThrough(timeOfTick(1 + N));
  r.traces();
  return r;
}

const fieldsOf = (r: DecodedRecord): Record<string, unknown> => {
  const { v: _v, t: _t, seq: _s, kind: _k, src: _src, ...fields } = r as unknown as Record<string, unknown>;
  return (fields.fields as Record<string, unknown> | undefined) ?? fields;
};

describe('irq.coalesced through the bus', () => {
  it('a PIT advanced 5 periods late raises pic1.ir0 once and reports 4 edges coalesced on that line', () => {
    const r = rig();
    const late = timeOfTick(1 + 6 * N);
    r.bus.advanceDue(late);
    const records = r.traces();
    const rises = records.filter((x) => x.kind === 'irq.level' && fieldsOf(x).line === 'pic1.ir0' && fieldsOf(x).state === 1);
    const coalesced = records.filter((x) => x.kind === 'irq.coalesced');
    expect(rises).toHaveLength(1);
    expect(coalesced.map((x) => ({ src: x.src, t: x.t, ...fieldsOf(x) }))).toEqual([{ src: 'pit', t: late, line: 'pic1.ir0', count: 4, output: 'pit.out0' }]);
    expect(r.control.coalesced).toBe(4);
    expect(Atomics.load(r.control.i32, C_COALESCED)).toBe(4);
  });

  it('the control block keeps a running total across late advances', () => {
    const r = rig();
    r.bus.advanceDue(timeOfTick(1 + 4 * N)); // 3 periods: 2 lost
    r.bus.advanceDue(timeOfTick(1 + 14 * N)); // 10 more: 9 lost
    expect(r.traces().filter((x) => x.kind === 'irq.coalesced').map((x) => fieldsOf(x).count)).toEqual([2, 9]);
    expect(r.control.coalesced).toBe(11);
  });

  it('an output wired to two inputs (as the PIT to the 8259 and the I/O APIC): a record per wire, its edges counted once', () => {
    const r = busRig([{ name: 'pit', module: 'i8254' }, { name: 'pic1', module: 'i8259' }, { name: 'pic2', module: 'i8259', ports: { io: 0xa0, elcr: 0x4d1 } }], ['pit.out0 -> pic1.ir0', 'pit.out0 -> pic2.ir2']);
    r.bus.prime(0);
    r.bus.out(0x43, 1, 0x34, 0);
    r.bus.out(0x40, 1, N & 0xff, 0);
    r.bus.out(0x40, 1, N >> 8, 0);
    r.bus.advanceThrough(timeOfTick(1 + N));
    r.traces();
    r.bus.advanceDue(timeOfTick(1 + 6 * N));
    const records = r.traces();
    const coalesced = records.filter((x) => x.kind === 'irq.coalesced').map((x) => fieldsOf(x));
    expect(coalesced).toEqual([{ line: 'pic1.ir0', count: 4, output: 'pit.out0' }, { line: 'pic2.ir2', count: 4, output: 'pit.out0' }]);
    expect(r.control.coalesced).toBe(4);
    const stats = new IrqStats();
    for (const x of records) stats.add({ v: 2, t: x.t, seq: x.seq, kind: x.kind, src: x.src, ...fieldsOf(x) } as never);
    const report = stats.report();
    expect(report.coalescedTotal).toBe(4);
    expect(report.lines.filter((l) => l.coalesced === 4).map((l) => l.line)).toEqual(['pic1.ir0', 'pic2.ir2']);
  });

  it('deadlines served on time (virtual time) never coalesce', () => {
    const r = rig();
    r.bus.advanceThrough(timeOfTick(1 + 200 * N));
    const records = r.traces();
    expect(records.filter((x) => x.kind === 'irq.coalesced')).toEqual([]);
    expect(records.filter((x) => x.kind === 'irq.level' && fieldsOf(x).state === 1)).toHaveLength(199);
    expect(r.control.coalesced).toBe(0);
  });
});
