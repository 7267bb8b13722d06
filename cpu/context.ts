// Transfers of control that the host call stack has to be told about, because a guest function
// is a host function (docs/ARCHITECTURE.md "Privilege levels and user programs"):
//
// - `iretq` as an instruction of its own (the kernel entering a user program): pop the frame at
//   RSP with its privilege checks, then continue at RIP. Execution can continue only at the first
//   instruction of a function (there is no machine code to resume in the middle of one): the CPU
//   calls that function; when it returns, `ret` pops the next RIP from the stack and execution
//   continues there. No function at RIP is #UD; a page that is not present, not user-accessible
//   (at CPL 3) or NX is the #PF of the instruction fetch.
// - `int n`: a software interrupt, checked against the gate's DPL (cpu/delivery.ts).
// - Resume points (deliberate deviation): the kernel's context switch back to the code that
//   started a program. On hardware the kernel saves its registers and RSP and later loads them
//   again; here the frames of that code are host frames, so `runWithContext` saves RIP, RSP,
//   RFLAGS, CS and SS in guest memory at `ctx` (the kernel's own context record) and runs `body`;
//   `resumeContext(ctx, value)`, executed at CPL 0 anywhere inside (a syscall, an exception
//   handler), loads them back and unwinds the host stack to `runWithContext`, which returns
//   `value`. The host frames in between (the program, the handler) are abandoned, as their guest
//   stack frames are.
import { Vector } from './faults.js';
import { deliver, Source } from './delivery.js';
import { iretq, requireCpl0, setCs } from './privilege.js';
import { TEXT } from './text.js';
import type { Cpu } from './cpu.js';

/** Bytes of a context record: token, RIP, RSP, RFLAGS, CS, SS. */
export const CONTEXT_BYTES = 48;

/** Unwinds the host stack from resumeContext to the runWithContext that saved `ctx`. */
export class ContextResume extends Error {
  constructor(readonly ctx: number, readonly token: number, readonly value: number) {
    super(`context resume to 0x${ctx.toString(16)} escaped its runWithContext (a resume point that no longer exists)`);
  }
}

let serial = 0;

/** Run a system access that throws faults (sysRead/sysWrite) as a guest instruction: deliver, retry. */
function guarded<T>(cpu: Cpu, f: () => T): T {
  for (;;) {
    try {
      return f();
    } catch (err) {
      cpu.fault(err);
    }
  }
}

/** `iretq` executed by guest code (not a handler's return): pop at RSP, then continue at the new RIP. */
export function iretqInstruction(cpu: Cpu): never {
  iretq(cpu, cpu.rsp);
  cpu.boundary(false);
  return continueAt(cpu);
}

/** Execute from RIP, which must be a function's first instruction; each return is a `ret` through the stack. */
export function continueAt(cpu: Cpu): never {
  for (;;) {
    cpu.checkFetch(cpu.rip);
    const fn = TEXT.at(cpu.rip);
    if (!fn || fn.addr !== cpu.rip) {
      cpu.exception(Vector.UD, 0);
      continue;
    }
    fn.impl();
    // The function returned: `ret` pops RIP from the stack (with the current CPL's checks).
    const target = Number(cpu.load64(cpu.rsp)); // a user access at CPL 3
    cpu.rsp += 8;
    cpu.rip = target;
  }
}

/** `int n`: vector n through its gate; from CPL 3 the gate's DPL must be 3 (#GP(n·8 + 2) otherwise). */
export function softwareInterrupt(cpu: Cpu, vector: number): void {
  cpu.rip = cpu.nextRip();
  deliver(cpu, vector & 0xff, 0, Source.Software);
  cpu.boundary(false);
}

/** Save the context at `ctx` and run `body`; returns body's value, or the value a resumeContext(ctx) passed. */
export function runWithContext(cpu: Cpu, ctx: number, body: () => number): number {
  requireCpl0(cpu);
  const token = ++serial;
  const depth = cpu.handlerDepth; // the CPU's count of running handlers: the abandoned ones end with the unwinding
  const rip = cpu.nextRip();
  const values = [token, rip, cpu.rsp, cpu.rflags, cpu.cs, cpu.ss];
  guarded(cpu, () => values.forEach((v, i) => cpu.sysWrite64(ctx + 8 * i, v)));
  cpu.boundary();
  try {
    return body();
  } catch (err) {
    if (!(err instanceof ContextResume) || err.ctx !== ctx || err.token !== token) throw err;
    cpu.handlerDepth = depth;
    cpu.boundary(false); // resumeContext retires here, back in the saved context
    return err.value;
  }
}

/** Load the context saved at `ctx` and unwind to its runWithContext, which returns `value`. CPL 0 only. */
export function resumeContext(cpu: Cpu, ctx: number, value: number): never {
  requireCpl0(cpu);
  const [token, rip, rsp, rflags, cs, ss] = guarded(cpu, () => [0, 1, 2, 3, 4, 5].map((i) => cpu.sysRead64(ctx + 8 * i)));
  cpu.rip = rip;
  cpu.rsp = rsp;
  cpu.rflags = rflags;
  setCs(cpu, cs);
  cpu.ss = ss;
  throw new ContextResume(ctx, token, value);
}
