// x86_64::registers::control::{Cr2, Cr3} and x86_64::structures::idt::PageFaultErrorCode, with the
// Debug text of crate 0.15 + bitflags 2 (`Ok(VirtAddr(0xdeadbeaf))`, `PageFaultErrorCode(CAUSED_BY_WRITE)`).
import * as isa from '../../cpu/isa.js';
import { Err, hex, Ok, PhysAddr, VirtAddr, type Debug, type Result } from './addr.js';
import { PhysFrame } from './paging.js';

export class VirtAddrNotValid implements Debug {
  constructor(readonly addr: number) {}
  debug(): string { return `VirtAddrNotValid(${hex(this.addr)})`; }
}

/** `{:?}` of a Result whose both sides have a Debug. */
export function resultDebug(r: Result<Debug, Debug>): string {
  return r.ok ? `Ok(${r.value.debug()})` : `Err(${r.error.debug()})`;
}

export const Cr2 = {
  /** Cr2::read(): the page-fault linear address; an Err if it is not canonical. */
  read(): Result<VirtAddr, VirtAddrNotValid> {
    const value = isa.readCr2();
    const addr = VirtAddr.try_new(value);
    return addr ? Ok(addr) : Err(new VirtAddrNotValid(value));
  },
};

export const Cr3 = {
  /** Cr3::read(): the level-4 table's frame and the low flag bits (PWT, PCD). */
  read(): [PhysFrame, number] {
    const value = isa.readCr3();
    const frame = PhysFrame.containing_address(PhysAddr.new(value % 2 ** 52));
    return [frame, value % 0x1000 & 0x18];
  },
};

/** PageFaultErrorCode bits in declaration order. */
const PF_BITS: ReadonlyArray<[string, number]> = [
  ['PROTECTION_VIOLATION', 0], ['CAUSED_BY_WRITE', 1], ['USER_MODE', 2], ['MALFORMED_TABLE', 3],
  ['INSTRUCTION_FETCH', 4], ['PROTECTION_KEY', 5], ['SHADOW_STACK', 6], ['HLAT', 7], ['SGX', 15], ['RMP', 31],
];

export class PageFaultErrorCode implements Debug {
  constructor(readonly bits: number) {}
  static readonly PROTECTION_VIOLATION = 1 << 0;
  static readonly CAUSED_BY_WRITE = 1 << 1;
  static readonly USER_MODE = 1 << 2;
  static readonly MALFORMED_TABLE = 1 << 3;
  static readonly INSTRUCTION_FETCH = 1 << 4;

  /** `{:?}`: named flags joined by " | ", leftover bits as 0x.., an empty code as 0x0. */
  debug(): string {
    const names: string[] = [];
    let rest = this.bits >>> 0;
    for (const [name, b] of PF_BITS) {
      const mask = 2 ** b;
      if (Math.floor(rest / mask) % 2 === 1) {
        names.push(name);
        rest -= mask;
      }
    }
    if (rest) names.push(hex(rest));
    return `PageFaultErrorCode(${names.length ? names.join(' | ') : '0x0'})`;
  }
}
