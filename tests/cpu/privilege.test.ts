// Privilege levels as a kernel observes them (AMD64 APM vol. 2 §4.9–4.11, §8.7–8.9): the CPL is
// CS.RPL; at CPL 3 privileged instructions raise #GP(0), cli/sti need CPL ≤ IOPL, in/out consult
// IOPL and the TSS I/O permission bitmap; `int n` checks the gate's DPL; an interrupt from ring 3
// runs on TSS.RSP0 with the user SS:RSP in its frame, and iretq returns to ring 3.
import { describe, expect, it } from 'vitest';
import { Vector } from '../../cpu/faults.js';
import * as isa from '../../cpu/isa.js';
import { PageTableFlags as F } from '../../cpu/paging.js';
import { CODE_SEL, DATA, Diverged, GDT_BASE, IST_TOPS, PIC_RAISE, STACK_TOP, TSS_SEL } from '../support/cpu-rig.js';
import { KERNEL_PAGE, ring3Rig, RSP0_TOP, USER_CS, USER_DATA, USER_DS, USER_STACK_TOP, USER_TEXT_BASE } from '../support/ring3-rig.js';

const IF = 1 << 9;
const IOPL3 = 3 << 12;
const idtError = (vector: number) => vector * 8 + 2;
/** A handler that records its call and ends the test's guest run (a returning #GP handler would restart the instruction). */
const stop = (what: string) => () => { throw new Diverged(what); };

describe('CPL is CS.RPL', () => {
  it('a CS with RPL 3 makes the MMU treat accesses as user accesses; RPL 0 as supervisor', () => {
    const rig = ring3Rig();
    rig.user();
    expect([rig.cpu.regs.cpl, isa.readCs()]).toEqual([3, USER_CS]);
    const pf = rig.handle(Vector.PF, stop('pf'));
    expect(() => isa.load8(KERNEL_PAGE)).toThrow(Diverged);
    expect(pf.calls[0].errorCode).toBe(0b101); // PRESENT (protection) | USER
    expect(pf.calls[0].cs).toBe(CODE_SEL);
  });
});

describe('privileged instructions at CPL 3 raise #GP(0)', () => {
  it.each<[string, () => void]>([
    ['hlt', () => isa.hlt()],
    ['lgdt', () => isa.lgdt(DATA, 7)],
    ['lidt', () => isa.lidt(DATA, 7)],
    ['ltr', () => isa.ltr(TSS_SEL)],
    ['mov cr0, reg', () => isa.writeCr0(0)],
    ['mov cr3, reg', () => isa.writeCr3(0)],
    ['mov cr4, reg', () => isa.writeCr4(0)],
    ['mov reg, cr0', () => void isa.readCr0()],
    ['mov reg, cr2', () => void isa.readCr2()],
    ['mov reg, cr3', () => void isa.readCr3()],
    ['wrmsr', () => isa.wrmsr(0xc0000080, 0)],
    ['rdmsr', () => void isa.rdmsr(0xc0000080)],
    ['invlpg', () => isa.invlpg(USER_DATA)],
    ['swapgs', () => isa.swapgs()],
  ])('%s', (_name, run) => {
    const rig = ring3Rig();
    const gp = rig.handle(Vector.GP, stop('gp'));
    const before = { cr0: rig.cpu.regs.cr0, cr3: rig.cpu.regs.cr3, gdt: rig.cpu.gdtr.base, idt: rig.cpu.idtr.base };
    rig.user();
    expect(run).toThrow(Diverged);
    expect(gp.calls.map((c) => [c.errorCode, c.frame.cs, c.frame.ss])).toEqual([[0, USER_CS, USER_DS]]);
    expect({ cr0: rig.cpu.regs.cr0, cr3: rig.cpu.regs.cr3, gdt: rig.cpu.gdtr.base, idt: rig.cpu.idtr.base }).toEqual(before);
  });

  it('the same instructions at CPL 0 raise nothing', () => {
    const rig = ring3Rig();
    const gp = rig.handle(Vector.GP, stop('gp'));
    isa.readCr3();
    isa.wrmsr(0xc0000102, 0x1234);
    isa.swapgs();
    expect(isa.rdmsr(0xc0000101)).toBe(0x1234);
    expect(gp.calls).toHaveLength(0);
  });

  it('a #GP handler that returns makes the instruction run again (it is a fault)', () => {
    const rig = ring3Rig();
    let n = 0;
    // The 3rd time, the kernel raises IOPL in the frame iretq pops.
    rig.handle(Vector.GP, (frame) => { if (++n === 3) rig.write64(frame + 16, rig.read64(frame + 16) | IOPL3); });
    rig.user(0x202);
    isa.cli();
    expect(n).toBe(3);
    expect(rig.cpu.rflags & IF).toBe(0);
  });
});

