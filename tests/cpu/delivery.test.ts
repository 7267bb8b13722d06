// What a kernel observes of interrupt and exception delivery (Intel SDM vol. 3 §6.12–6.14,
// blog-os-behaviour.md §6.1, §7.3, §17): the CPU reads the gate from the IDT in memory, pushes
// the frame onto the stack in memory, switches to an IST stack, clears IF for interrupt gates,
// and `iretq` pops what is in memory. Faults on the IDT itself (#NP, #GP) carry the IDT error code.
import { describe, expect, it } from 'vitest';
import { div, int3, lidt, load64, loadCs, ltr, outb, readCs, readRflags, readRsp, sti, store64 } from '../../cpu/isa.js';
import { Vector } from '../../cpu/faults.js';
import { TEXT } from '../../cpu/text.js';
import { InterruptDescriptorTable } from '../../kernel/x86_64/idt.js';
import { Descriptor, GlobalDescriptorTable } from '../../kernel/x86_64/gdt.js';
import { TaskStateSegment } from '../../kernel/x86_64/tss.js';
import { CODE_SEL, cpuRig, DATA, Diverged, GDT_BASE, IDT_BASE, IST_TOPS, KERNEL_CODE, PIC_RAISE, STACK_TOP, TSS_BASE } from '../support/cpu-rig.js';

const IF = 1 << 9;
/** Error code of a fault on IDT entry `vector`: index·8 | IDT (2) | EXT (1). */
const idtError = (vector: number, ext: boolean) => vector * 8 + 2 + (ext ? 1 : 0);

