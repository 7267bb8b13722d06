// x86_64::addr — PhysAddr and VirtAddr with the crate's checks and Debug text (`PhysAddr(0x1000)`,
// `VirtAddr(0xdeadbeaf)`), and the small Rust vocabulary the paging types return: Result (Ok/Err)
// with `expect`, and Option as `T | undefined` with its Debug (`Some(..)` / `None`).
// Addresses are JS numbers: exact for every physical address (< 2^52) and every lower-half virtual
// address (< 2^47); an upper-half address is a double (a multiple of 4096 there).
import { panic } from '../panic.js';

export interface Debug {
  debug(): string;
}

export type Result<T, E> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };
export const Ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const Err = <E>(error: E): Result<never, E> => ({ ok: false, error });

/** `result.expect(msg)`: the value, or a panic `msg: {error:?}` at the caller's `location`. */
export function expect<T, E extends Debug>(r: Result<T, E>, msg: string, location: string): T {
  if (r.ok) return r.value;
  return panic(`${msg}: ${r.error.debug()}`, location);
}

/** `{:?}` of an Option whose value has a Debug. */
export function optionDebug(v: Debug | undefined): string {
  return v === undefined ? 'None' : `Some(${v.debug()})`;
}

export const hex = (n: number): string => `0x${n.toString(16)}`;

const TWO_47 = 2 ** 47;
const TWO_48 = 2 ** 48;
const TWO_52 = 2 ** 52;
const TWO_64 = 2 ** 64;
const UPPER_HALF = TWO_64 - TWO_47;

/** The 48 significant bits of a canonical address, or -1 if it is not canonical. */
function canonical48(addr: number): number {
  if (addr >= 0 && addr < TWO_47) return addr;
  if (addr >= UPPER_HALF && addr < TWO_64) return addr - (TWO_64 - TWO_48);
  return -1;
}

/** Align `n` down to a power-of-two `align` (exact for doubles: no 32-bit bit operations). */
export function alignDown(n: number, align: number): number {
  return n - (n % align);
}

export class PhysAddr implements Debug {
  private constructor(private readonly value: number) {}

  /** PhysAddr::new: bits 52..64 must be clear. */
  static new(addr: number): PhysAddr {
    if (!Number.isInteger(addr) || addr < 0 || addr >= TWO_52) {
      return panic(`physical addresses must not have any bits in the range 52 to 64 set: PhysAddrNotValid(${hex(addr)})`, 'x86_64/src/addr.rs:600:42');
    }
    return new PhysAddr(addr);
  }

  as_u64(): number { return this.value; }
  is_aligned(align: number): boolean { return this.value % align === 0; }
  align_down(align: number): PhysAddr { return new PhysAddr(alignDown(this.value, align)); }
  add(offset: number): PhysAddr { return PhysAddr.new(this.value + offset); }
  equals(other: PhysAddr): boolean { return this.value === other.value; }
  debug(): string { return `PhysAddr(${hex(this.value)})`; }
  toString(): string { return this.debug(); }
}

export class VirtAddr implements Debug {
  private constructor(private readonly value: number) {}

  /** VirtAddr::new: the address must be canonical (bits 48..64 a copy of bit 47). */
  static new(addr: number): VirtAddr {
    if (!Number.isInteger(addr) || canonical48(addr) < 0) {
      return panic(`address passed to VirtAddr::new must not contain any data in bits 48 to 64: VirtAddrNotValid(${hex(addr)})`, 'x86_64/src/addr.rs:95:42');
    }
    return new VirtAddr(addr);
  }

  /** VirtAddr::try_new: undefined for a non-canonical address. */
  static try_new(addr: number): VirtAddr | undefined {
    return Number.isInteger(addr) && canonical48(addr) >= 0 ? new VirtAddr(addr) : undefined;
  }

  as_u64(): number { return this.value; }
  is_aligned(align: number): boolean { return canonical48(this.value) % align === 0; }
  align_down(align: number): VirtAddr { return VirtAddr.new(this.value - (canonical48(this.value) % align)); }
  add(offset: number): VirtAddr { return VirtAddr.new(this.value + offset); }
  equals(other: VirtAddr): boolean { return this.value === other.value; }

  /** Bits 0..11. */
  page_offset(): number { return canonical48(this.value) % 4096; }
  /** The 9-bit table index of `level` (4 = bits 39..47 … 1 = bits 12..20). */
  page_table_index(level: 1 | 2 | 3 | 4): number {
    return Math.floor(canonical48(this.value) / 2 ** (12 + 9 * (level - 1))) % 512;
  }
  p4_index(): number { return this.page_table_index(4); }
  p3_index(): number { return this.page_table_index(3); }
  p2_index(): number { return this.page_table_index(2); }
  p1_index(): number { return this.page_table_index(1); }

  debug(): string { return `VirtAddr(${hex(this.value)})`; }
  toString(): string { return this.debug(); }
}
