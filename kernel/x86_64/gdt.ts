// x86_64::structures::gdt — the GlobalDescriptorTable (8 slots) and the descriptors the blog uses.
import * as isa from '../../cpu/isa.js';

export const GDT_SLOTS = 8;

/** A segment selector: index << 3 | TI | RPL. */
export class SegmentSelector {
  constructor(readonly value: number) {}
  static new(index: number, rpl: number): SegmentSelector {
    return new SegmentSelector((index << 3) | rpl);
  }
  get index(): number { return this.value >> 3; }
  get rpl(): number { return this.value & 3; }
}

export type Descriptor =
  | { readonly kind: 'user'; readonly value: bigint }
  | { readonly kind: 'system'; readonly low: bigint; readonly high: bigint };

export const Descriptor = {
  /** 64-bit kernel code segment: present, DPL 0, code, readable, accessed, long mode, G. */
  kernel_code_segment(): Descriptor {
    return { kind: 'user', value: 0x00af9b000000ffffn };
  },
  /** 64-bit user code segment: as the kernel's with DPL 3. */
  user_code_segment(): Descriptor {
    return { kind: 'user', value: 0x00affb000000ffffn };
  },
  /** Kernel data segment: present, DPL 0, writable data (what SYSCALL's SS names). */
  kernel_data_segment(): Descriptor {
    return { kind: 'user', value: 0x00cf93000000ffffn };
  },
  /** User data segment: present, DPL 3, writable data. */
  user_data_segment(): Descriptor {
    return { kind: 'user', value: 0x00cff3000000ffffn };
  },
  /** An available 64-bit TSS (type 0x9) at `base`, limit 103. */
  tss_segment(base: number): Descriptor {
    const b = BigInt(base);
    const limit = 103n;
    const low = (limit & 0xffffn) | ((b & 0xffffffn) << 16n) | (0x89n << 40n) | (((limit >> 16n) & 0xfn) << 48n) | (((b >> 24n) & 0xffn) << 56n);
    return { kind: 'system', low, high: b >> 32n };
  },
};

export class GlobalDescriptorTable {
  private len = 1; // slot 0 is the null descriptor

  constructor(readonly addr: number) {}

  /** new(): zeroed table, only the null entry used. */
  reset(): this {
    for (let i = 0; i < GDT_SLOTS; i++) isa.store64(this.addr + 8 * i, 0n);
    this.len = 1;
    return this;
  }

  append(d: Descriptor): SegmentSelector {
    const index = this.len;
    if (d.kind === 'user') {
      isa.store64(this.addr + 8 * index, d.value);
      this.len += 1;
    } else {
      isa.store64(this.addr + 8 * index, d.low);
      isa.store64(this.addr + 8 * index + 8, d.high);
      this.len += 2;
    }
    // The crate gives a user segment (DPL 3) a selector with RPL 3.
    const dpl = d.kind === 'user' ? Number((d.value >> 45n) & 3n) : 0;
    return SegmentSelector.new(index, dpl);
  }

  load(): void {
    isa.lgdt(this.addr, this.len * 8 - 1);
  }
}