describe('the gate is read from the IDT in memory', () => {
  it('enters the handler at the 64-bit offset assembled from the three offset fields', () => {
    const rig = cpuRig();
    const base = 0x7f12_3456_7800;
    let ripAtEntry = -1;
    const sym = TEXT.define({ name: 'test-high-text', base, size: 0x1000 }, 'test::high_handler', () => { ripAtEntry = rig.cpu.rip; });
    rig.gate(Vector.BP, sym.addr);
    expect([rig.memory.read16(IDT_BASE + 48), rig.memory.read16(IDT_BASE + 48 + 6), rig.memory.read32(IDT_BASE + 48 + 8)]).toEqual([0x7800, 0x3456, 0x7f12]);
    int3();
    expect(ripAtEntry).toBe(base);
  });

  it('reads the gate from wherever lidt put the IDT, not from a cached copy', () => {
    const rig = cpuRig();
    const first = rig.handle(Vector.BP);
    int3();
    // The kernel rewrites the gate in memory: the next int3 follows the new bytes.
    const second = rig.handle(Vector.BP);
    int3();
    // A second IDT elsewhere.
    const other = rig.handler('test::other_idt_bp');
    rig.memory.bytes.copyWithin(DATA, IDT_BASE, IDT_BASE + 4096);
    lidt(DATA, 4095);
    rig.memory.write16(DATA + 48, other.addr & 0xffff);
    rig.memory.write16(DATA + 48 + 6, other.addr >>> 16);
    int3();
    expect([first.calls.length, second.calls.length, other.calls.length]).toEqual([1, 1, 1]);
  });

  it('the handler runs with the gate selector in CS; the frame holds the interrupted CS; iretq restores it', () => {
    const rig = cpuRig();
    rig.memory.write64(GDT_BASE + 0x20, KERNEL_CODE); // a second 64-bit code segment at 0x20
    let csInHandler = -1;
    const h = rig.handle(Vector.BP, () => { csInHandler = readCs(); }, { selector: 0x20 });
    int3();
    expect(csInHandler).toBe(0x20);
    expect(h.calls[0].frame.cs).toBe(CODE_SEL);
    expect(rig.cpu.cs).toBe(CODE_SEL);
  });

  it('a gate whose selector is not a 64-bit code segment raises #GP(selector)', () => {
    const rig = cpuRig();
    const bp = rig.handle(Vector.BP, undefined, { selector: 0x10 }); // the TSS descriptor
    const gp = rig.handle(Vector.GP);
    int3();
    expect(bp.calls).toHaveLength(0);
    expect(gp.calls.map((c) => c.errorCode)).toEqual([0x10]);
  });

  describe('a not-present gate raises #NP with error code vector·8 + 2 (+1 EXT)', () => {
    it('for int3 (software: EXT clear)', () => {
      const rig = cpuRig();
      rig.gate(Vector.BP, rig.handler('test::unused').addr, { present: false });
      const np = rig.handle(Vector.NP);
      int3();
      expect(np.calls.map((c) => c.errorCode)).toEqual([idtError(3, false)]);
    });

    it('for an exception (#UD, benign, so the #NP is handled serially: EXT set)', () => {
      const rig = cpuRig();
      rig.gate(Vector.BP, 0x7e0000); // no code there: entering the handler is #UD
      const np = rig.handle(Vector.NP);
      int3();
      expect(np.calls.map((c) => c.errorCode)).toEqual([idtError(Vector.UD, true)]);
      expect(rig.traced('cpu.exception').map((r) => r.fields.vector)).toEqual([Vector.BP, Vector.UD, Vector.NP]);
    });

    it('for an IRQ (EXT set)', () => {
      const rig = cpuRig({ pic: true });
      const np = rig.handle(Vector.NP);
      sti();
      outb(PIC_RAISE, 0x20);
      expect(np.calls.map((c) => c.errorCode)).toEqual([idtError(0x20, true)]);
    });
  });

  it.each([
    ['an all-zero entry (type 0)', 0x0],
    ['a call gate (type 0xC)', 0xc],
    ['a 32-bit-style type (0x6)', 0x6],
  ])('%s raises #GP(vector·8 + 2)', (_what, type) => {
    const rig = cpuRig();
    const bp = rig.handle(Vector.BP, undefined, { type });
    const gp = rig.handle(Vector.GP);
    int3();
    expect(bp.calls).toHaveLength(0);
    expect(gp.calls.map((c) => c.errorCode)).toEqual([idtError(3, false)]);
  });

  it('a vector whose gate does not fit under the IDT limit raises #GP (the limit is inclusive)', () => {
    const rig = cpuRig({ pic: true });
    const timer = rig.handle(0x20);
    const gp = rig.handle(Vector.GP);
    sti();
    rig.cpu.idtr.limit = 0x20 * 16 + 14; // one byte short of gate 0x20
    outb(PIC_RAISE, 0x20);
    expect(gp.calls.map((c) => c.errorCode)).toEqual([idtError(0x20, true)]);
    rig.cpu.idtr.limit = 0x20 * 16 + 15;
    outb(PIC_RAISE, 0x20);
    expect(timer.calls).toHaveLength(1);
    expect(gp.calls).toHaveLength(1);
  });

  it('the gate DPL is checked for int3 from CPL 3, not for exceptions', () => {
    const rig = cpuRig();
    const bp = rig.handle(Vector.BP, undefined, { dpl: 0 });
    const gp = rig.handle(Vector.GP);
    rig.write64(TSS_BASE + 4, STACK_TOP - 0x1000); // TSS.RSP0: the #GP from CPL 3 switches to it
    rig.cpu.regs.cpl = 3;
    int3();
    expect(gp.calls.map((c) => c.errorCode)).toEqual([idtError(3, false)]);
    rig.gate(Vector.BP, bp.addr, { dpl: 3 });
    int3();
    expect(bp.calls).toHaveLength(1);
    const de = rig.handle(Vector.DE, () => { throw new Diverged('de'); }, { dpl: 0 });
    expect(() => div(1, 0)).toThrow(Diverged);
    expect(de.calls).toHaveLength(1);
  });

  it('tables written by the kernel\'s own x86_64 writers work: GDT, TSS with IST1, IDT with set_stack_index', () => {
    const rig = cpuRig();
    rig.cpu.gdtr.limit = 0; // forget the rig's GDT
    const tss = new TaskStateSegment(DATA + 0x1000).reset();
    tss.set_interrupt_stack(0, DATA + 0x4000);
    const gdt = new GlobalDescriptorTable(DATA).reset();
    const code = gdt.append(Descriptor.kernel_code_segment());
    const tssSel = gdt.append(Descriptor.tss_segment(tss.addr));
    gdt.load();
    loadCs(code.value);
    ltr(tssSel.value);
    const idt = new InterruptDescriptorTable(DATA + 0x2000).reset();
    const h = rig.handler('test::kernel_idt_bp');
    idt.set_handler_fn(Vector.BP, h).set_stack_index(0);
    idt.load();
    int3();
    expect(h.calls).toHaveLength(1);
    expect(h.calls[0].frameAddr).toBe(DATA + 0x4000 - 40);
    expect(h.calls[0].cs).toBe(0x08);
    expect([rig.cpu.gdtr.base, rig.cpu.idtr.base, rig.cpu.idtr.limit]).toEqual([DATA, DATA + 0x2000, 4095]);
  });
});

