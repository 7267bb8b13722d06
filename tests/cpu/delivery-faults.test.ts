// Faults a kernel lives through (blog-os-behaviour.md §7.1–7.3, §9.2, §17; AMD64 §8.2.9): a page
// fault reports CR2 and its error code and restarts the instruction when the handler returns; a
// fault while delivering another is handled serially or becomes a double fault; a fault while
// delivering #DF is a triple fault; a kernel stack overflow reaches the #DF handler only on IST.
import { describe, expect, it } from 'vitest';
import { MachineReset, MachineStop } from '../../cpu/errors.js';
import { PF_PRESENT, PF_WRITE, Vector } from '../../cpu/faults.js';
import { div, fn, int3, load32, loadCs, outb, readCr2, sti, store32 } from '../../cpu/isa.js';
import { PageTableFlags as F } from '../../cpu/paging.js';
import { TEXT } from '../../cpu/text.js';
import { cpuRig, DATA, Diverged, GUARD_PAGE, IST_TOPS, PIC_RAISE, STACK_BOTTOM, STACK_TOP, type CpuRig } from '../support/cpu-rig.js';

const FAULT_ADDR = 0xdeadbeaf; // the blog's example: not mapped (memory is 4 MiB, identity mapped)

/** The rig's #DF handler: diverging, as `double_fault_handler -> !` is. */
function doubleFaultHandler(rig: CpuRig, ist = 1) {
  return rig.handle(Vector.DF, () => { throw new Diverged('double fault'); }, { ist, name: 'test::double_fault_handler' });
}

describe('page faults', () => {
  it('set CR2, push the §9.2 error code, and a handler that maps the page and returns restarts the store', () => {
    const rig = cpuRig({ paging: true });
    let cr2 = -1;
    const pf = rig.handle(Vector.PF, () => {
      cr2 = readCr2();
      rig.pt!.map(0xdeadb000, DATA, { flags: F.PRESENT | F.WRITABLE });
    });
    const at = rig.cpu.rip;
    store32(FAULT_ADDR, 42);
    expect(pf.calls).toHaveLength(1);
    expect(cr2).toBe(FAULT_ADDR);
    expect(pf.calls[0].errorCode).toBe(PF_WRITE); // CAUSED_BY_WRITE: not present, write, supervisor
    expect(pf.calls[0].frame.rip).toBe(at); // a fault: RIP is the faulting instruction
    expect(rig.memory.read32(DATA + 0xeaf)).toBe(42); // the restarted store landed
    expect(load32(FAULT_ADDR)).toBe(42);
  });

  it.each([
    ['a read of a not-present page', 0, () => load32(FAULT_ADDR), FAULT_ADDR],
    ['a write to a read-only page (CR0.WP)', PF_PRESENT | PF_WRITE, () => store32(DATA, 1), DATA],
  ])('%s: error code %i', (_what, code, run, cr2) => {
    const rig = cpuRig({ paging: true });
    rig.pt!.edit(DATA, 1, 0, F.WRITABLE);
    rig.cpu.mmu.flush();
    const pf = rig.handle(Vector.PF, () => { throw new Diverged('pf'); });
    expect(run).toThrow(Diverged);
    expect({ code: pf.calls[0].errorCode, cr2: rig.cpu.cr2 }).toEqual({ code, cr2 });
    expect(rig.traced('cpu.exception').map((r) => r.fields)).toEqual([{ vector: 14, error_code: code, cr2 }]);
  });

  it('a fault inside a handler is an ordinary fault, not a double fault', () => {
    const rig = cpuRig({ paging: true });
    const df = doubleFaultHandler(rig);
    const pf = rig.handle(Vector.PF, () => { rig.pt!.map(0xdeadb000, DATA, { flags: F.PRESENT | F.WRITABLE }); });
    const bp = rig.handle(Vector.BP, () => { store32(FAULT_ADDR, 7); });
    int3();
    expect([bp.calls.length, pf.calls.length, df.calls.length]).toEqual([1, 1, 0]);
    expect(rig.memory.read32(DATA + 0xeaf)).toBe(7);
  });
});

