import { describe, expect, it } from 'vitest';
import { CASCADE, defineDevice, type DeviceCore } from '../../bus/device.js';
import { busRig } from '../support/bus-rig.js';

/** A latch: region "io" of 4 byte-wide registers; 16-bit region "wide". Output "out" follows reg 0 bit 0. */
const latch = defineDevice({
  kind: 'latch',
  title: 'test latch',
  regions: [
    { name: 'io', size: 4, base: 0x100, names: { read: ['R0', 'R1', 'R2', 'R3'], write: ['W0', 'W1', 'W2', 'W3'] } },
    { name: 'wide', size: 2, base: 0x200, widths: [1, 2] },
  ],
  inputs: ['in'],
  outputs: ['out'],
  create(ctx): DeviceCore {
    const regs = [0, 0, 0, 0];
    let wide = 0;
    let input = 0;
    return {
      read: (region, offset, size) => (region === 0 ? regs[offset] : size === 2 ? wide : (wide >> (8 * offset)) & 0xff),
      write(region, offset, size, value) {
        if (region === 1) wide = size === 2 ? value : offset ? (wide & 0xff) | (value << 8) : (wide & 0xff00) | value;
        else regs[offset] = value;
        ctx.setOutput(0, (regs[0] & 1) as 0 | 1);
      },
      setInput(_pin, level) { input = level; regs[3] = level; },
      snapshot: () => ({ version: 1, regs, wide, input }),
      restore() {},
    };
  },
});

/** An interrupt controller that answers INTA with a vector, or cascades on input 2. */
const ctrl = (vector: number, cascade = false) =>
  defineDevice({
    kind: 'ctrl',
    title: 'test controller',
    regions: [{ name: 'io', size: 1, base: 0x300 }],
    inputs: ['ir0', 'ir1', 'ir2'],
    outputs: ['int'],
    create(ctx): DeviceCore {
      return {
        read: () => 0,
        write: () => {},
        setInput(_pin, level) { ctx.setOutput(0, level); },
        acknowledge: () => (cascade ? CASCADE + 2 : vector),
        snapshot: () => ({ version: 1 }),
        restore() {},
      };
    },
  });