describe('the frame is pushed onto the stack in memory', () => {
  it.each([
    ['aligned', STACK_TOP - 0x100, STACK_TOP - 0x100],
    ['misaligned by 8', STACK_TOP - 0x108 + 0x10, STACK_TOP - 0x100],
    ['misaligned by 13', STACK_TOP - 0x100 + 13, STACK_TOP - 0x100],
  ])('RSP %s: aligned down to 16, then SS, RSP, RFLAGS, CS, RIP at −8 … −40', (_what, rsp, aligned) => {
    const rig = cpuRig();
    const h = rig.handle(Vector.BP);
    rig.cpu.rsp = rsp;
    rig.cpu.ss = 0x2b; // a value nothing else produces
    rig.cpu.rflags = 0x2 | IF | 0x1; // CF: something besides IF
    const rip = rig.cpu.rip;
    int3();
    const frameAddr = aligned - 40;
    expect(h.calls[0].frameAddr).toBe(frameAddr);
    expect(h.calls[0].rsp).toBe(frameAddr);
    expect({
      ss: rig.read64(aligned - 8), rsp: rig.read64(aligned - 16), rflags: rig.read64(aligned - 24), cs: rig.read64(aligned - 32), rip: rig.read64(aligned - 40),
    }).toEqual({ ss: 0x2b, rsp, rflags: 0x2 | IF | 0x1, cs: CODE_SEL, rip: rip + 1 });
    expect(rig.cpu.rsp).toBe(rsp); // iretq: back on the interrupted stack, unaligned as it was
  });

  it('an exception with an error code pushes it below RIP; the handler gets the frame above it', () => {
    const rig = cpuRig();
    const gp = rig.handle(Vector.GP, () => { throw new Diverged('gp'); });
    expect(() => loadCs(0x10)).toThrow(Diverged); // the TSS is not a code segment
    const c = gp.calls[0];
    expect(c.errorCode).toBe(0x10);
    expect(c.frameAddr).toBe(STACK_TOP - 40);
    expect(c.rsp).toBe(STACK_TOP - 48);
    expect(rig.read64(STACK_TOP - 48)).toBe(0x10);
    expect(c.frame.rsp).toBe(STACK_TOP);
  });

  it.each([
    ['#BP', Vector.BP, () => int3()],
    ['#DE', Vector.DE, () => div(7, 0)],
  ])('%s pushes no error code', (_name, vector, run) => {
    const rig = cpuRig();
    const h = rig.handle(vector, () => { throw new Diverged('h'); });
    rig.write64(STACK_TOP - 48, 0x5a5a);
    expect(run).toThrow(Diverged);
    expect(h.calls[0].rsp).toBe(STACK_TOP - 40);
    expect(h.calls[0].frameAddr).toBe(STACK_TOP - 40);
    expect(rig.read64(STACK_TOP - 48)).toBe(0x5a5a);
  });

  it('an IRQ pushes no error code', () => {
    const rig = cpuRig({ pic: true });
    const h = rig.handle(0x21);
    rig.write64(STACK_TOP - 48, 0x5a5a);
    sti();
    outb(PIC_RAISE, 0x21);
    expect(h.calls[0].rsp).toBe(STACK_TOP - 40);
    expect(rig.read64(STACK_TOP - 48)).toBe(0x5a5a);
  });

  it('iretq pops RIP, CS, RFLAGS, RSP and SS from memory (a handler may edit the frame)', () => {
    const rig = cpuRig();
    rig.handle(Vector.BP, (frame) => {
      store64(frame + 16, BigInt(load64(frame + 16)) | 1n); // set CF in the saved RFLAGS
      store64(frame + 24, BigInt(DATA + 0x800)); // resume on another stack
    });
    int3();
    expect(readRflags() & 1).toBe(1);
    expect(readRsp()).toBe(DATA + 0x800);
  });
});

