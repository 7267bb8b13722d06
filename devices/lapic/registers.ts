// The local APIC's register page (Intel SDM vol. 3A §11.4.1, table 11-1): 32-bit registers on
// 16-byte boundaries in a 4 KiB page at 0xFEE00000, and the bit layouts of the LVT entries
// (figure 11-8), the spurious-interrupt vector register (figure 11-23), the error status register
// (figure 11-9) and the divide configuration register (figure 11-10).

/** Register offsets (bytes from the page base). */
export const REG = {
  ID: 0x020,
  VERSION: 0x030,
  TPR: 0x080,
  APR: 0x090,
  PPR: 0x0a0,
  EOI: 0x0b0,
  RRD: 0x0c0,
  LDR: 0x0d0,
  DFR: 0x0e0,
  SVR: 0x0f0,
  ISR: 0x100, // 8 registers, vectors 0-31 first
  TMR: 0x180,
  IRR: 0x200,
  ESR: 0x280,
  ICR_LOW: 0x300,
  ICR_HIGH: 0x310,
  LVT_TIMER: 0x320,
  LVT_THERMAL: 0x330,
  LVT_PERF: 0x340,
  LVT_LINT0: 0x350,
  LVT_LINT1: 0x360,
  LVT_ERROR: 0x370,
  INITIAL_COUNT: 0x380,
  CURRENT_COUNT: 0x390,
  DIVIDE: 0x3e0,
} as const;

/** LVT entries in state order: lvt[i] is the register at LVT_TIMER + 0x10 * i. */
export const LVT = { TIMER: 0, THERMAL: 1, PERF: 2, LINT0: 3, LINT1: 4, ERROR: 5 } as const;
export const LVT_COUNT = 6;

/**
 * Version register: version 0x14 (an integrated xAPIC, as QEMU reports), max LVT entry 5 (six
 * entries: timer, thermal, performance, LINT0, LINT1, error), no EOI-broadcast suppression.
 */
export const VERSION_VALUE = 0x00050014;

/** LVT bits (figure 11-8). */
export const LVT_VECTOR = 0xff;
export const LVT_MODE_SHIFT = 8;
export const LVT_DELIVERY_STATUS = 1 << 12;
export const LVT_POLARITY_LOW = 1 << 13;
export const LVT_REMOTE_IRR = 1 << 14;
export const LVT_LEVEL = 1 << 15;
export const LVT_MASKED = 1 << 16;
export const TIMER_MODE_SHIFT = 17;
export const TIMER_MODE = { ONE_SHOT: 0, PERIODIC: 1, TSC_DEADLINE: 2 } as const;

/** Bits software may write, per LVT entry (the rest read as 0, or are status bits the APIC keeps). */
export const LVT_WRITABLE = [
  0x000700ff, // timer: vector, mask, timer mode
  0x000107ff, // thermal: vector, delivery mode, mask
  0x000107ff, // performance counters
  0x0001a7ff, // LINT0: vector, delivery mode, polarity, trigger mode, mask
  0x0001a7ff, // LINT1
  0x000100ff, // error: vector, mask
] as const;

/** The SDM's reset value of an LVT entry: masked, everything else 0. */
export const LVT_RESET = LVT_MASKED;
/** LINT0 programmed for virtual wire mode: ExtINT, edge, unmasked (SeaBIOS's set-up; QEMU's reset value on CPU 0). */
export const LINT0_VIRTUAL_WIRE = 0x700;

/** Spurious-interrupt vector register (figure 11-23): vector, APIC software enable, focus processor checking. */
export const SVR_VECTOR = 0xff;
export const SVR_ENABLE = 1 << 8;
export const SVR_FOCUS_DISABLED = 1 << 9;
export const SVR_WRITABLE = 0x3ff;
export const SVR_RESET = 0xff;

/** Error status register bits (figure 11-9). */
export const ESR = {
  SEND_ILLEGAL_VECTOR: 1 << 5,
  RECEIVE_ILLEGAL_VECTOR: 1 << 6,
  ILLEGAL_REGISTER: 1 << 7,
} as const;

/** ICR low word (figure 11-12): vector, delivery mode, destination mode, delivery status, level, trigger, shorthand. */
export const ICR_LOW_WRITABLE = 0x000ccfff;
export const ICR_SHORTHAND_SHIFT = 18;
export const SHORTHAND = { NONE: 0, SELF: 1, ALL: 2, OTHERS: 3 } as const;

/** Divide configuration (figure 11-10): bits 0, 1 and 3 select ÷2, ÷4, … ÷128, ÷1. */
export const DIVIDE_WRITABLE = 0x0b;
export function divisor(dcr: number): number {
  const code = ((dcr >> 1) & 4) | (dcr & 3);
  return code === 7 ? 1 : 2 << code;
}

/** LDR: logical APIC ID in bits 24-31. DFR: model in bits 28-31 (1111 flat, 0000 cluster), the rest reads 1. */
export const LDR_WRITABLE = 0xff000000;
export const DFR_WRITABLE = 0xf0000000;
export const DFR_RESET = 0xffffffff;

/** Register names by offset, for mmio.read / mmio.write traces. */
export const REGISTER_NAMES: Readonly<Record<number, string>> = (() => {
  const names: Record<number, string> = {};
  for (const [name, offset] of Object.entries(REG)) names[offset] = name;
  for (let i = 0; i < 8; i++) {
    names[REG.ISR + 0x10 * i] = `ISR${i}`;
    names[REG.TMR + 0x10 * i] = `TMR${i}`;
    names[REG.IRR + 0x10 * i] = `IRR${i}`;
  }
  return names;
})();
