import { describe, expect, it } from 'vitest';
import { floatingBus, PortConflictError, PortMap, PortRangeError, type PortClaim } from '../../bus/ports.js';

const claim = (device: string, base: number, size: number, extra: Partial<PortClaim> = {}): PortClaim => ({
  device, region: 'io', regionIndex: 0, base, size, widths: [1], ...extra,
});

describe('port map', () => {
  it('decodes every port of a region to its claim, region-relative', () => {
    const map = new PortMap([claim('pic1', 0x20, 2), claim('pit', 0x40, 4)]);
    expect(map.claimAt(0x21)?.device).toBe('pic1');
    expect(0x43 - map.claimAt(0x43)!.base).toBe(3);
    expect(map.lookup(0x44)).toBe(-1);
  });

  it('rejects overlapping ranges naming both claims and the first shared port', () => {
    expect(() => new PortMap([claim('a', 0x20, 4), claim('b', 0x22, 2)])).toThrowError(PortConflictError);
    try {
      new PortMap([claim('a', 0x20, 4), claim('b', 0x22, 2)]);
    } catch (e) {
      const err = e as PortConflictError;
      expect([err.first.device, err.second.device, err.port]).toEqual(['a', 'b', 0x22]);
      expect(err.message).toContain('0x22-0x23 of b.io overlap 0x20-0x23 of a.io');
    }
  });

  it('rejects a range that runs past port 0xffff', () => {
    expect(() => new PortMap([claim('a', 0xfffe, 4)])).toThrowError(PortRangeError);
  });

  it('names registers by offset and direction (the v86 port table)', () => {
    const map = new PortMap([claim('pic1', 0x20, 2, { names: { read: ['IRR/ISR', 'IMR'], write: ['ICW1/OCW2/OCW3', 'OCW1'] } })]);
    expect(map.registerName(0x20, true)).toBe('ICW1/OCW2/OCW3');
    expect(map.registerName(0x21, false)).toBe('IMR');
    expect(map.registerName(0x80, true)).toBe('POST');
    expect(map.registerName(0x1234, false)).toBe('unclaimed');
  });

  it('an undriven bus reads all ones of the access width', () => {
    expect([floatingBus(1), floatingBus(2), floatingBus(4)]).toEqual([0xff, 0xffff, 0xffffffff]);
  });
});
