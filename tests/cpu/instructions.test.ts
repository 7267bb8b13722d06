// What a kernel observes of the CPU's instructions (blog-os-behaviour.md §7.3, §8.4–8.7, §17):
// cli/sti and the one-instruction STI shadow, hlt sleeping until INTR (forever with IF = 0),
// descriptor-table and segment loads, ltr's busy bit, div by zero, RFLAGS, and a `pause` spin
// with interrupts off reported as a deadlock.
import { describe, expect, it } from 'vitest';
import { CpuState } from '../../bus/control.js';
import { DEADLOCK_SPINS } from '../../cpu/cpu.js';
import { MachineStop } from '../../cpu/errors.js';
import { Vector } from '../../cpu/faults.js';
import { cli, div, hlt, inb, int3, lgdt, lidt, loadCs, ltr, outb, outl, pause, readCs, readRflags, sti } from '../../cpu/isa.js';
import { Descriptor } from '../../kernel/x86_64/gdt.js';
import { i8259 } from '../../devices/i8259/module.js';
import { CODE_SEL, cpuRig, DATA, Diverged, GDT_BASE, KERNEL_CODE, PIC_ACKS, PIC_DELAY, PIC_LOWER, PIC_RAISE, testPic, TSS_SEL, type CpuRig } from '../support/cpu-rig.js';

const IF = 1 << 9;
/** `nop`: any instruction that touches nothing (a read of the test controller's INTA count). */
const nop = () => void inb(PIC_ACKS);

function irqRig(options: Parameters<typeof cpuRig>[0] = {}) {
  const rig = cpuRig({ pic: true, ...options });
  const log: string[] = [];
  const irq = rig.handle(0x20, () => log.push('irq'), { name: 'test::timer_interrupt_handler' });
  return { rig, log, irq };
}

describe('cli / sti and RFLAGS', () => {
  it('readRflags shows IF and the always-one bit 1', () => {
    cpuRig();
    cli();
    expect(readRflags()).toBe(0x2);
    sti();
    expect(readRflags()).toBe(0x202);
    cli();
    expect(readRflags()).toBe(0x2);
  });

  it('with IF = 0 a pending IRQ waits, however many instructions run', () => {
    const { rig, irq } = irqRig();
    rig.raise(0x20);
    for (let i = 0; i < 100; i++) nop();
    expect(irq.calls).toHaveLength(0);
    expect(rig.cpu.bus.intr).toBe(1);
  });

  it('STI shadow: an IRQ pending at sti is taken after the next instruction, not after sti', () => {
    const { rig, log, irq } = irqRig();
    rig.raise(0x20);
    sti();
    log.push('after sti');
    const next = rig.cpu.rip;
    nop();
    log.push('after the next instruction');
    expect(log).toEqual(['after sti', 'irq', 'after the next instruction']);
    expect(irq.calls[0].frame.rip).toBe(next + 1);
  });

  it('with IF = 1 an IRQ raised by an instruction is taken at that instruction\'s boundary; RIP in the frame is the next one', () => {
    const { rig, log, irq } = irqRig();
    sti();
    nop();
    const at = rig.cpu.rip;
    outb(PIC_RAISE, 0x20);
    log.push('after out');
    expect(log).toEqual(['irq', 'after out']);
    expect(irq.calls[0].frame.rip).toBe(at + 1);
    expect(irq.calls[0].frame.rflags & IF).toBe(IF);
  });

  it('`sti; hlt` with an IRQ already pending cannot lose the wake-up', () => {
    const { rig, log } = irqRig({ cpu: { stopAt: 1_000_000 } });
    rig.raise(0x20);
    sti();
    hlt(); // the IRQ is taken at hlt: hlt returns instead of sleeping to stopAt
    log.push('after hlt');
    expect(log).toEqual(['irq', 'after hlt']);
    // sti, hlt, the INTA cycles, IDT delivery and iretq (time.costs), not the 1 ms to stopAt.
    const c = rig.cpu.clock.costs;
    expect(rig.cpu.now()).toBeLessThan(10 * c.instruction + c.inta + c.delivery + c.iret);
  });
});

