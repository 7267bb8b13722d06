// The port map: which device region answers each of the 65 536 x86 I/O ports.
// Built once from the machine spec; lookups are one typed-array read (v86's port table).
import type { AccessSize, RegionSpec } from './device.js';

/** Port 0x80 is the POST diagnostic port: writes are accepted and dropped, silently. */
export const POST_PORT = 0x80;
export const PORT_COUNT = 0x10000;

/** One device region placed at a base port. */
export interface PortClaim {
  readonly device: string;
  readonly region: string;
  /** Index of the region in the device module's `regions`. */
  readonly regionIndex: number;
  readonly base: number;
  readonly size: number;
  readonly widths: readonly AccessSize[];
  readonly names?: RegionSpec['names'];
}

export class PortConflictError extends Error {
  constructor(readonly first: PortClaim, readonly second: PortClaim, readonly port: number) {
    super(
      `ports ${fmtRange(second)} of ${second.device}.${second.region} overlap ` +
        `${fmtRange(first)} of ${first.device}.${first.region} (port ${hex(port)})`,
    );
  }
}

export class PortRangeError extends Error {
  constructor(readonly claim: PortClaim) {
    super(`ports ${fmtRange(claim)} of ${claim.device}.${claim.region} run past 0xffff`);
  }
}

export function hex(n: number, width = 0): string {
  return '0x' + n.toString(16).padStart(width, '0');
}

export function fmtRange(c: { base: number; size: number }): string {
  return c.size === 1 ? hex(c.base) : `${hex(c.base)}-${hex(c.base + c.size - 1)}`;
}

export class PortMap {
  /** claim index per port, -1 when unclaimed. */
  private readonly owner = new Int32Array(PORT_COUNT).fill(-1);

  constructor(readonly claims: readonly PortClaim[]) {
    claims.forEach((claim, index) => {
      if (claim.base < 0 || claim.size < 1 || claim.base + claim.size > PORT_COUNT) throw new PortRangeError(claim);
      for (let p = claim.base; p < claim.base + claim.size; p++) {
        const prior = this.owner[p];
        if (prior >= 0) throw new PortConflictError(claims[prior], claim, p);
        this.owner[p] = index;
      }
    });
  }

  /** Claim index answering `port`, or -1. */
  lookup(port: number): number {
    return this.owner[port & 0xffff];
  }

  claimAt(port: number): PortClaim | undefined {
    const i = this.owner[port & 0xffff];
    return i < 0 ? undefined : this.claims[i];
  }

  /** Debug name of the register at `port` ("ICW1/OCW2/OCW3"), or the region name. */
  registerName(port: number, write: boolean): string {
    const claim = this.claimAt(port);
    if (!claim) return port === POST_PORT ? 'POST' : 'unclaimed';
    const names = write ? claim.names?.write : claim.names?.read;
    return names?.[port - claim.base] ?? `${claim.region}+${port - claim.base}`;
  }
}

/** The value an unclaimed port reads: all ones of the access width (an undriven ISA bus). */
export function floatingBus(size: AccessSize): number {
  return size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff;
}