describe('double faults (AMD64 §8.2.9)', () => {
  it('#PF with a missing #PF gate: #NP during delivery → #DF with error code 0, frame RIP = the faulting store', () => {
    const rig = cpuRig({ paging: true });
    const np = rig.handle(Vector.NP); // present, but a contributory fault during #PF delivery is not handled serially
    const df = doubleFaultHandler(rig);
    const at = rig.cpu.rip;
    expect(() => store32(FAULT_ADDR, 42)).toThrow(Diverged);
    expect(np.calls).toHaveLength(0);
    expect(df.calls).toHaveLength(1);
    expect(df.calls[0].errorCode).toBe(0);
    expect(rig.read64(df.calls[0].rsp)).toBe(0); // the pushed error code
    expect(df.calls[0].frame.rip).toBe(at);
    expect(rig.cpu.cr2).toBe(FAULT_ADDR);
    const t = rig.traced();
    expect(t.filter((r) => r.kind === 'cpu.exception').map((r) => [r.fields.vector, r.fields.error_code])).toEqual([[14, PF_WRITE], [11, 14 * 8 + 3]]);
    expect(t.filter((r) => r.kind === 'cpu.double_fault').map((r) => r.fields)).toEqual([{ first: 14, second: 11 }]);
  });

  it('#DE (contributory) then #NP (contributory) → #DF', () => {
    const rig = cpuRig();
    const np = rig.handle(Vector.NP);
    const df = doubleFaultHandler(rig);
    expect(() => div(1, 0)).toThrow(Diverged);
    expect([np.calls.length, df.calls.length]).toEqual([0, 1]);
    expect(rig.traced('cpu.double_fault').map((r) => r.fields)).toEqual([{ first: 0, second: 11 }]);
  });

  it('#GP (contributory) then #GP on an invalid gate → #DF', () => {
    const rig = cpuRig();
    rig.gate(Vector.GP, 0, { type: 0 });
    const df = doubleFaultHandler(rig);
    expect(() => loadCs(0x10)).toThrow(Diverged);
    expect(df.calls).toHaveLength(1);
    expect(rig.traced('cpu.double_fault').map((r) => r.fields)).toEqual([{ first: 13, second: 13 }]);
  });

  it('#PF then #GP (an invalid #PF gate) → #DF', () => {
    const rig = cpuRig({ paging: true });
    rig.gate(Vector.PF, 0, { type: 0 });
    const gp = rig.handle(Vector.GP);
    const df = doubleFaultHandler(rig);
    expect(() => load32(FAULT_ADDR)).toThrow(Diverged);
    expect([gp.calls.length, df.calls.length]).toEqual([0, 1]);
    expect(rig.traced('cpu.double_fault').map((r) => r.fields)).toEqual([{ first: 14, second: 13 }]);
  });

  it('#PF then #PF (pushing the frame onto an unmapped stack) → #DF; the #DF frame records the faulting RSP', () => {
    const rig = cpuRig({ paging: true });
    const pf = rig.handle(Vector.PF);
    const df = doubleFaultHandler(rig);
    rig.unmap(STACK_TOP - 0x1000);
    expect(() => load32(FAULT_ADDR)).toThrow(Diverged);
    expect([pf.calls.length, df.calls.length]).toEqual([0, 1]);
    expect(df.calls[0].frame.rsp).toBe(STACK_TOP);
    expect(df.calls[0].frameAddr).toBe(IST_TOPS[0] - 40);
    expect(rig.cpu.cr2).toBe(STACK_TOP - 8); // the second #PF: the first push
    expect(rig.traced('cpu.double_fault').map((r) => r.fields)).toEqual([{ first: 14, second: 14 }]);
  });

  it('a benign first event is handled serially: int3 with a missing #BP gate → the #NP handler, no #DF', () => {
    const rig = cpuRig();
    const np = rig.handle(Vector.NP);
    const df = doubleFaultHandler(rig);
    int3();
    expect([np.calls.length, df.calls.length]).toEqual([1, 0]);
  });

  it('an IRQ with a missing gate → #NP handled serially (with no #NP gate either: #NP then #NP → #DF)', () => {
    const rig = cpuRig({ pic: true });
    const df = doubleFaultHandler(rig);
    sti();
    expect(() => outb(PIC_RAISE, 0x20)).toThrow(Diverged);
    expect(df.calls).toHaveLength(1);
    expect(rig.traced('cpu.exception').map((r) => [r.fields.vector, r.fields.error_code])).toEqual([[11, 0x20 * 8 + 3], [11, 11 * 8 + 3]]);
  });

  it('#DE then #PF is handled serially, and the faulting push committed nothing: the retried #DE frame lands where it should', () => {
    const rig = cpuRig({ paging: true });
    const df = doubleFaultHandler(rig);
    const pf = rig.handle(Vector.PF, () => rig.remap(STACK_TOP - 0x1000), { ist: 2 });
    const de = rig.handle(Vector.DE, () => { throw new Diverged('de'); });
    rig.unmap(STACK_TOP - 0x1000);
    rig.cpu.rsp = STACK_TOP - 8;
    expect(() => div(1, 0)).toThrow(Diverged);
    expect(df.calls).toHaveLength(0);
    expect(pf.calls).toHaveLength(1);
    expect(pf.calls[0].frame.rsp).toBe(STACK_TOP - 8);
    expect(pf.calls[0].errorCode).toBe(PF_WRITE);
    expect(rig.cpu.cr2).toBe(STACK_TOP - 16 - 8);
    expect(de.calls[0].frameAddr).toBe(STACK_TOP - 16 - 40);
    expect(de.calls[0].frame.rsp).toBe(STACK_TOP - 8);
  });
});

