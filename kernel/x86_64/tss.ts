// x86_64::structures::tss::TaskStateSegment — 104 bytes in the kernel's memory.
import * as isa from '../../cpu/isa.js';

export const TSS_BYTES = 104;

export class TaskStateSegment {
  constructor(readonly addr: number) {}

  reset(): this {
    for (let i = 0; i < TSS_BYTES; i += 4) isa.store32(this.addr + i, 0);
    isa.store16(this.addr + 102, TSS_BYTES); // I/O map base past the end: no I/O bitmap
    return this;
  }

  /** privilege_stack_table[index]: RSP0..RSP2, the stack for entering ring `index` from an outer ring. */
  set_privilege_stack(index: number, top: number): void {
    isa.store64(this.addr + 4 + 8 * index, BigInt(top));
  }

  /** interrupt_stack_table[index] (index 0 is the hardware's IST1). */
  set_interrupt_stack(index: number, top: number): void {
    isa.store64(this.addr + 0x24 + 8 * index, BigInt(top));
  }
}