describe('hlt', () => {
  it('sleeps (virtual time jumps) until a device raises INTR, runs the handler, then continues after hlt', () => {
    const { rig, log, irq } = irqRig({ cpu: { stopAt: 10_000_000 } });
    sti();
    outl(PIC_DELAY, 250_000); // the controller raises INTR 250 µs from now
    const t0 = rig.cpu.now();
    const at = rig.cpu.rip;
    rig.traced();
    hlt();
    log.push('after hlt');
    expect(log).toEqual(['irq', 'after hlt']);
    expect(rig.cpu.now()).toBeGreaterThanOrEqual(t0 + 250_000);
    const c = rig.cpu.clock.costs; // the jump lands on the deadline; then INTA, delivery, iretq
    expect(rig.cpu.now()).toBeLessThan(t0 + 250_000 + c.inta + c.delivery + c.iret + 10 * c.instruction);
    expect(irq.calls[0].frame.rip).toBe(at + 1);
    expect(rig.traced().filter((r) => r.kind.startsWith('cpu.')).map((r) => r.kind)).toEqual(['cpu.hlt', 'cpu.wake', 'cpu.inta', 'cpu.int', 'cpu.iret']);
  });

  it('each hlt waits for the next interrupt (a hlt loop wakes once per IRQ)', () => {
    const { rig, irq } = irqRig({ cpu: { stopAt: 10_000_000 } });
    sti();
    const wakes: number[] = [];
    for (let i = 0; i < 3; i++) {
      outl(PIC_DELAY, 100_000); // longer than the out itself (an ISA port access, ≈1 µs)
      hlt();
      wakes.push(irq.calls.length);
    }
    expect(wakes).toEqual([1, 2, 3]);
    expect(rig.cpu.now()).toBeGreaterThanOrEqual(300_000);
  });

  it('wakes on an IRQ from the real 8259A: INTA answers ICW2 + IR, and after EOI the next IRQ gets through', () => {
    const rig = cpuRig({
      devices: [{ name: 'src', module: testPic }, { name: 'pic1', module: i8259 }],
      wires: ['src.int -> pic1.ir0', 'pic1.int -> cpu.intr'],
    });
    const timer = rig.handle(0x20, () => outb(0x20, 0x20)); // EOI
    for (const [port, v] of [[0x20, 0x11], [0x21, 0x20], [0x21, 0x04], [0x21, 0x01], [0x21, 0xfe]]) outb(port, v);
    const edge = () => { outb(PIC_LOWER, 0); outb(PIC_RAISE, 0x99); }; // the controller's own vector is never asked
    sti();
    outl(PIC_DELAY, 100_000); // longer than the out itself (an ISA port access, ≈1 µs)
    hlt();
    expect(timer.calls).toHaveLength(1);
    edge();
    expect(timer.calls).toHaveLength(2);
    expect(rig.traced('cpu.inta').map((r) => r.fields.vector)).toEqual([0x20, 0x20]);
  });

  it('with IF = 0 it never wakes: idle-forever is reported, and the machine stops at stopAt', () => {
    const reports: string[] = [];
    const { rig, irq } = irqRig({ cpu: { stopAt: 5_000_000, onIdleForever: (why) => reports.push(why) } });
    outl(PIC_DELAY, 1000); // an IRQ arrives, but IF = 0
    cli();
    let stop: unknown;
    try {
      hlt();
    } catch (e) {
      stop = e;
    }
    expect(stop).toBeInstanceOf(MachineStop);
    expect((stop as MachineStop).reason).toBe('for');
    expect(reports).toEqual(['idle']);
    expect(irq.calls).toHaveLength(0);
    expect(rig.cpu.now()).toBe(5_000_000);
    expect(rig.cpu.control.cpuState).toBe(CpuState.IdleForever);
    expect(rig.traced('cpu.idle').map((r) => r.fields.if)).toEqual([0]);
  });
});

describe('pause', () => {
  it(`DEADLOCK_SPINS (${DEADLOCK_SPINS}) pauses in a row with IF = 0 report a deadlock; other instructions reset the run`, () => {
    const reports: string[] = [];
    const rig = cpuRig({ cpu: { stopAt: 1e12, onIdleForever: (why) => reports.push(why) } });
    cli();
    for (let i = 0; i < DEADLOCK_SPINS - 1; i++) pause();
    nop(); // the spin is broken: the count starts again
    let spins = 0;
    let stop: unknown;
    try {
      for (;;) {
        spins++;
        pause();
      }
    } catch (e) {
      stop = e;
    }
    expect(stop).toBeInstanceOf(MachineStop);
    expect(spins).toBe(DEADLOCK_SPINS);
    expect(reports).toEqual(['deadlock']);
    expect(rig.traced('cpu.deadlock')).toHaveLength(1);
  });

  it('with IF = 1 a pause loop is no deadlock (an interrupt can end it)', () => {
    const reports: string[] = [];
    const { rig, irq } = irqRig({ cpu: { onIdleForever: (why) => reports.push(why) } });
    sti();
    for (let i = 0; i < DEADLOCK_SPINS + 1; i++) pause();
    expect(reports).toEqual([]);
    rig.raise(0x20);
    pause();
    expect(irq.calls).toHaveLength(1);
  });
});

