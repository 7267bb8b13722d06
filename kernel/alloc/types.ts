// How a Rust value of type T is laid out in simulated memory: size, alignment, how to read and
// write it (with load/store instructions), and its Drop glue. Box, Vec and Rc are generic over it.
import { load32, load64, load8, store32, store64, store8 } from '../../cpu/isa.js';

export interface ValueType<T> {
  readonly name: string;
  readonly size: number;
  readonly align: number;
  read(addr: number): T;
  write(addr: number, value: T): void;
  /** Drop glue: release what the value owns (e.g. a Vec's buffer). Absent for plain data. */
  drop?(addr: number): void;
}

export const U8: ValueType<number> = { name: 'u8', size: 1, align: 1, read: load8, write: store8 };

export const I32: ValueType<number> = {
  name: 'i32',
  size: 4,
  align: 4,
  read: (addr) => load32(addr) | 0,
  write: (addr, v) => store32(addr, v),
};

export const U32: ValueType<number> = { name: 'u32', size: 4, align: 4, read: load32, write: store32 };

/** u64 as a JS number (exact below 2^53 — what the kernel's counters and addresses need). */
export const U64: ValueType<number> = {
  name: 'u64',
  size: 8,
  align: 8,
  read: (addr) => Number(load64(addr)),
  write: (addr, v) => store64(addr, BigInt(v)),
};

/** usize: a u64 on x86_64. */
export const USIZE: ValueType<number> = { ...U64, name: 'usize' };

/** u64 with the full range, as a bigint. */
export const U64_BIG: ValueType<bigint> = { name: 'u64', size: 8, align: 8, read: load64, write: store64 };
