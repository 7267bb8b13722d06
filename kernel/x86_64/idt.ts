// x86_64::structures::idt::InterruptDescriptorTable — 256 16-byte gates in the kernel's memory.
import * as isa from '../../cpu/isa.js';

export const IDT_ENTRIES = 256;
export const IDT_BYTES = IDT_ENTRIES * 16;
/** A "missing" entry: a 64-bit interrupt gate type with P = 0 (what the crate's new() writes). */
const MISSING_OPTIONS = 0x0e00;
/** Present, DPL 0, 64-bit interrupt gate. */
const HANDLER_OPTIONS = 0x8e00;

export interface HandlerRef {
  readonly addr: number;
}

/** The options word of one gate, for set_stack_index (EntryOptions). */
export class EntryOptions {
  constructor(private readonly idt: InterruptDescriptorTable, private readonly vector: number) {}

  /** Use IST stack `index` (0-based in the crate; the hardware field holds index + 1). */
  set_stack_index(index: number): this {
    const at = this.idt.addr + this.vector * 16 + 4;
    isa.store16(at, (isa.load16(at) & ~7) | ((index + 1) & 7));
    return this;
  }
}

export class InterruptDescriptorTable {
  constructor(readonly addr: number) {}

  /** new(): every entry missing. */
  reset(): this {
    for (let v = 0; v < IDT_ENTRIES; v++) this.writeGate(v, 0, 0, MISSING_OPTIONS);
    return this;
  }

  /** set_handler_fn: the handler's address, the current CS, a present interrupt gate, IST 0. */
  set_handler_fn(vector: number, handler: HandlerRef): EntryOptions {
    this.writeGate(vector, handler.addr, isa.readCs(), HANDLER_OPTIONS);
    return new EntryOptions(this, vector);
  }

  load(): void {
    isa.lidt(this.addr, IDT_BYTES - 1);
  }

  private writeGate(vector: number, offset: number, selector: number, options: number): void {
    const at = this.addr + vector * 16;
    isa.store16(at, offset & 0xffff);
    isa.store16(at + 2, selector);
    isa.store16(at + 4, options);
    isa.store16(at + 6, Math.floor(offset / 0x10000) & 0xffff);
    isa.store32(at + 8, Math.floor(offset / 0x100000000) >>> 0);
    isa.store32(at + 12, 0);
  }
}
