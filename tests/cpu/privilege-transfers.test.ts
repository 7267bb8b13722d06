// Transfers between rings (AMD64 APM vol. 2 §6.1.1, §8.9; vol. 3 IRET, SYSCALL, SYSRET, SWAPGS):
// iretq to ring 3 and its selector checks, syscall/sysretq through EFER.SCE, STAR, LSTAR and
// SFMASK, swapgs with KernelGSBase, and the kernel's resume point that ends a program.
import { describe, expect, it } from 'vitest';
import { Vector } from '../../cpu/faults.js';
import * as isa from '../../cpu/isa.js';
import { MSR_GS_BASE, MSR_KERNEL_GS_BASE, MSR_LSTAR, MSR_SFMASK, MSR_STAR } from '../../cpu/syscall.js';
import { MSR_EFER } from '../../cpu/system.js';
import { CODE_SEL, DATA, Diverged, STACK_TOP } from '../support/cpu-rig.js';
import { KERNEL_DS, ring3Rig, USER_CS, USER_DATA, USER_DS, USER_STACK_TOP, type Ring3Rig } from '../support/ring3-rig.js';

const IF = 1 << 9;
const stop = (what: string) => () => { throw new Diverged(what); };

/** The kernel's way into ring 3: push SS, RSP, RFLAGS, CS, RIP on its stack, then iretq. */
function iretqTo(rig: Ring3Rig, rip: number, cs = USER_CS, ss = USER_DS, rsp = USER_STACK_TOP - 8, rflags = 0x202): never {
  const frame = rig.cpu.rsp - 40;
  [rip, cs, rflags, rsp, ss].forEach((v, i) => rig.write64(frame + 8 * i, v));
  isa.writeRsp(frame);
  return isa.iretq();
}

describe('iretq to ring 3', () => {
  it('enters the function at RIP at CPL 3 with the user CS, SS, RSP and RFLAGS', () => {
    const rig = ring3Rig();
    let seen: number[] = [];
    const main = rig.userFn('user::main', () => {
      seen = [rig.cpu.regs.cpl, isa.readCs(), isa.readSs(), isa.readRsp(), isa.readRflags() & IF];
      throw new Diverged('main');
    });
    expect(() => iretqTo(rig, main.addr)).toThrow(Diverged);
    expect(seen).toEqual([3, USER_CS, USER_DS, USER_STACK_TOP - 8, IF]);
  });

  it('when the entry function returns, ret pops the next RIP from the user stack: 0 is a user instruction-fetch #PF', () => {
    // (The rig maps page 0 for the kernel, so it is a protection violation here; unmapped, P would be clear.)
    const rig = ring3Rig();
    const pf = rig.handle(Vector.PF, stop('pf'));
    const main = rig.userFn('user::returns', () => 7);
    rig.write64(USER_STACK_TOP - 8, 0);
    expect(() => iretqTo(rig, main.addr)).toThrow(Diverged);
    expect(pf.calls[0].errorCode).toBe(0b10101); // PRESENT, USER, INSTRUCTION_FETCH
    expect(pf.calls[0].frame).toMatchObject({ rip: 0, cs: USER_CS, rsp: USER_STACK_TOP });
  });

  it('a user program calling a kernel function faults on the fetch (PRESENT | USER | INSTRUCTION_FETCH)', () => {
    const rig = ring3Rig();
    const pf = rig.handle(Vector.PF, stop('pf'));
    const kernelFn = isa.fn('kernel::secret', () => 1);
    const main = rig.userFn('user::calls_kernel', () => kernelFn());
    expect(() => iretqTo(rig, main.addr)).toThrow(Diverged);
    expect(pf.calls[0].errorCode).toBe(0b10101);
    expect(rig.cpu.cr2).toBe(kernelFn.addr);
  });

  it.each<[string, number, number, number]>([
    ['a DPL-0 code segment with RPL 3 (DPL ≠ RPL)', CODE_SEL | 3, USER_DS, CODE_SEL],
    ['SS with RPL 0', USER_CS, USER_DS & ~3, USER_DS & ~3],
    ['SS naming a code segment', USER_CS, USER_CS, USER_CS & ~3],
    ['SS naming a kernel data segment (DPL 0)', USER_CS, KERNEL_DS | 3, KERNEL_DS],
    ['a null SS', USER_CS, 3, 0],
    ['CS naming a data segment', USER_DS, USER_DS, USER_DS & ~3],
  ])('%s: #GP with that selector (or 0 for null)', (_what, cs, ss, code) => {
    const rig = ring3Rig();
    const gp = rig.handle(Vector.GP, stop('gp'));
    const main = rig.userFn('user::never', stop('entered'));
    expect(() => iretqTo(rig, main.addr, cs, ss)).toThrow(/gp/);
    expect(gp.calls.map((c) => c.errorCode)).toEqual([code]);
    expect(gp.calls[0].frame.cs).toBe(CODE_SEL);
  });

  it('at CPL 3, iretq may not return to CPL 0 (#GP(CS)) and keeps IOPL and IF', () => {
    const rig = ring3Rig();
    const gp = rig.handle(Vector.GP, stop('gp'));
    let flags = -1;
    const second = rig.userFn('user::second', () => { flags = isa.readRflags(); throw new Diverged('second'); });
    const first = rig.userFn('user::first', () => {
      // RFLAGS in the frame asks for IOPL 3 and IF clear: a CPL-3 iretq ignores both.
      expect(() => iretqTo(rig, second.addr, USER_CS, USER_DS, USER_STACK_TOP - 0x100, 0x3002)).toThrow(/second/);
      iretqTo(rig, second.addr, CODE_SEL, 0);
    });
    expect(() => iretqTo(rig, first.addr)).toThrow(/gp/);
    expect(flags).toBe(0x202);
    expect(gp.calls.map((c) => c.errorCode)).toEqual([CODE_SEL]);
  });
});