describe('segment loads at CPL 3', () => {
  it('SS: a DPL-3 writable data segment with RPL 3 loads; null, RPL 0 or a kernel segment is #GP', () => {
    const rig = ring3Rig();
    const gp = rig.handle(Vector.GP, stop('gp'));
    rig.memory.write64(GDT_BASE + 0x38, 0x00cf93000000ffffn); // kernel data (DPL 0) in the last slot
    rig.user();
    isa.loadSs(USER_DS);
    expect(rig.cpu.ss).toBe(USER_DS);
    for (const sel of [0, USER_DS & ~3, 0x38 | 3]) {
      rig.user();
      expect(() => isa.loadSs(sel)).toThrow(Diverged);
    }
    expect(gp.calls.map((c) => c.errorCode)).toEqual([0, USER_DS & ~3, 0x38]);
  });

  it('CS: a far return may not go inward to the kernel code segment', () => {
    const rig = ring3Rig();
    const gp = rig.handle(Vector.GP, stop('gp'));
    rig.user();
    expect(() => isa.loadCs(CODE_SEL)).toThrow(Diverged);
    expect(gp.calls.map((c) => c.errorCode)).toEqual([CODE_SEL]);
  });
});

describe('cli / sti need CPL ≤ IOPL', () => {
  it.each([['cli', () => isa.cli()], ['sti', () => isa.sti()]])('%s at CPL 3: #GP(0) with IOPL 0, allowed with IOPL 3', (_n, run) => {
    const rig = ring3Rig();
    const gp = rig.handle(Vector.GP, stop('gp'));
    rig.user(0x202);
    expect(run).toThrow(Diverged);
    expect(gp.calls.map((c) => c.errorCode)).toEqual([0]);
    rig.user(0x202 | IOPL3);
    run();
    expect(gp.calls).toHaveLength(1);
  });
});

/** A TSS of 104 bytes + an I/O bitmap for ports 0..0x3ff (+ the terminating 0xff byte), loaded by ltr at 0x30. */
function ioBitmapTss(rig: ReturnType<typeof ring3Rig>, deny: number[]): void {
  const base = DATA + 0x3000;
  const mapOffset = 104;
  const limit = mapOffset + 0x400 / 8; // the last byte (0xff) sits at the limit
  rig.memory.bytes.fill(0, base, base + limit + 1);
  rig.memory.write16(base + 102, mapOffset);
  rig.write64(base + 4, RSP0_TOP);
  rig.memory.bytes[base + limit] = 0xff;
  for (const port of deny) rig.memory.bytes[base + mapOffset + (port >> 3)] |= 1 << (port & 7);
  const low = BigInt(limit & 0xffff) | (BigInt(base & 0xffffff) << 16n) | (0x89n << 40n) | (BigInt((base >>> 24) & 0xff) << 56n);
  rig.memory.write64(GDT_BASE + 0x30, low);
  rig.memory.write64(GDT_BASE + 0x38, 0n);
  isa.ltr(0x30);
}

describe('in / out at CPL 3: IOPL, then the TSS I/O permission bitmap', () => {
  it('without a bitmap (its base past the TSS limit) every port is refused with #GP(0)', () => {
    const rig = ring3Rig({ pic: true });
    const gp = rig.handle(Vector.GP, stop('gp'));
    rig.user();
    expect(() => isa.inb(0x300)).toThrow(Diverged);
    rig.user(); // the handler ended the run at CPL 0
    expect(() => isa.outb(0x301, 0)).toThrow(Diverged);
    expect(gp.calls.map((c) => c.errorCode)).toEqual([0, 0]);
  });

  it('a clear bit allows its port; a set bit refuses it; a wider access needs every bit clear', () => {
    const rig = ring3Rig({ pic: true });
    ioBitmapTss(rig, [0x304]);
    const gp = rig.handle(Vector.GP, stop('gp'));
    rig.user();
    expect(isa.inb(0x300)).toBe(0); // the test controller's INTA count
    isa.outb(0x301, 0);
    expect(() => isa.outb(0x304, 0)).toThrow(Diverged);
    rig.user();
    expect(() => isa.outl(0x302, 0)).toThrow(Diverged); // 0x302..0x305 includes 0x304
    expect(gp.calls).toHaveLength(2);
  });

  it('with IOPL 3 the bitmap is not consulted', () => {
    const rig = ring3Rig({ pic: true });
    const gp = rig.handle(Vector.GP, stop('gp'));
    rig.user(0x202 | IOPL3);
    expect(isa.inb(0x300)).toBe(0);
    expect(gp.calls).toHaveLength(0);
  });
});

