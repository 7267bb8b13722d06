// How the CPU reads the descriptor tables the kernel builds in memory (Intel SDM vol. 3 §6.14,
// §7.2.3, §3.4.5): 16-byte IDT gates, 8-byte code descriptors, 16-byte TSS descriptors, the
// 64-bit TSS. The kernel has its own writer side (kernel/x86_64/); these are the silicon's reads.

export const GATE_INTERRUPT = 0xe; // 64-bit interrupt gate: IF cleared on entry
export const GATE_TRAP = 0xf; // 64-bit trap gate: IF kept

export interface Gate {
  readonly offset: number;
  readonly selector: number;
  readonly ist: number;
  readonly type: number;
  readonly dpl: number;
  readonly present: boolean;
}

/** Decode a gate from its four little-endian dwords. */
export function decodeGate(d0: number, d1: number, d2: number): Gate {
  const options = (d1 & 0xffff) >>> 0;
  return {
    offset: (d0 & 0xffff) + (d1 >>> 16) * 0x10000 + d2 * 0x100000000,
    selector: d0 >>> 16,
    ist: options & 7,
    type: (options >> 8) & 0xf,
    dpl: (options >> 13) & 3,
    present: (options & 0x8000) !== 0,
  };
}

export interface CodeDescriptor {
  readonly present: boolean;
  /** S=1 and the executable bit. */
  readonly code: boolean;
  /** L bit: 64-bit code. */
  readonly long: boolean;
  readonly dpl: number;
}

export function decodeCodeDescriptor(lo: number, hi: number): CodeDescriptor {
  const access = (hi >>> 8) & 0xff;
  return { present: (access & 0x80) !== 0, code: (access & 0x18) === 0x18, long: (hi & (1 << 21)) !== 0, dpl: (access >> 5) & 3 };
}

export const TSS_AVAILABLE = 0x9;
export const TSS_BUSY = 0xb;

export interface SystemDescriptor {
  readonly present: boolean;
  readonly type: number;
  readonly base: number;
  readonly limit: number;
}

/** A 16-byte system descriptor (TSS): dwords 0..2 carry base and limit, type in dword 1. */
export function decodeSystemDescriptor(d0: number, d1: number, d2: number): SystemDescriptor {
  return {
    present: (d1 & 0x8000) !== 0,
    type: (d1 >>> 8) & 0xf,
    base: (d0 >>> 16) + (d1 & 0xff) * 0x10000 + (d1 >>> 24) * 0x1000000 + d2 * 0x100000000,
    limit: (d0 & 0xffff) + ((d1 >>> 16) & 0xf) * 0x10000,
  };
}

/** 64-bit TSS: IST1..IST7 at offsets 0x24 + 8·(n−1). */
export function tssIstOffset(n: number): number {
  return 0x24 + 8 * (n - 1);
}

export const TSS_MIN_LIMIT = 0x67;

/** 64-bit TSS: RSP0..RSP2 at offsets 4 + 8·n (the stacks for entering CPL n from an outer ring). */
export function tssRspOffset(n: number): number {
  return 4 + 8 * n;
}

/** 64-bit TSS: the I/O map base address (a 16-bit offset from the TSS base) is at byte 102. */
export const TSS_IOMAP_BASE = 102;

export interface SegmentDescriptor {
  readonly present: boolean;
  /** S = 1: a code or data segment (not a system descriptor). */
  readonly user: boolean;
  readonly code: boolean;
  /** Data segments: W (bit 1 of the type). */
  readonly writable: boolean;
  /** Code segments: C (bit 2 of the type). */
  readonly conforming: boolean;
  readonly long: boolean;
  readonly dpl: number;
}

/** Any 8-byte code or data descriptor (the high dword carries access byte and flags). */
export function decodeSegmentDescriptor(_lo: number, hi: number): SegmentDescriptor {
  const access = (hi >>> 8) & 0xff;
  const code = (access & 0x18) === 0x18;
  return {
    present: (access & 0x80) !== 0,
    user: (access & 0x10) !== 0,
    code,
    writable: !code && (access & 0x12) === 0x12,
    conforming: code && (access & 0x04) !== 0,
    long: (hi & (1 << 21)) !== 0,
    dpl: (access >> 5) & 3,
  };
}