/** STAR: kernel CS 0x08 (SS 0x10), sysret base 0x18 (SS 0x23, CS 0x2b). */
function enableSyscall(rig: Ring3Rig, entry: (nr: number, a: number, b: number, c: number) => number, sfmask = IF): number {
  const e = isa.syscallEntry(`kernel::syscall_entry_${Math.random()}`, entry);
  isa.wrmsr(MSR_STAR, 0x18 * 2 ** 48 + 0x08 * 2 ** 32);
  isa.wrmsr(MSR_LSTAR, e.addr);
  isa.wrmsr(MSR_SFMASK, sfmask);
  isa.wrmsr(MSR_EFER, isa.rdmsr(MSR_EFER) | 1);
  expect(rig.cpu.system.msrs.lstar).toBe(e.addr);
  return e.addr;
}

describe('syscall / sysretq', () => {
  it('with EFER.SCE clear, syscall is #UD', () => {
    const rig = ring3Rig();
    const ud = rig.handle(Vector.UD, stop('ud'));
    rig.user();
    expect(() => isa.syscall(1)).toThrow(Diverged);
    expect(ud.calls).toHaveLength(1);
  });

  it('enters LSTAR at CPL 0 with CS/SS from STAR[47:32], RFLAGS masked by SFMASK, on the user stack; sysretq returns RAX to ring 3', () => {
    const rig = ring3Rig();
    let inside: number[] = [];
    const entry = enableSyscall(rig, (nr, a, b, c) => {
      inside = [rig.cpu.regs.cpl, rig.cpu.cs, rig.cpu.ss, rig.cpu.rflags & IF, rig.cpu.rsp, rig.cpu.rip, nr, a, b, c];
      return nr + a + b + c;
    });
    rig.user(0x202);
    expect(isa.syscall(1, 10, 100, 1000)).toBe(1111);
    expect(inside).toEqual([0, 0x08, 0x10, 0, USER_STACK_TOP, entry, 1, 10, 100, 1000]);
    expect([rig.cpu.regs.cpl, rig.cpu.cs, rig.cpu.ss, rig.cpu.rflags & IF]).toEqual([3, 0x2b, 0x23, IF]);
  });

  it('an address MSR refuses a non-canonical value with #GP(0); rdmsr reads back what wrmsr wrote', () => {
    const rig = ring3Rig();
    const gp = rig.handle(Vector.GP, stop('gp'));
    isa.wrmsr(MSR_LSTAR, 0x200100);
    expect(isa.rdmsr(MSR_LSTAR)).toBe(0x200100);
    expect(() => isa.wrmsr(MSR_LSTAR, 0x0000_8000_0000_0000)).toThrow(Diverged);
    expect(gp.calls.map((c) => c.errorCode)).toEqual([0]);
  });
});

describe('swapgs and GS-relative access', () => {
  it('swapgs exchanges GS.base and KernelGSBase; gs:[off] reads at the current GS.base', () => {
    const rig = ring3Rig();
    isa.wrmsr(MSR_KERNEL_GS_BASE, DATA);
    isa.wrmsr(MSR_GS_BASE, USER_DATA);
    rig.write64(DATA + 8, 0x1111);
    rig.write64(USER_DATA + 8, 0x2222);
    expect(isa.loadGs64(8)).toBe(0x2222n);
    isa.swapgs();
    expect(isa.loadGs64(8)).toBe(0x1111n);
    expect([isa.rdmsr(MSR_GS_BASE), isa.rdmsr(MSR_KERNEL_GS_BASE)]).toEqual([DATA, USER_DATA]);
    isa.storeGs64(16, 0x3333n);
    expect(rig.read64(DATA + 16)).toBe(0x3333);
  });
});

describe('the kernel resume point (runWithContext / resumeContext)', () => {
  const CTX = DATA + 0x800;

  it('a SYS_EXIT-like syscall ends the program: runWithContext returns its value with the kernel RSP, CS, SS and RFLAGS back', () => {
    const rig = ring3Rig();
    enableSyscall(rig, (_nr, status) => isa.resumeContext(CTX, status));
    const main = rig.userFn('user::exits', () => { isa.syscall(60, 42); throw new Error('returned from exit'); });
    isa.sti();
    const rspBefore = isa.readRsp();
    const status = isa.runWithContext(CTX, () => iretqTo(rig, main.addr));
    expect(status).toBe(42);
    expect([rig.cpu.regs.cpl, rig.cpu.cs, rig.cpu.ss, rig.cpu.rsp, rig.cpu.rflags & IF]).toEqual([0, CODE_SEL, 0, rspBefore, IF]);
    expect(rig.cpu.handlerDepth).toBe(0);
  });

  it('a fault handler can end the program too (the handler frames on RSP0 are abandoned)', () => {
    const rig = ring3Rig();
    rig.handle(Vector.GP, () => isa.resumeContext(CTX, -1));
    const main = rig.userFn('user::cli', () => { isa.cli(); throw new Error('cli succeeded in ring 3'); });
    const status = isa.runWithContext(CTX, () => iretqTo(rig, main.addr));
    expect(status).toBe(-1);
    expect([rig.cpu.regs.cpl, rig.cpu.rsp]).toEqual([0, STACK_TOP]);
    expect(rig.cpu.handlerDepth).toBe(0);
  });

  it('resumeContext at CPL 3 is #GP(0)', () => {
    const rig = ring3Rig();
    const gp = rig.handle(Vector.GP, stop('gp'));
    rig.user();
    expect(() => isa.resumeContext(CTX, 0)).toThrow(Diverged);
    expect(gp.calls.map((c) => c.errorCode)).toEqual([0]);
  });
});
