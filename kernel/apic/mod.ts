// apic: switching the kernel from the 8259 PICs to the APICs, as a PC kernel does at boot.
//
//   1. The 8259s: remapped to vectors 0x20/0x28 (ChainedPics::initialize), then every line masked
//      (OCW1 = 0xFF to ports 0x21 and 0xA1). Remapped first so that a spurious IRQ 7 or 15, which
//      a masked 8259 can still signal, could never arrive on an exception vector.
//   2. The register pages: the bootloader maps RAM at physical_memory_offset but not the MMIO
//      pages above it, so each APIC's 4 KiB page is mapped there too (the same offset, so
//      phys → virt stays one addition), present, writable, uncached (PCD: device registers must
//      not be cached — Linux maps them PAGE_KERNEL_NOCACHE), and not executable.
//   3. The local APIC: software-enabled with spurious vector 0xFF (SVR = 0x1FF), TPR 0 (accept
//      every class), LINT0 masked (the 8259's virtual wire is no longer used).
//   4. The I/O APIC: every entry masked, then ISA IRQ1 (the keyboard, INTIN1) → vector 0x21,
//      fixed delivery, physical destination = this CPU's APIC ID, edge, active high, unmasked.
//   5. The local APIC timer: calibrated against the PIT, then periodic on vector 0x20 every
//      timeslice. It starts counting now; the first tick waits in IRR until interrupts are enabled.
import { features } from '../features.js';
import { PICS } from '../interrupts.js';
import { expect, hex, PhysAddr, VirtAddr } from '../x86_64/addr.js';
import { Page, PageTableFlags, PhysFrame, type FrameAllocator, type OffsetPageTable } from '../x86_64/paging.js';
import { calibrate_apic_timer, ticks_for, type Calibration } from './calibrate.js';
import { io_apic, IoApic, IOAPIC_PHYS, isa_irq_entry, set_io_apic_base } from './io_apic.js';
import { local_apic, LAPIC_PHYS, LocalApic, set_local_apic_base, TimerMode } from './local_apic.js';

export { io_apic, local_apic };

/** Vectors: the timer and keyboard keep the numbers the PICs gave them (0x20, 0x21); 0xFF is spurious. */
export const APIC_TIMER_VECTOR = 0x20;
export const KEYBOARD_VECTOR = 0x21;
export const SPURIOUS_VECTOR = 0xff;
/** ISA IRQ1 (the 8042's keyboard line) arrives on I/O APIC input 1. */
export const KEYBOARD_IOAPIC_PIN = 1;

/** When kernel.timeslice is not set. */
export const DEFAULT_TIMESLICE_NS = 10_000_000;

export function timeslice_ns(): number {
  return features().timesliceNs ?? DEFAULT_TIMESLICE_NS;
}

/** Flags of an MMIO page: present, writable, cache disabled, no execute. */
export const MMIO_FLAGS = PageTableFlags.PRESENT | PageTableFlags.WRITABLE | PageTableFlags.NO_CACHE | PageTableFlags.NO_EXECUTE;

/** Map the 4 KiB MMIO page at `phys` at physical_memory_offset + phys; its virtual address. */
export function map_mmio_page(phys: number, mapper: OffsetPageTable, frames: FrameAllocator): number {
  const virt = VirtAddr.new(mapper.phys_offset.as_u64() + phys);
  const page = Page.containing_address(virt);
  const frame = PhysFrame.containing_address(PhysAddr.new(phys));
  expect(mapper.map_to(page, frame, MMIO_FLAGS, frames), `mapping the MMIO page at ${hex(phys)} failed`, 'src/apic/mod.rs:48:3').flush();
  return virt.as_u64();
}

export interface ApicSetup {
  readonly lapic: LocalApic;
  readonly ioapic: IoApic;
  readonly apicId: number;
  readonly ioapicEntries: number;
  readonly calibration: Calibration;
  /** The periodic timer's initial count: one timeslice. */
  readonly timerCount: number;
  readonly timesliceNs: number;
}

/** Steps 3-5 on already mapped registers (tests run them on identity-mapped ones). Interrupts must be off. */
export function init_apics(lapic: LocalApic, ioapic: IoApic, timesliceNs: number): ApicSetup {
  lapic.enable(SPURIOUS_VECTOR);
  lapic.set_task_priority(0);
  lapic.mask_lint0();

  const apicId = lapic.id();
  const ioapicEntries = ioapic.entries();
  for (let pin = 0; pin < ioapicEntries; pin++) ioapic.mask(pin);
  ioapic.set_redirection(KEYBOARD_IOAPIC_PIN, isa_irq_entry(KEYBOARD_VECTOR), apicId);

  const calibration = calibrate_apic_timer(lapic, APIC_TIMER_VECTOR);
  const timerCount = ticks_for(calibration, timesliceNs);
  lapic.set_timer_divide(calibration.divide);
  lapic.set_timer(APIC_TIMER_VECTOR, TimerMode.Periodic, false);
  lapic.set_timer_initial_count(timerCount);
  return { lapic, ioapic, apicId, ioapicEntries, calibration, timerCount, timesliceNs };
}

/** The whole switch from the PICs to the APICs (interrupts must be off). */
export function init(mapper: OffsetPageTable, frames: FrameAllocator, timesliceNs: number = timeslice_ns()): ApicSetup {
  PICS.with((pics) => {
    pics.initialize();
    pics.disable();
  });
  const lapicBase = map_mmio_page(LAPIC_PHYS, mapper, frames);
  const ioapicBase = map_mmio_page(IOAPIC_PHYS, mapper, frames);
  set_local_apic_base(lapicBase);
  set_io_apic_base(ioapicBase);
  return init_apics(new LocalApic(lapicBase), new IoApic(ioapicBase), timesliceNs);
}

/** "10ms", "2.5ms", "500us": a duration as a person writes it. */
export function duration_text(ns: number): string {
  if (ns >= 1e6) return `${+(ns / 1e6).toFixed(3)}ms`;
  if (ns >= 1e3) return `${+(ns / 1e3).toFixed(3)}us`;
  return `${ns}ns`;
}

/** What a learner should see: how the APICs were set up and what the calibration found (80 columns). */
export function describe_setup(s: ApicSetup): string[] {
  const c = s.calibration;
  const mhz = (c.hz / 1e6).toFixed(2);
  return [
    `8259 PICs: remapped to 0x20/0x28, all masked. Local APIC ${s.apicId}: on, spurious 0xff`,
    `I/O APIC, ${s.ioapicEntries} pins: IRQ1 (keyboard) -> vector 0x21, edge, to APIC ${s.apicId}`,
    `APIC timer: ${s.timerCount} ticks per ${duration_text(s.timesliceNs)} (bus / ${c.divisor} = ${mhz} MHz, measured on the PIT)`,
  ];
}
