// CPU exceptions as the hardware numbers them. A fault raised inside an instruction is thrown as
// a CpuFault and caught by the CPU, which delivers it through the IDT (or escalates it to a
// double or triple fault by the rules of AMD64 §8.2.9).

export const Vector = {
  DE: 0, // divide error
  DB: 1,
  NMI: 2,
  BP: 3, // breakpoint (trap)
  OF: 4,
  BR: 5,
  UD: 6, // invalid opcode
  NM: 7,
  DF: 8, // double fault (error code 0)
  TS: 10, // invalid TSS
  NP: 11, // segment not present
  SS: 12, // stack-segment fault
  GP: 13, // general protection
  PF: 14, // page fault (CR2 = address)
  MF: 16,
  AC: 17,
  MC: 18,
  XM: 19,
} as const;

export const VECTOR_NAMES: Readonly<Record<number, string>> = {
  0: '#DE divide error', 1: '#DB debug', 2: 'NMI', 3: '#BP breakpoint', 4: '#OF overflow', 5: '#BR bound range',
  6: '#UD invalid opcode', 7: '#NM device not available', 8: '#DF double fault', 10: '#TS invalid TSS',
  11: '#NP segment not present', 12: '#SS stack-segment fault', 13: '#GP general protection', 14: '#PF page fault',
  16: '#MF x87 error', 17: '#AC alignment check', 18: '#MC machine check', 19: '#XM SIMD error',
};

/** Exceptions that push an error code. */
export function hasErrorCode(vector: number): boolean {
  return vector === 8 || (vector >= 10 && vector <= 14) || vector === 17;
}

/** Page-fault error code bits. */
export const PF_PRESENT = 1 << 0; // 1: protection violation; 0: page not present
export const PF_WRITE = 1 << 1;
export const PF_USER = 1 << 2;
export const PF_RESERVED = 1 << 3;
export const PF_FETCH = 1 << 4; // instruction fetch

/** Selector error code for faults on IDT entries: index << 3 | IDT bit (2) | EXT (1). */
export function idtErrorCode(vector: number, external: boolean): number {
  return (vector << 3) | 2 | (external ? 1 : 0);
}

export class CpuFault extends Error {
  constructor(readonly vector: number, readonly errorCode = 0, readonly cr2?: number) {
    super(`${VECTOR_NAMES[vector] ?? `vector 0x${vector.toString(16)}`}${hasErrorCode(vector) ? ` (error code 0x${errorCode.toString(16)})` : ''}${cr2 !== undefined ? ` at 0x${cr2.toString(16)}` : ''}`);
  }
}

/** Exception classes for the double-fault rules. */
export function faultClass(vector: number): 'benign' | 'contributory' | 'page' | 'double' {
  if (vector === Vector.PF) return 'page';
  if (vector === Vector.DF) return 'double';
  if (vector === Vector.DE || vector === Vector.TS || vector === Vector.NP || vector === Vector.SS || vector === Vector.GP) return 'contributory';
  return 'benign';
}

/** AMD64 §8.2.9: does a second exception during delivery of the first make a double fault? */
export function isDoubleFault(first: number, second: number): boolean {
  const a = faultClass(first);
  const b = faultClass(second);
  if (a === 'contributory') return b === 'contributory';
  if (a === 'page') return b === 'page' || b === 'contributory';
  return false;
}
