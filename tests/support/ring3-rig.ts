// A CPU rig (cpu-rig.ts) with what ring 3 needs: user code and data segments in the GDT, TSS.RSP0,
// and user pages (text, data, stack) in the identity-mapped tables. `user()` puts the CPU at CPL 3
// on the user stack, so the test's own code runs as a user program; `userFn` defines a function in
// the user text page.
import { fn, type GuestFn } from '../../cpu/isa.js';
import { PageTableFlags as F } from '../../cpu/paging.js';
import { setCs } from '../../cpu/privilege.js';
import type { TextRegion } from '../../cpu/text.js';
import { cpuRig, GDT_BASE, TSS_BASE, type CpuRig, type CpuRigOptions } from './cpu-rig.js';

/** GDT slots 4..6: user data, user code (STAR[63:48] = 0x18 gives SS 0x23, CS 0x2b), kernel data. */
export const USER_DS = 0x20 | 3;
export const USER_CS = 0x28 | 3;
export const KERNEL_DS = 0x30;
export const USER_DATA_DESC = 0x00cff3000000ffffn;
export const USER_CODE_DESC = 0x00affb000000ffffn;
export const KERNEL_DATA_DESC = 0x00cf93000000ffffn;
/** TSS.RSP0. */
export const RSP0_TOP = 0x5e000;
export const USER_TEXT_BASE = 0x300000;
export const USER_DATA = 0x320000;
export const USER_STACK_TOP = 0x312000;
/** A kernel page (supervisor only) with data in it. */
export const KERNEL_PAGE = 0x330000;

let regionSerial = 0;

export interface Ring3Rig extends CpuRig {
  /** CPL 3: CS = USER_CS, SS = USER_DS, RSP = the user stack (RFLAGS as given, default IF). */
  user(rflags?: number): void;
  /** A function in the rig's user text page. */
  userFn<A extends unknown[], R>(name: string, impl: (...args: A) => R): GuestFn<A, R>;
  readonly region: TextRegion;
}

export function ring3Rig(o: CpuRigOptions = {}): Ring3Rig {
  const rig = cpuRig({ paging: true, ...o });
  const { memory, cpu } = rig;
  memory.write64(GDT_BASE + 0x20, USER_DATA_DESC);
  memory.write64(GDT_BASE + 0x28, USER_CODE_DESC);
  memory.write64(GDT_BASE + 0x30, KERNEL_DATA_DESC);
  rig.write64(TSS_BASE + 4, RSP0_TOP);
  cpu.system.tssLimit = 103;
  for (const page of [USER_TEXT_BASE, USER_DATA, USER_STACK_TOP - 0x2000, USER_STACK_TOP - 0x1000]) rig.pt!.edit(page, 1, F.USER_ACCESSIBLE);
  rig.pt!.edit(USER_TEXT_BASE, 1, 0, F.WRITABLE);
  cpu.mmu.flush();
  // Each rig links its user functions from the start of the user text page again (a later
  // definition at an address replaces the earlier rig's: TEXT is one per thread).
  const userRegion: TextRegion = { name: `test-user-${regionSerial++}`, base: USER_TEXT_BASE, size: 0x1000 };
  return {
    ...rig,
    region: userRegion,
    user(rflags = 0x202) {
      setCs(cpu, USER_CS);
      cpu.ss = USER_DS;
      cpu.rsp = USER_STACK_TOP;
      cpu.rflags = rflags;
    },
    userFn: (name, impl) => fn(name, impl, { region: userRegion }),
  };
}
