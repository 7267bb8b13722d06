// Handler ends (issue 10 item 2): iretq traces cpu.iret with the handler's duration in machine
// time and its nesting depth; cpu.int carries the depth too. A stop or reset that leaves a
// handler through a throw restores the depth of the code it interrupted.
import { describe, expect, it } from 'vitest';
import { MachineReset, MachineStop } from '../../cpu/errors.js';
import { Vector } from '../../cpu/faults.js';
import { inb, int3, load32, outb, sti } from '../../cpu/isa.js';
import { cpuRig, DATA, PIC_RAISE } from '../support/cpu-rig.js';

/** The POST port: a write nobody claims, but a port access all the same (≈1 µs on the ISA bus). */
const POST = 0x80;

describe('cpu.iret', () => {
  it('an IRQ handler doing N port accesses returns after N io costs plus its iretq', () => {
    const rig = cpuRig({ pic: true });
    const N = 7;
    rig.handle(0x20, () => { for (let i = 0; i < N; i++) outb(POST, i); }, { name: 'test::slow_irq' });
    sti();
    rig.traced();
    outb(PIC_RAISE, 0x20);
    const c = rig.cpu.clock.costs;
    const int = rig.traced().filter((r) => r.kind === 'cpu.int' || r.kind === 'cpu.iret');
    expect(int.map((r) => r.kind)).toEqual(['cpu.int', 'cpu.iret']);
    expect(int[1].fields).toEqual({ vector: 0x20, duration: N * c.io + c.iret, depth: 1 });
    expect(int[1].t - int[0].t).toBe(N * c.io + c.iret);
    expect(N * c.io).toBe(N * 1000); // the default: an ISA port access costs 1 µs
  });

  it('the duration follows time.costs: io 2us makes the same handler twice as long', () => {
    const rig = cpuRig({ pic: true, costs: { io: 2000, iret: 0 } });
    rig.handle(0x20, () => { for (let i = 0; i < 3; i++) inb(POST); });
    sti();
    rig.traced();
    outb(PIC_RAISE, 0x20);
    expect(rig.traced('cpu.iret').map((r) => r.fields.duration)).toEqual([6000]);
  });

  it('a page fault inside a timer handler is entered at depth 2 and returns before the timer handler does', () => {
    const rig = cpuRig({ pic: true, paging: true });
    const page = DATA + 0x3000;
    rig.unmap(page);
    rig.handle(Vector.PF, () => rig.remap(page), { name: 'test::page_fault_handler' });
    rig.handle(0x20, () => void load32(page), { name: 'test::timer_interrupt_handler' });
    sti();
    rig.traced();
    outb(PIC_RAISE, 0x20);
    const seen = rig.traced().filter((r) => r.kind === 'cpu.int' || r.kind === 'cpu.iret').map((r) => [r.kind, r.fields.vector, r.fields.depth]);
    expect(seen).toEqual([
      ['cpu.int', 0x20, 1],
      ['cpu.int', Vector.PF, 2],
      ['cpu.iret', Vector.PF, 2],
      ['cpu.iret', 0x20, 1],
    ]);
    expect(rig.cpu.handlerDepth).toBe(0);
  });

  it('the nested handler\'s time is inside its parent\'s: parent duration ≥ child duration + delivery', () => {
    const rig = cpuRig({ pic: true });
    rig.handle(Vector.BP, () => { outb(POST, 1); });
    rig.handle(0x20, () => { int3(); outb(POST, 2); });
    sti();
    rig.traced();
    outb(PIC_RAISE, 0x20);
    const c = rig.cpu.clock.costs;
    const irets = rig.traced('cpu.iret');
    expect(irets.map((r) => [r.fields.vector, r.fields.depth])).toEqual([[Vector.BP, 2], [0x20, 1]]);
    expect(irets[0].fields.duration).toBe(c.io + c.iret);
    // int3 (one instruction), the #BP delivery and handler, then the timer's own out and iretq.
    expect(irets[1].fields.duration).toBe(c.instruction + c.delivery + (c.io + c.iret) + c.io + c.iret);
  });
});

describe('handler depth', () => {
  it('returns to 0 when a handler ends by a stop (MachineStop thrown through it)', () => {
    const rig = cpuRig({ pic: true, cpu: { stopAt: 50_000 } });
    rig.handle(0x20, () => { for (;;) outb(POST, 0); }); // never returns: the machine-time limit ends it
    sti();
    expect(() => outb(PIC_RAISE, 0x20)).toThrow(MachineStop);
    expect(rig.cpu.handlerDepth).toBe(0);
    expect(rig.traced('cpu.int').map((r) => r.fields.depth)).toEqual([1]);
    expect(rig.traced('cpu.iret')).toEqual([]); // it never returned
  });

  it('returns to 0 when nested handlers end by a reset, and Cpu.reset() clears it', () => {
    const rig = cpuRig({ pic: true });
    rig.handle(Vector.BP, () => { throw new MachineReset('test reset'); });
    rig.handle(0x20, () => int3());
    sti();
    expect(() => outb(PIC_RAISE, 0x20)).toThrow(MachineReset);
    expect(rig.traced('cpu.int').map((r) => r.fields.depth)).toEqual([1, 2]);
    expect(rig.cpu.handlerDepth).toBe(0);
    rig.cpu.handlerDepth = 3; // as if a throw had skipped the unwinding
    rig.cpu.reset();
    expect(rig.cpu.handlerDepth).toBe(0);
  });
});