describe('descriptor tables and segments', () => {
  it('lgdt / lidt set base and limit; lidt is traced', () => {
    const rig = cpuRig();
    lgdt(0x5000, 0x27);
    lidt(0x6000, 0xfff);
    expect([rig.cpu.gdtr, rig.cpu.idtr]).toEqual([{ base: 0x5000, limit: 0x27 }, { base: 0x6000, limit: 0xfff }]);
    expect(rig.traced('cpu.lidt').map((r) => r.fields)).toEqual([{ base: 0x6000, limit: 0xfff }]);
  });

  it('loadCs loads a 64-bit code segment', () => {
    const rig = cpuRig();
    rig.memory.write64(GDT_BASE + 0x20, KERNEL_CODE);
    loadCs(0x20);
    expect(readCs()).toBe(0x20);
  });

  it.each([
    ['the TSS descriptor', TSS_SEL, TSS_SEL],
    ['the null selector', 0, 0],
    ['a selector beyond the GDT limit', 0x40, 0x40],
    ['a 32-bit code segment (L = 0)', 0x20, 0x20],
    ['a data segment', 0x28, 0x28],
  ])('loadCs rejects %s with #GP(selector) and keeps CS', (_what, selector, code) => {
    const rig = cpuRig();
    rig.memory.write64(GDT_BASE + 0x20, 0x00cf9b000000ffffn);
    rig.memory.write64(GDT_BASE + 0x28, 0x00cf93000000ffffn);
    const gp = rig.handle(Vector.GP, () => { throw new Diverged('gp'); });
    expect(() => loadCs(selector)).toThrow(Diverged);
    expect(gp.calls.map((c) => c.errorCode)).toEqual([code]);
    expect(rig.cpu.cs).toBe(CODE_SEL);
  });

  it('a #GP handler that returns makes the far return run again (it faults until the GDT is fixed)', () => {
    const rig = cpuRig();
    const gp = rig.handle(Vector.GP, () => {
      if (gp.calls.length === 2) rig.memory.write64(GDT_BASE + 0x20, KERNEL_CODE); // the kernel repairs slot 4
    });
    loadCs(0x20);
    expect(gp.calls.map((c) => c.errorCode)).toEqual([0x20, 0x20]);
    expect(rig.cpu.cs).toBe(0x20);
  });
});

describe('ltr', () => {
  function withTss(rig: CpuRig, type = 0x9) {
    const d = Descriptor.tss_segment(DATA);
    if (d.kind !== 'system') throw new Error('not a system descriptor');
    rig.memory.write64(GDT_BASE + 0x20, (d.low & ~(0xfn << 40n)) | (BigInt(type) << 40n));
    rig.memory.write64(GDT_BASE + 0x28, d.high);
  }
  const typeInMemory = (rig: CpuRig) => (rig.memory.read8(GDT_BASE + 0x20 + 5) & 0xf);

  it('loads TR and marks the TSS descriptor busy in memory (type 0x9 → 0xB); IST stacks then come from that TSS', () => {
    const rig = cpuRig();
    withTss(rig);
    ltr(0x20);
    expect(rig.cpu.tr).toBe(0x20);
    expect(typeInMemory(rig)).toBe(0xb);
    rig.write64(DATA + 0x24, DATA + 0x800);
    const h = rig.handle(Vector.BP, undefined, { ist: 1 });
    int3();
    expect(h.calls[0].frameAddr).toBe(DATA + 0x800 - 40);
  });

  it.each([
    ['a busy TSS (type 0xB)', 0x20, () => 0xb],
    ['a selector that is not a TSS (the code segment)', CODE_SEL, () => 0x9],
    ['the null selector', 0, () => 0x9],
    ['a code segment whose type nibble is 9 (S = 1)', 0x30, () => 0x9],
  ])('rejects %s with #GP(selector), changing nothing', (_what, selector, type) => {
    const rig = cpuRig();
    withTss(rig, type());
    rig.memory.write64(GDT_BASE + 0x30, 0x0020990000000067n | (BigInt(DATA) << 16n)); // present, S = 1, code execute-only accessed
    const gp = rig.handle(Vector.GP, () => { throw new Diverged('gp'); });
    expect(() => ltr(selector)).toThrow(Diverged);
    expect(gp.calls.map((c) => c.errorCode)).toEqual([selector]);
    expect(rig.cpu.tr).toBe(TSS_SEL);
    expect(typeInMemory(rig)).toBe(type());
  });
});

describe('div', () => {
  it('divides; by zero raises #DE (a fault: RIP is the div), and a handler that returns runs div again', () => {
    const rig = cpuRig();
    expect(div(100, 7)).toBe(14);
    const at = rig.cpu.rip;
    const de = rig.handle(Vector.DE, () => { if (de.calls.length === 3) throw new Diverged('de'); });
    expect(() => div(1, 0)).toThrow(Diverged);
    expect(de.calls.map((c) => [c.frame.rip, c.errorCode])).toEqual([[at, 0], [at, 0], [at, 0]]);
    expect(rig.traced('cpu.exception').map((r) => r.fields)).toEqual([{ vector: 0, error_code: 0 }, { vector: 0, error_code: 0 }, { vector: 0, error_code: 0 }]);
  });
});