describe('IF: interrupt gates clear it, trap gates keep it, iretq restores it', () => {
  it('interrupt gate: IF = 0 in the handler, IF = 1 in the frame and after iretq', () => {
    const rig = cpuRig();
    let inside = -1;
    const h = rig.handle(Vector.BP, () => { inside = readRflags() & IF; });
    sti();
    int3();
    expect(inside).toBe(0);
    expect(h.calls[0].frame.rflags & IF).toBe(IF);
    expect(readRflags() & IF).toBe(IF);
  });

  it('entry clears TF, NT and RF; the frame keeps them and iretq puts them back', () => {
    const rig = cpuRig();
    const TF = 1 << 8, NT = 1 << 14, RF = 1 << 16;
    const h = rig.handle(Vector.BP, undefined, { type: 0xf });
    rig.cpu.rflags = 0x2 | TF | NT | RF;
    int3();
    expect(h.calls[0].rflags & (TF | NT | RF)).toBe(0);
    expect(h.calls[0].frame.rflags).toBe(0x2 | TF | NT | RF);
    expect(rig.cpu.rflags).toBe(0x2 | TF | NT | RF);
  });

  it('trap gate: IF stays 1 in the handler', () => {
    const rig = cpuRig();
    let inside = -1;
    rig.handle(Vector.BP, () => { inside = readRflags() & IF; }, { type: 0xf });
    sti();
    int3();
    expect(inside).toBe(IF);
  });

  it('an IRQ can interrupt a trap-gate handler, not an interrupt-gate handler', () => {
    const nested = (type: number) => {
      const rig = cpuRig({ pic: true });
      const irq = rig.handle(0x20);
      let during = -1;
      rig.handle(Vector.BP, () => {
        outb(PIC_RAISE, 0x20);
        during = irq.calls.length;
      }, { type });
      sti();
      int3();
      return { during, after: irq.calls.length };
    };
    expect(nested(0xf)).toEqual({ during: 1, after: 1 });
    expect(nested(0xe)).toEqual({ during: 0, after: 1 }); // taken after iretq restores IF
  });
});

