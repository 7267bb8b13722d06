// The kernel's switch to the APICs (kernel/apic), run on a CPU with a local APIC, an I/O APIC and
// a PIT on its bus, paging off (the registers at their physical addresses). What the kernel wrote
// is read back from the devices' registers; calibration is measured against the PIT the firmware
// left running (mode 2, reload 65536).
import { describe, expect, it } from 'vitest';
import { outb } from '../../cpu/isa.js';
import { ioapic } from '../../devices/ioapic/module.js';
import { lapic } from '../../devices/lapic/module.js';
import { calibrate_apic_timer, pit_clocks_between, read_pit_channel0, ticks_for } from '../../kernel/apic/calibrate.js';
import { IOAPIC_PHYS, IoApic } from '../../kernel/apic/io_apic.js';
import { LAPIC_PHYS, LapicReg, LocalApic, TimerDivide } from '../../kernel/apic/local_apic.js';
import { APIC_TIMER_VECTOR, init_apics, KEYBOARD_VECTOR, SPURIOUS_VECTOR } from '../../kernel/apic/mod.js';
import { guestRig } from '../support/guest.js';

const MS = 1e6;

function rig(lapicOptions: Record<string, unknown> = {}, wires: string[] = []) {
  const g = guestRig(4 << 20, {
    devices: [
      { name: 'lapic', module: lapic, options: lapicOptions },
      { name: 'ioapic', module: ioapic },
      { name: 'pit', module: 'i8254' },
    ],
    wires: ['lapic.intr -> cpu.intr', ...wires],
  });
  // What the firmware does (firmware/bios.ts): channel 0, lobyte/hibyte, mode 2, reload 65536.
  outb(0x43, 0x34);
  outb(0x40, 0);
  outb(0x40, 0);
  return { g, lapic: new LocalApic(LAPIC_PHYS), ioapic: new IoApic(IOAPIC_PHYS) };
}

describe('reading the PIT', () => {
  it('clocks between two readings of a count-down are their difference, across one reload too', () => {
    expect(pit_clocks_between(100, 90)).toBe(10);
    expect(pit_clocks_between(5, 0)).toBe(5); // 0 reads for 65536: 5, 4, 3, 2, 1, 65536
    expect(pit_clocks_between(3, 65533)).toBe(6);
  });

  it('a latched channel 0 counts down at 1.193182 MHz', () => {
    const { g } = rig();
    const first = read_pit_channel0();
    const t0 = g.cpu.now();
    while (g.cpu.now() - t0 < 1 * MS) read_pit_channel0();
    const clocks = pit_clocks_between(first, read_pit_channel0());
    const ns = g.cpu.now() - t0;
    expect(Math.abs(clocks - ns / 838.095)).toBeLessThan(5);
  });
});

describe('calibrating the local APIC timer', () => {
  it('finds the 1 GHz bus clock ÷ 16 (62.5 MHz) within 0.02 %: 625 000 ticks per 10 ms', () => {
    const { lapic: l } = rig();
    const c = calibrate_apic_timer(l, APIC_TIMER_VECTOR);
    expect(c.divisor).toBe(16);
    expect(c.pitClocks).toBeGreaterThanOrEqual(11932);
    expect(Math.abs(c.hz / 62.5e6 - 1)).toBeLessThan(2e-4);
    expect(Math.abs(ticks_for(c, 10 * MS) - 625000)).toBeLessThan(125);
  });

  it('measures what the bus really runs at: a 100 MHz APIC bus gives 6.25 MHz', () => {
    const { lapic: l } = rig({ timer_hz: 100e6 });
    const c = calibrate_apic_timer(l, APIC_TIMER_VECTOR);
    expect(Math.abs(c.hz / 6.25e6 - 1)).toBeLessThan(2e-4);
    expect(Math.abs(ticks_for(c, 1 * MS) - 6250)).toBeLessThan(3);
  });

  it('leaves the timer stopped, its LVT entry masked', () => {
    const { lapic: l } = rig();
    l.enable(0xff);
    calibrate_apic_timer(l, APIC_TIMER_VECTOR);
    expect(l.read(LapicReg.TIMER_INITIAL_COUNT)).toBe(0);
    expect(l.timer_current_count()).toBe(0);
    expect(l.read(LapicReg.LVT_TIMER) & 0x10000).toBe(0x10000);
  });
});

describe('init_apics', () => {
  it('enables the local APIC with spurious vector 0xFF, TPR 0, LINT0 masked (ExtINT)', () => {
    const { lapic: l, ioapic: io } = rig();
    init_apics(l, io, 10 * MS);
    expect(l.read(LapicReg.SVR)).toBe(0x1ff);
    expect(l.read(LapicReg.TPR)).toBe(0);
    expect(l.read(LapicReg.LVT_LINT0)).toBe(0x10700);
  });

  it('routes ISA IRQ1 (INTIN1) to vector 0x21: fixed, physical destination APIC 0, edge, active high, unmasked; every other pin masked', () => {
    const { lapic: l, ioapic: io } = rig();
    const setup = init_apics(l, io, 10 * MS);
    expect(setup.ioapicEntries).toBe(24);
    expect(io.redirection(1)).toEqual([0x21, 0x00000000]);
    for (let pin = 0; pin < 24; pin++) if (pin !== 1) expect(io.redirection(pin)[0] & 0x10000).toBe(0x10000);
  });

  it('names the local APIC ID as the destination (an APIC with ID 3 gets 0x03000000 in the high dword)', () => {
    const { lapic: l, ioapic: io } = rig({ id: 3 });
    const setup = init_apics(l, io, 10 * MS);
    expect(setup.apicId).toBe(3);
    expect(io.redirection(1)).toEqual([0x21, 0x03000000]);
  });

  it('starts the timer periodic on vector 0x20 with one timeslice of ticks, dividing by 16', () => {
    const { lapic: l, ioapic: io } = rig();
    const setup = init_apics(l, io, 2 * MS);
    expect(l.read(LapicReg.LVT_TIMER)).toBe(0x20020); // periodic (bit 17), unmasked, vector 0x20
    expect(l.read(LapicReg.TIMER_DIVIDE)).toBe(TimerDivide.By16);
    expect(l.read(LapicReg.TIMER_INITIAL_COUNT)).toBe(setup.timerCount);
    expect(Math.abs(setup.timerCount - 125000)).toBeLessThan(25);
  });

  it('an edge on INTIN1 reaches the CPU as vector 0x21 through the local APIC; the timer as 0x20', () => {
    // The PIT's OUT0 stands in for the keyboard's IRQ1 here: a rising edge every 54.9 ms.
    const { g, lapic: l, ioapic: io } = rig({}, ['pit.out0 -> ioapic.intin1']);
    init_apics(l, io, 10 * MS);
    const bus = g.rig.bus;
    bus.advanceThrough(g.cpu.now() + 60 * MS);
    expect(bus.intr).toBe(1);
    expect(bus.acknowledge(g.cpu.now())).toBe(KEYBOARD_VECTOR); // the higher vector first
    // 0x20 waits while 0x21 (its class) is in service: an INTA now gets the spurious vector.
    expect(bus.acknowledge(g.cpu.now())).toBe(SPURIOUS_VECTOR);
    expect(l.in_service(KEYBOARD_VECTOR)).toBe(true);
    l.end_of_interrupt();
    expect(bus.acknowledge(g.cpu.now())).toBe(APIC_TIMER_VECTOR);
  });
});
