// The local APIC (Intel SDM vol. 3A ch. 11, xAPIC mode) as the kernel sees it: a 4 KiB page of
// 32-bit registers on 16-byte boundaries at physical 0xFEE00000 (IA32_APIC_BASE's reset value,
// §11.4.4), each register read or written with one aligned dword access — the SDM leaves other
// widths undefined, and this machine's device refuses them. The kernel maps the page uncached and
// keeps the virtual address in a static, so an interrupt handler on any guest thread finds it.
import { load32, load64, store32, store64 } from '../../cpu/isa.js';
import { panic } from '../panic.js';
import { staticAlloc } from '../statics.js';

/** Where the local APIC's registers sit in physical memory (§11.4.1). */
export const LAPIC_PHYS = 0xfee00000;

/** Register offsets (SDM vol. 3A table 11-1). */
export const LapicReg = {
  ID: 0x020,
  VERSION: 0x030,
  /** Task priority: interrupts whose class (vector >> 4) is not above TPR[7:4] wait (§11.8.3). */
  TPR: 0x080,
  /** Processor priority: max(TPR, class of the highest in-service vector), read-only (§11.8.3.1). */
  PPR: 0x0a0,
  /** Write 0 to end the highest-priority in-service interrupt (§11.8.5). */
  EOI: 0x0b0,
  /** Spurious-interrupt vector register: bit 8 enables the APIC in software, bits 0-7 the spurious vector (§11.9). */
  SVR: 0x0f0,
  /** In-service register, eight dwords: bit n of dword n/32 is vector n. */
  ISR: 0x100,
  IRR: 0x200,
  ESR: 0x280,
  LVT_TIMER: 0x320,
  LVT_LINT0: 0x350,
  LVT_LINT1: 0x360,
  LVT_ERROR: 0x370,
  TIMER_INITIAL_COUNT: 0x380,
  TIMER_CURRENT_COUNT: 0x390,
  TIMER_DIVIDE: 0x3e0,
} as const;

/** SVR bit 8: APIC software enable (§11.4.7.2). */
export const SVR_APIC_ENABLE = 1 << 8;
/** LVT bit 16: masked (figure 11-8). */
export const LVT_MASKED = 1 << 16;
/** LVT delivery mode ExtINT (bits 8-10 = 111b): the 8259's INTR passes through (virtual wire mode). */
export const LVT_EXTINT = 7 << 8;
/** LVT timer mode, bits 17-18 (figure 11-8): one-shot 00b, periodic 01b. */
export const TimerMode = { OneShot: 0, Periodic: 1 << 17 } as const;

/**
 * Divide configuration register values (figure 11-10: bits 0, 1 and 3). The timer counts down
 * once per (bus clock ÷ divisor).
 */
export const TimerDivide = { By1: 0b1011, By2: 0b0000, By4: 0b0001, By8: 0b0010, By16: 0b0011, By32: 0b1000, By64: 0b1001, By128: 0b1010 } as const;
export const DIVISOR_OF: Readonly<Record<number, number>> = { 0b1011: 1, 0b0000: 2, 0b0001: 4, 0b0010: 8, 0b0011: 16, 0b1000: 32, 0b1001: 64, 0b1010: 128 };

/** `static LAPIC_BASE: u64`: the virtual address the kernel mapped the register page at (0: not yet). */
const LAPIC_BASE_AT = staticAlloc('actorpc_kernel::apic::LAPIC_BASE', 8, 8);

/** A view of the local APIC's register page at virtual address `base`. */
export class LocalApic {
  constructor(readonly base: number) {}

  read(reg: number): number {
    return load32(this.base + reg);
  }

  write(reg: number, value: number): void {
    store32(this.base + reg, value);
  }

  /** The APIC ID (bits 24-31 of the ID register): what an I/O APIC's physical destination names. */
  id(): number {
    return this.read(LapicReg.ID) >>> 24;
  }

  /** Version register: bits 0-7 the version, bits 16-23 the highest LVT entry. */
  version(): number {
    return this.read(LapicReg.VERSION);
  }

  /**
   * Software-enable the APIC with `spurious` as its spurious-interrupt vector (SVR = 0x100 | vector).
   * Until this, every LVT entry stays masked whatever is written to it (§11.4.7.2).
   */
  enable(spurious: number): void {
    this.write(LapicReg.SVR, SVR_APIC_ENABLE | (spurious & 0xff));
  }

  set_task_priority(priority: number): void {
    this.write(LapicReg.TPR, priority & 0xff);
  }

  processor_priority(): number {
    return this.read(LapicReg.PPR);
  }

  /** End of interrupt: the highest in-service vector leaves ISR, so its class no longer blocks (§11.8.5). */
  end_of_interrupt(): void {
    this.write(LapicReg.EOI, 0);
  }

  /** Whether vector `v` is in service (its ISR bit). */
  in_service(v: number): boolean {
    return ((this.read(LapicReg.ISR + 0x10 * (v >>> 5)) >>> (v & 31)) & 1) === 1;
  }

  /** Mask LINT0 (left in ExtINT mode): the 8259 no longer reaches the CPU through this APIC. */
  mask_lint0(): void {
    this.write(LapicReg.LVT_LINT0, LVT_EXTINT | LVT_MASKED);
  }

  // ---- the timer (§11.5.4) ---------------------------------------------------------------------

  set_timer_divide(divide: number): void {
    this.write(LapicReg.TIMER_DIVIDE, divide);
  }

  /** LVT timer entry: `vector`, one-shot or periodic, masked or not. */
  set_timer(vector: number, mode: number, masked: boolean): void {
    this.write(LapicReg.LVT_TIMER, (vector & 0xff) | mode | (masked ? LVT_MASKED : 0));
  }

  /** Writing the initial count (re)starts the count-down from it; 0 stops the timer. */
  set_timer_initial_count(count: number): void {
    this.write(LapicReg.TIMER_INITIAL_COUNT, count);
  }

  timer_current_count(): number {
    return this.read(LapicReg.TIMER_CURRENT_COUNT);
  }
}

/** Record where the register page is mapped (once, at init). */
export function set_local_apic_base(base: number): void {
  store64(LAPIC_BASE_AT, BigInt(base));
}

/** The local APIC of this CPU, at the address the kernel mapped it at (a view rebuilt from the static). */
export function local_apic(): LocalApic {
  const base = Number(load64(LAPIC_BASE_AT));
  if (base === 0) return panic('the local APIC is not mapped yet: apic::init has not run', 'src/apic/local_apic.rs:139:26');
  return new LocalApic(base);
}
