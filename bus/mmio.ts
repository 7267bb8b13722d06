// Memory-mapped I/O: physical address ranges a device answers instead of RAM. The CPU reaches
// this only for a physical address at or above installed RAM (`pa >= memory.size`, a test its
// load/store path already makes), so RAM accesses keep their fast path. A handful of claims at
// most (the local APIC, the I/O APIC): a lookup is a short scan.
//
// Access rules, the ports' with one difference: a region declares its widths (default [4]) and an
// access of another width, a misaligned one or one running past the region, is a guest error —
// the read gives all ones and the write is dropped. It is not split as a port access is: the APIC
// registers are dword registers, and the SDM leaves other accesses undefined.
import type { AccessSize, MmioRegionSpec } from './device.js';
import type { Tracer } from './control.js';
import { hex, type PortClaim } from './ports.js';

/** One device's MMIO region placed at a physical base. */
export interface MmioClaim extends Omit<PortClaim, 'names'> {
  // regionIndex: the index the core sees in read()/write(), after the module's port regions.
  readonly names?: MmioRegionSpec['names'];
  /** The endpoint (device index in spec order) that owns it. */
  readonly endpoint: number;
}

/** Physical addresses are below 2^52 (MAXPHYADDR); the CPU's physical space here is < 2^53. */
export const MMIO_LIMIT = 2 ** 52;
export const DEFAULT_MMIO_WIDTHS: readonly AccessSize[] = [4];
const PAGE = 4096;

export class MmioConflictError extends Error {
  constructor(readonly first: MmioClaim, readonly second: MmioClaim) {
    super(`MMIO ${fmtMmio(second)} of ${second.device}.${second.region} overlaps ${fmtMmio(first)} of ${first.device}.${first.region}`);
  }
}

export function fmtMmio(c: { base: number; size: number }): string {
  return `${hex(c.base)}-${hex(c.base + c.size - 1)}`;
}

/** The claims, checked for overlaps, and what the bus does with an access that hits (or misses) them. */
export class MmioMap {
  /** Pages of unclaimed accesses already reported (mmio.unclaimed is traced once per page). */
  private readonly reported = new Set<number>();

  constructor(readonly claims: readonly MmioClaim[]) {
    const sorted = [...claims].sort((a, b) => a.base - b.base);
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i].base < sorted[i - 1].base + sorted[i - 1].size) throw new MmioConflictError(sorted[i - 1], sorted[i]);
    }
  }

  /** The claim containing `pa`, or undefined. */
  claimAt(pa: number): MmioClaim | undefined {
    for (const c of this.claims) if (pa >= c.base && pa < c.base + c.size) return c;
    return undefined;
  }

  /**
   * The claim that takes this access, or undefined (then: a read gives all ones, a write goes
   * nowhere), having traced why: mmio.unclaimed (once per page) or a guest_error for the width.
   */
  decode(pa: number, size: AccessSize, write: boolean, value: number, now: number, tracer: Tracer): MmioClaim | undefined {
    const c = this.claimAt(pa);
    if (c === undefined) {
      const page = Math.floor(pa / PAGE);
      if (!this.reported.has(page)) {
        this.reported.add(page);
        tracer.emit(now, 'mmio.unclaimed', 'bus', { addr: pa, size, dir: write ? 'write' : 'read', value: write ? value : allOnes(size) });
      }
      return undefined;
    }
    const offset = pa - c.base;
    if (!c.widths.includes(size) || offset % size !== 0 || offset + size > c.size) {
      const why = !c.widths.includes(size) ? `a ${size}-byte access (the region takes ${c.widths.join('/')}-byte accesses)` : 'a misaligned access';
      tracer.emit(now, 'guest_error', 'bus', {
        message: `${c.device}.${c.region}: ${why} at ${hex(pa)}; ${write ? 'the write is dropped' : 'the read gives all ones'}`,
        addr: pa, size, device: c.device,
      });
      return undefined;
    }
    return c;
  }

  /** Debug name of the register at `pa` ("EOI"), or region+offset. */
  registerName(c: MmioClaim, pa: number): string {
    const offset = pa - c.base;
    return c.names?.[offset] ?? `${c.region}+${hex(offset)}`;
  }
}

/** What an access that reaches no device reads: all ones of its width. */
export function allOnes(size: number): number {
  return size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
}