describe('bus router', () => {
  it('unclaimed ports read all ones of the access width and drop writes', () => {
    const { bus } = busRig([]);
    expect(bus.in(0x1234, 1, 0)).toBe(0xff);
    expect(bus.in(0x1234, 2, 0)).toBe(0xffff);
    expect(bus.in(0x1234, 4, 0)).toBe(0xffffffff);
    bus.out(0x1234, 1, 0x55, 0);
    expect(bus.in(0x1234, 1, 0)).toBe(0xff);
  });

  it('unclaimed ports are counted per port and traced once per port', () => {
    const rig = busRig([]);
    rig.bus.in(0x300, 1, 10);
    rig.bus.in(0x300, 1, 20);
    rig.bus.out(0x300, 1, 1, 30);
    rig.bus.out(0x301, 2, 1, 40);
    const unclaimed = rig.traces().filter((r) => r.kind === 'io.unclaimed');
    expect(unclaimed.map((r) => [r.port, r.dir])).toEqual([[0x300, 'read'], [0x301, 'write']]);
    expect(rig.bus.unclaimedTable()).toEqual([{ port: 0x300, reads: 2, writes: 1 }, { port: 0x301, reads: 0, writes: 1 }]);
  });

  it('port 0x80 (POST) accepts writes silently', () => {
    const rig = busRig([]);
    rig.bus.out(0x80, 1, 0, 0);
    expect(rig.traces()).toEqual([]);
    expect(rig.bus.unclaimedTable()).toEqual([]);
  });

  it('decodes ports region-relative and traces io.read/io.write with device and register names', () => {
    const rig = busRig([{ name: 'l', module: latch }]);
    rig.bus.out(0x102, 1, 0x5a, 7);
    expect(rig.bus.in(0x102, 1, 8)).toBe(0x5a);
    const io = rig.traces().filter((r) => r.kind.startsWith('io.'));
    expect(io.map(({ seq: _seq, ...r }) => r)).toEqual([
      { v: 2, src: 'cpu', kind: 'io.write', t: 7, port: 0x102, size: 1, value: 0x5a, device: 'l', reg: 'W2' },
      { v: 2, src: 'cpu', kind: 'io.read', t: 8, port: 0x102, size: 1, value: 0x5a, device: 'l', reg: 'R2' },
    ]);
  });

  it('splits a 16-bit access to a byte-wide region into two little-endian byte accesses', () => {
    const rig = busRig([{ name: 'l', module: latch }]);
    rig.bus.out(0x100, 2, 0xbeef, 0);
    expect(rig.bus.in(0x100, 1, 0)).toBe(0xef);
    expect(rig.bus.in(0x101, 1, 0)).toBe(0xbe);
    expect(rig.bus.in(0x100, 2, 0)).toBe(0xbeef);
  });

  it('passes a 16-bit access straight to a region that declares 16-bit width', () => {
    const rig = busRig([{ name: 'l', module: latch }]);
    rig.bus.out(0x200, 2, 0x1234, 0);
    expect(rig.bus.in(0x200, 2, 0)).toBe(0x1234);
    expect(rig.bus.in(0x201, 1, 0)).toBe(0x12);
  });

  it('carries an output level along a wire to the input at the other end, traced as irq.level', () => {
    const rig = busRig([{ name: 'a', module: latch }, { name: 'b', module: latch, ports: { io: 0x110, wide: 0x210 } }], ['a.out -> b.in']);
    rig.bus.out(0x100, 1, 1, 5);
    expect(rig.bus.in(0x113, 1, 6)).toBe(1);
    expect(rig.lineLevels[0]).toBe(1);
    rig.bus.out(0x100, 1, 0, 7);
    expect(rig.bus.in(0x113, 1, 8)).toBe(0);
    const levels = rig.traces().filter((r) => r.kind === 'irq.level');
    expect(levels.map((r) => [r.src, r.line, r.state, r.t])).toEqual([['a', 'b.in', 1, 5], ['a', 'b.in', 0, 7]]);
  });

  it('a repeated level is no change: no trace, no call', () => {
    const rig = busRig([{ name: 'a', module: latch }, { name: 'b', module: latch, ports: { io: 0x110, wide: 0x210 } }], ['a.out -> b.in']);
    rig.bus.out(0x100, 1, 1, 0);
    rig.bus.out(0x100, 1, 3, 0);
    expect(rig.traces().filter((r) => r.kind === 'irq.level')).toHaveLength(1);
  });

  it('drives the CPU INTR pin from the wire to cpu.intr', () => {
    const rig = busRig([{ name: 'a', module: latch }], ['a.out -> cpu.intr']);
    expect(rig.bus.intr).toBe(0);
    rig.bus.out(0x100, 1, 1, 0);
    expect(rig.bus.intr).toBe(1);
  });

  it('INTA asks the controller on INTR, and follows CASCADE to the controller driving that input', () => {
    const rig = busRig(
      [
        { name: 'master', module: ctrl(0x20, true), ports: { io: 0x300 } },
        { name: 'slave', module: ctrl(0x2b), ports: { io: 0x301 } },
      ],
      ['master.int -> cpu.intr', 'slave.int -> master.ir2'],
    );
    expect(rig.bus.acknowledge(0)).toBe(0x2b);
  });

  it('a device crash is reported with the device name', () => {
    const broken = defineDevice({
      kind: 'broken', title: 'throws', regions: [{ name: 'io', size: 1, base: 0x500 }],
      create: () => ({ read: () => { throw new Error('boom'); }, write: () => {}, snapshot: () => ({ version: 1 }), restore() {} }),
    });
    const rig = busRig([{ name: 'x', module: broken }]);
    expect(() => rig.bus.in(0x500, 1, 0)).toThrowError('device "x" crashed: boom');
    expect(rig.traces().find((r) => r.kind === 'actor.crash')).toMatchObject({ actor: 'x', error: 'Error: boom' });
  });
});