describe('triple fault', () => {
  it('a fault while delivering #DF resets the machine (MachineReset)', () => {
    const rig = cpuRig({ paging: true });
    expect(() => store32(FAULT_ADDR, 42)).toThrow(MachineReset);
    expect(rig.traced('cpu.triple_fault').map((r) => r.fields)).toEqual([{ last: 11, action: 'reset' }]);
  });

  it('with no_reboot it stops the machine: MachineStop("triple-fault"), status 0', () => {
    const rig = cpuRig({ paging: true, cpu: { noReboot: true } });
    let stop: unknown;
    try {
      store32(FAULT_ADDR, 42);
    } catch (e) {
      stop = e;
    }
    expect(stop).toBeInstanceOf(MachineStop);
    expect({ reason: (stop as MachineStop).reason, status: (stop as MachineStop).status }).toEqual({ reason: 'triple-fault', status: 0 });
    expect(rig.traced('cpu.triple_fault').map((r) => r.fields.action)).toEqual(['exit']);
  });
});

describe('kernel stack overflow into the guard page (post 06)', () => {
  function overflow(ist: number) {
    const rig = cpuRig({ paging: true });
    rig.unmap(GUARD_PAGE);
    const pf = rig.handle(Vector.PF);
    const df = doubleFaultHandler(rig, ist);
    let depth = 0;
    const stack_overflow = fn('test::stack_overflow', (): void => {
      depth++;
      stack_overflow(); // for each recursion, the return address is pushed
    });
    rig.cpu.rsp = STACK_BOTTOM + 0x100;
    let thrown: unknown;
    try {
      stack_overflow();
    } catch (e) {
      thrown = e;
    }
    return { rig, pf, df, depth, thrown };
  }

  it('with the #DF gate on IST1 the #DF handler runs on the IST stack; its frame records the faulting RSP', () => {
    const { rig, pf, df, depth, thrown } = overflow(1);
    expect(thrown).toBeInstanceOf(Diverged);
    expect(depth).toBe(0x100 / 8);
    expect(pf.calls).toHaveLength(0);
    expect(df.calls).toHaveLength(1);
    const c = df.calls[0];
    expect(c.frameAddr).toBe(IST_TOPS[0] - 40);
    expect(c.frame.rsp).toBe(STACK_BOTTOM); // the call that faulted had not moved RSP
    expect(TEXT.at(c.frame.rip)?.name).toBe('test::stack_overflow'); // the call that faulted
    expect(rig.cpu.cr2).toBe(STACK_BOTTOM - 8);
    const t = rig.traced();
    expect(t.filter((r) => r.kind === 'cpu.exception').map((r) => [r.fields.vector, r.fields.cr2])).toEqual([[14, STACK_BOTTOM - 8], [14, STACK_BOTTOM - 8]]);
    expect(t.filter((r) => r.kind === 'cpu.double_fault').map((r) => r.fields)).toEqual([{ first: 14, second: 14 }]);
  });

  it('without IST the #DF frame cannot be pushed either: triple fault', () => {
    const { rig, df, thrown } = overflow(0);
    expect(thrown).toBeInstanceOf(MachineReset);
    expect(df.calls).toHaveLength(0);
    expect(rig.traced('cpu.triple_fault').map((r) => r.fields.last)).toEqual([14]);
  });
});