describe('IST', () => {
  it('a gate with IST n runs its handler on TSS.IST[n], aligned down to 16; the frame records the interrupted RSP', () => {
    const rig = cpuRig();
    const ist3 = 0x57008; // misaligned
    rig.write64(TSS_BASE + 0x24 + 16, ist3);
    const h = rig.handle(Vector.BP, undefined, { ist: 3 });
    rig.cpu.rsp = STACK_TOP - 0x18;
    int3();
    expect(h.calls[0].frameAddr).toBe(0x57000 - 40);
    expect(h.calls[0].frame.rsp).toBe(STACK_TOP - 0x18);
    expect(rig.cpu.rsp).toBe(STACK_TOP - 0x18);
    expect(rig.traced('cpu.int').map((r) => r.fields)).toEqual([{ vector: 3, handler: h.name, ist: 3, rsp: 0x57000 - 40, depth: 1 }]);
  });

  it.each([1, 2, 7])('IST%i reads its own TSS slot (0x24 + 8·(n−1))', (n) => {
    const rig = cpuRig();
    rig.write64(TSS_BASE + 0x24 + 8 * 6, 0x5e000); // IST7
    const h = rig.handle(Vector.BP, undefined, { ist: n });
    int3();
    expect(h.calls[0].frameAddr).toBe((n === 7 ? 0x5e000 : IST_TOPS[n - 1]) - 40);
  });

  it('IST 0 stays on the current stack', () => {
    const rig = cpuRig();
    const h = rig.handle(Vector.BP, undefined, { ist: 0 });
    int3();
    expect(h.calls[0].frameAddr).toBe(STACK_TOP - 40);
  });

  it('re-entering an IST gate starts again at the top of the IST stack (the TSS slot is not updated)', () => {
    const rig = cpuRig();
    const frames: number[] = [];
    rig.handle(Vector.BP, (frame) => { frames.push(frame); if (frames.length === 1) int3(); }, { ist: 1 });
    int3();
    expect(frames).toEqual([IST_TOPS[0] - 40, IST_TOPS[0] - 40]);
  });
});

describe('int3', () => {
  it('is a trap: #BP without error code, the frame RIP is the next instruction, execution continues there', () => {
    const rig = cpuRig();
    const bp = rig.handle(Vector.BP);
    const de = rig.handle(Vector.DE, () => { throw new Diverged('de'); });
    const at = rig.cpu.rip;
    int3();
    expect(bp.calls[0].errorCode).toBe(0);
    expect(bp.calls[0].frame.rip).toBe(at + 1);
    // The next instruction faults: a fault reports its own RIP, which is where int3 said execution resumes.
    expect(() => div(1, 0)).toThrow(Diverged);
    expect(de.calls[0].frame.rip).toBe(at + 1);
  });
});

describe('traces and counters', () => {
  it('INTA traces cpu.inta, delivery traces cpu.int with the handler name, iretq cpu.iret, vectorCounts counts deliveries', () => {
    const rig = cpuRig({ pic: true });
    rig.handle(0x20, undefined, { name: 'blog_os::interrupts::timer_interrupt_handler' });
    sti();
    rig.traced();
    outb(PIC_RAISE, 0x20);
    const t = rig.traced().filter((r) => r.kind.startsWith('cpu.'));
    expect(t.map((r) => ({ kind: r.kind, ...r.fields }))).toEqual([
      { kind: 'cpu.inta', vector: 0x20 },
      { kind: 'cpu.int', vector: 0x20, handler: 'blog_os::interrupts::timer_interrupt_handler', rsp: STACK_TOP - 40, depth: 1 },
      // An empty handler: its time is the iretq's.
      { kind: 'cpu.iret', vector: 0x20, duration: rig.cpu.clock.costs.iret, depth: 1 },
    ]);
    outb(PIC_RAISE, 0x20);
    expect(rig.cpu.control.vectorCounts[0x20]).toBe(2);
    expect(rig.cpu.control.vectorCounts[Vector.BP]).toBe(0);
  });

  it('exceptions trace cpu.exception with vector and error code; int3 is counted in vectorCounts', () => {
    const rig = cpuRig();
    rig.handle(Vector.BP, undefined, { name: 'test::bp' });
    rig.handle(Vector.GP, () => { throw new Diverged('gp'); });
    int3();
    expect(() => loadCs(0x10)).toThrow(Diverged);
    const ex = rig.traced('cpu.exception').map((r) => r.fields);
    expect(ex).toEqual([{ vector: 3, error_code: 0 }, { vector: 13, error_code: 0x10 }]);
    expect(rig.cpu.control.vectorCounts[Vector.BP]).toBe(1);
    expect(rig.cpu.control.vectorCounts[Vector.GP]).toBe(1);
  });
});
