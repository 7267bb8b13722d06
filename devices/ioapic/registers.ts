// The 82093AA I/O APIC's registers (Intel 82093AA datasheet, §3): two memory-mapped dwords —
// IOREGSEL at base + 0x00 selects an indirect register, IOWIN at base + 0x10 reads/writes it —
// and the indirect registers behind them (§3.2): ID, version, arbitration, 24 redirection entries.

/** Offsets in the MMIO region. */
export const IOREGSEL = 0x00;
export const IOWIN = 0x10;
export const REGION_BYTES = 0x20;

/** Indirect register indices (IOREGSEL values). */
export const IND = {
  ID: 0x00,
  VERSION: 0x01,
  ARBITRATION: 0x02,
  /** Redirection entry n: low dword at 0x10 + 2n, high dword at 0x11 + 2n. */
  REDIR: 0x10,
} as const;

export const PINS = 24;
/** IOAPICVER: version 0x11, maximum redirection entry 0x17 (24 entries) in bits 16-23. */
export const VERSION_VALUE = ((PINS - 1) << 16) | 0x11;
/** IOAPICID / IOAPICARB: a 4-bit ID in bits 24-27. */
export const ID_MASK = 0x0f000000;

/** Redirection entry, low dword (§3.2.4). */
export const RTE_VECTOR = 0xff;
export const RTE_MODE_SHIFT = 8;
export const RTE_LOGICAL = 1 << 11;
export const RTE_DELIVERY_STATUS = 1 << 12;
export const RTE_POLARITY_LOW = 1 << 13;
export const RTE_REMOTE_IRR = 1 << 14;
export const RTE_LEVEL = 1 << 15;
export const RTE_MASKED = 1 << 16;
/** Bits software writes in the low dword: vector, delivery mode, destination mode, polarity, trigger, mask. */
export const RTE_LOW_WRITABLE = 0x0001afff;
/** High dword: the destination in bits 24-31 (bits 56-63 of the entry). */
export const RTE_HIGH_WRITABLE = 0xff000000;

export const REGISTER_NAMES: Readonly<Record<number, string>> = { [IOREGSEL]: 'IOREGSEL', [IOWIN]: 'IOWIN' };
