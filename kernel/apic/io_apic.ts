// The I/O APIC (Intel 82093AA datasheet, §3): two memory-mapped dwords at physical 0xFEC00000 —
// IOREGSEL (+0x00) selects an indirect register, IOWIN (+0x10) reads or writes it — behind which
// sit the ID, the version (bits 16-23: the highest redirection entry) and one 64-bit redirection
// entry per input pin, at indices 0x10 + 2n (low dword) and 0x11 + 2n (high dword).
//
// Without ACPI's MADT this kernel assumes the PC wiring: ISA IRQ n on INTIN n, except the PIT's
// IRQ0 on INTIN2 (the usual interrupt source override) — what config/apic.yaml wires.
import { load32, load64, store32, store64 } from '../../cpu/isa.js';
import { panic } from '../panic.js';
import { staticAlloc } from '../statics.js';

/** Where the I/O APIC's registers sit in physical memory (the 82093AA's default, APICBASE = 0). */
export const IOAPIC_PHYS = 0xfec00000;

const IOREGSEL = 0x00;
const IOWIN = 0x10;

/** Indirect registers (datasheet §3.2). */
export const IoApicReg = { ID: 0x00, VERSION: 0x01, ARBITRATION: 0x02, REDIRECTION_TABLE: 0x10 } as const;

/** Redirection entry bits, low dword (datasheet §3.2.4). */
export const Redirection = {
  /** Delivery mode bits 8-10: 000 fixed. */
  FIXED: 0 << 8,
  /** Bit 11: 0 physical destination (an APIC ID), 1 logical. */
  LOGICAL: 1 << 11,
  /** Bit 13: 0 active high, 1 active low. */
  ACTIVE_LOW: 1 << 13,
  /** Bit 14: remote IRR (read-only; a level interrupt accepted and not yet EOI'd). */
  REMOTE_IRR: 1 << 14,
  /** Bit 15: 0 edge, 1 level triggered. */
  LEVEL: 1 << 15,
  /** Bit 16: masked. */
  MASKED: 1 << 16,
} as const;

/** `static IOAPIC_BASE: u64`: the virtual address of the mapped registers (0: not yet). */
const IOAPIC_BASE_AT = staticAlloc('actorpc_kernel::apic::IOAPIC_BASE', 8, 8);

/** A view of an I/O APIC's registers at virtual address `base`. */
export class IoApic {
  constructor(readonly base: number) {}

  /** Select indirect register `index` with IOREGSEL, then read it through IOWIN. */
  read(index: number): number {
    store32(this.base + IOREGSEL, index);
    return load32(this.base + IOWIN);
  }

  write(index: number, value: number): void {
    store32(this.base + IOREGSEL, index);
    store32(this.base + IOWIN, value);
  }

  /** The 4-bit I/O APIC ID (bits 24-27). */
  id(): number {
    return (this.read(IoApicReg.ID) >>> 24) & 0xf;
  }

  /** Version register: bits 0-7 the version (0x11 for an 82093AA), bits 16-23 the highest entry. */
  version(): number {
    return this.read(IoApicReg.VERSION);
  }

  /** How many input pins (redirection entries) there are. */
  entries(): number {
    return ((this.version() >>> 16) & 0xff) + 1;
  }

  /** Redirection entry of pin `pin` as [low, high] dwords. */
  redirection(pin: number): [number, number] {
    return [this.read(IoApicReg.REDIRECTION_TABLE + 2 * pin), this.read(IoApicReg.REDIRECTION_TABLE + 2 * pin + 1)];
  }

  /**
   * Program pin `pin`: the high dword (destination) first, then the low one, so the entry is never
   * unmasked with a half-written destination (what Linux's ioapic_write_entry does).
   */
  set_redirection(pin: number, low: number, destination: number): void {
    this.write(IoApicReg.REDIRECTION_TABLE + 2 * pin + 1, (destination & 0xff) << 24);
    this.write(IoApicReg.REDIRECTION_TABLE + 2 * pin, low);
  }

  /** Mask pin `pin` (its other fields as they were). */
  mask(pin: number): void {
    const [low] = this.redirection(pin);
    this.write(IoApicReg.REDIRECTION_TABLE + 2 * pin, (low | Redirection.MASKED) >>> 0);
  }
}

/** The low dword of an ISA IRQ's entry: `vector`, fixed delivery, physical destination mode, active high, edge, unmasked. */
export function isa_irq_entry(vector: number): number {
  return (vector & 0xff) | Redirection.FIXED;
}

export function set_io_apic_base(base: number): void {
  store64(IOAPIC_BASE_AT, BigInt(base));
}

/** The I/O APIC, at the address the kernel mapped it at. */
export function io_apic(): IoApic {
  const base = Number(load64(IOAPIC_BASE_AT));
  if (base === 0) return panic('the I/O APIC is not mapped yet: apic::init has not run', 'src/apic/io_apic.rs:103:26');
  return new IoApic(base);
}