describe('the MMU at CPL 3: U/S and R/W, and CR0.WP for the kernel', () => {
  it('user read of a supervisor page: #PF PRESENT | USER; user write to a read-only user page: PRESENT | WRITE | USER', () => {
    const rig = ring3Rig();
    const pf = rig.handle(Vector.PF, stop('pf'));
    rig.user();
    expect(isa.load8(USER_DATA)).toBe(0);
    expect(() => isa.load8(KERNEL_PAGE)).toThrow(Diverged);
    rig.user();
    expect(() => isa.store8(USER_TEXT_BASE, 1)).toThrow(Diverged);
    expect(pf.calls.map((c) => c.errorCode)).toEqual([0b101, 0b111]);
    expect(rig.cpu.cr2).toBe(USER_TEXT_BASE);
  });

  it('a supervisor write to a read-only page faults only while CR0.WP is set', () => {
    const rig = ring3Rig();
    const pf = rig.handle(Vector.PF, stop('pf'));
    expect(() => isa.store8(USER_TEXT_BASE, 1)).toThrow(Diverged);
    expect(pf.calls[0].errorCode).toBe(0b011); // PRESENT | WRITE, no USER
    isa.writeCr0(rig.cpu.regs.cr0 & ~(1 << 16));
    isa.store8(USER_TEXT_BASE, 1);
    expect(rig.memory.bytes[USER_TEXT_BASE]).toBe(1);
  });
});

describe('interrupts and exceptions from ring 3 switch to TSS.RSP0', () => {
  it('an IRQ in ring 3: handler at CPL 0 on RSP0 with SS null; the frame holds the user SS:RSP; iretq returns to ring 3', () => {
    const rig = ring3Rig({ pic: true });
    let inHandler = { ss: -1, cpl: -1 };
    const h = rig.handle(0x20, () => { inHandler = { ss: rig.cpu.ss, cpl: rig.cpu.regs.cpl }; });
    rig.user();
    rig.cpu.rsp = USER_STACK_TOP - 0x18; // not 16-aligned: the new stack is aligned, the user RSP saved as it was
    rig.raise(0x20);
    isa.load8(USER_DATA); // an instruction boundary in ring 3
    expect(h.calls).toHaveLength(1);
    const c = h.calls[0];
    expect(c.frameAddr).toBe(RSP0_TOP - 40);
    expect(c.frame).toMatchObject({ cs: USER_CS, ss: USER_DS, rsp: USER_STACK_TOP - 0x18 });
    expect(c.cs).toBe(CODE_SEL);
    expect(inHandler).toEqual({ ss: 0, cpl: 0 });
    expect([rig.cpu.regs.cpl, rig.cpu.cs, rig.cpu.ss, rig.cpu.rsp]).toEqual([3, USER_CS, USER_DS, USER_STACK_TOP - 0x18]);
  });

  it('a gate with an IST index uses the IST stack even from ring 3', () => {
    const rig = ring3Rig();
    const pf = rig.handle(Vector.PF, stop('pf'), { ist: 2 });
    rig.user();
    expect(() => isa.load8(KERNEL_PAGE)).toThrow(Diverged);
    expect(pf.calls[0].frameAddr).toBe(IST_TOPS[1] - 40);
  });

  it('an interrupt at CPL 0 stays on the current stack', () => {
    const rig = ring3Rig();
    const bp = rig.handle(Vector.BP);
    isa.int3();
    expect(bp.calls[0].frameAddr).toBe(STACK_TOP - 40);
  });

  it('a handler segment less privileged than CPL is #GP(selector)', () => {
    const rig = ring3Rig();
    const bp = rig.handle(Vector.BP, undefined, { selector: USER_CS & ~3 });
    const gp = rig.handle(Vector.GP, stop('gp'));
    expect(() => isa.int3()).toThrow(Diverged);
    expect(bp.calls).toHaveLength(0);
    expect(gp.calls[0].errorCode).toBe(USER_CS & ~3);
  });
});

describe('int n checks the gate DPL from ring 3', () => {
  it('DPL 0: #GP(n·8 + 2); DPL 3: the handler runs on RSP0 and returns to ring 3', () => {
    const rig = ring3Rig();
    const gp = rig.handle(Vector.GP, stop('gp'));
    const h0 = rig.handle(0x80, undefined, { dpl: 0 });
    rig.user();
    expect(() => isa.intn(0x80)).toThrow(Diverged);
    expect(gp.calls.map((c) => c.errorCode)).toEqual([idtError(0x80)]);
    expect(h0.calls).toHaveLength(0);
    const h3 = rig.handle(0x80, undefined, { dpl: 3 });
    rig.user();
    isa.intn(0x80);
    expect(h3.calls[0].frameAddr).toBe(RSP0_TOP - 40);
    expect(h3.calls[0].frame.cs).toBe(USER_CS);
    expect(rig.cpu.regs.cpl).toBe(3);
  });
});
