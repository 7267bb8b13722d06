// Interrupt and exception delivery (Intel SDM vol. 3 §6.12–6.14, AMD64 §8.2.9), done the way the
// silicon does it: read the gate from the IDT in memory, pick the stack (IST), align it to 16, push
// SS, RSP, RFLAGS, CS, RIP (+ error code) into memory, clear IF for an interrupt gate, enter the
// handler; `iretq` when it returns. A fault while reading the gate or pushing the frame is a real
// fault, escalated to a double fault — and a fault while delivering #DF is a triple fault.
import { decodeCodeDescriptor, decodeGate, GATE_INTERRUPT, GATE_TRAP, type CodeDescriptor } from './descriptors.js';
import { enterGate, entryRsp, iretq as iretqFrom, targetCpl, type EntryGate } from './privilege.js';
import { CpuFault, hasErrorCode, idtErrorCode, isDoubleFault, Vector } from './faults.js';
import { TEXT } from './text.js';
import type { Cpu } from './cpu.js';

export enum Source {
  /** An IRQ from the interrupt controller (INTA). */
  External = 0,
  /** An exception raised by an instruction. */
  Exception = 1,
  /** INT n / INT3. */
  Software = 2,
}

export const RFLAGS_IF = 1 << 9;
const RFLAGS_TF = 1 << 8;
const RFLAGS_NT = 1 << 14;
const RFLAGS_RF = 1 << 16;

export function deliver(cpu: Cpu, vector: number, errorCode: number, source: Source): void {
  const pushesError = source === Source.Exception && hasErrorCode(vector);
  let gate: EntryGate;
  let frame: number;
  try {
    gate = readGate(cpu, vector, source);
    frame = pushFrame(cpu, gate, pushesError, errorCode);
  } catch (err) {
    if (!(err instanceof CpuFault)) throw err;
    escalate(cpu, vector, source, err);
    return;
  }
  enter(cpu, vector, gate, frame, pushesError, errorCode);
}

/** A second exception while delivering `first`: double fault, triple fault, or handled serially. */
function escalate(cpu: Cpu, first: number, source: Source, second: CpuFault): void {
  cpu.noteException(second);
  if (first === Vector.DF) cpu.tripleFault(second);
  if (source === Source.Exception && isDoubleFault(first, second.vector)) {
    cpu.tracer.emit(cpu.now(), 'cpu.double_fault', 'cpu', { first, second: second.vector });
    deliver(cpu, Vector.DF, 0, Source.Exception);
    return;
  }
  // Benign first event (an IRQ, a breakpoint): the second exception is delivered on its own.
  deliver(cpu, second.vector, second.errorCode, Source.Exception);
}

function readGate(cpu: Cpu, vector: number, source: Source): EntryGate {
  const external = source !== Source.Software;
  const offset = vector * 16;
  if (offset + 15 > cpu.idtr.limit) throw new CpuFault(Vector.GP, idtErrorCode(vector, external));
  const at = cpu.idtr.base + offset;
  const gate = decodeGate(cpu.sysRead32(at), cpu.sysRead32(at + 4), cpu.sysRead32(at + 8));
  if (gate.type !== GATE_INTERRUPT && gate.type !== GATE_TRAP) throw new CpuFault(Vector.GP, idtErrorCode(vector, external));
  if (source === Source.Software && gate.dpl < cpu.regs.cpl) throw new CpuFault(Vector.GP, idtErrorCode(vector, external));
  if (!gate.present) throw new CpuFault(Vector.NP, idtErrorCode(vector, external));
  return targetCpl(cpu, gate, checkCodeSelector(cpu, gate.selector));
}

/** The gate's selector must name a present 64-bit code segment in the GDT. */
export function checkCodeSelector(cpu: Cpu, selector: number): CodeDescriptor {
  const index = selector & 0xfff8;
  if (index === 0 || index + 7 > cpu.gdtr.limit) throw new CpuFault(Vector.GP, selector & 0xfffc);
  const at = cpu.gdtr.base + index;
  const desc = decodeCodeDescriptor(cpu.sysRead32(at), cpu.sysRead32(at + 4));
  if (!desc.code || !desc.long) throw new CpuFault(Vector.GP, selector & 0xfffc);
  if (!desc.present) throw new CpuFault(Vector.NP, selector & 0xfffc);
  return desc;
}

/** Push the frame on the gate's stack; nothing is committed if a push faults. Returns the new RSP. */
function pushFrame(cpu: Cpu, gate: EntryGate, pushesError: boolean, errorCode: number): number {
  let rsp = entryRsp(cpu, gate); // IST, or TSS.RSP0 when entering CPL 0 from CPL 3 (cpu/privilege.ts)
  rsp -= rsp % 16; // 64-bit mode aligns the new stack to 16 bytes
  const values = [cpu.ss, cpu.rsp, cpu.rflags, cpu.cs, cpu.rip];
  if (pushesError) values.push(errorCode);
  for (const v of values) {
    rsp -= 8;
    cpu.sysWrite64(rsp, v);
  }
  return rsp;
}

function enter(cpu: Cpu, vector: number, gate: EntryGate, frame: number, pushesError: boolean, errorCode: number): void {
  cpu.rsp = frame;
  enterGate(cpu, gate); // CS (and CPL); SS = null on a privilege change
  cpu.rflags &= ~(RFLAGS_TF | RFLAGS_NT | RFLAGS_RF);
  if (gate.type === GATE_INTERRUPT) cpu.rflags &= ~RFLAGS_IF;
  cpu.rip = gate.offset;
  cpu.control.vectorCounts[vector]++;
  const handler = TEXT.at(gate.offset);
  const clock = cpu.clock;
  clock.charge(clock.costs.delivery); // gate read, stack switch, frame push (virtual time)
  // Handlers running now, this one included: 2+ is an interrupt or exception inside a handler.
  const depth = ++cpu.handlerDepth;
  const entered = clock.now();
  cpu.tracer.cpuInt(entered, vector, gate.offset, TEXT, gate.ist, frame, depth);
  try {
    if (!handler) {
      // The gate points where no code is: executing it would be garbage. Invalid opcode.
      cpu.exception(Vector.UD, 0);
    } else {
      cpu.checkFetch(gate.offset);
      const stackFrame = pushesError ? frame + 8 : frame;
      handler.impl(stackFrame, errorCode);
    }
    clock.charge(clock.costs.iret);
    const now = clock.now();
    cpu.tracer.cpuIret(now, vector, now - entered, depth);
  } finally {
    // Also when a handler ends by MachineStop/MachineReset (or diverges by a throw): the depth
    // is that of the code the handler interrupted.
    cpu.handlerDepth = depth - 1;
  }
  iretq(cpu, pushesError ? frame + 8 : frame);
}

/**
 * `iretq` from an x86-interrupt handler (which popped the error code): pop RIP, CS, RFLAGS, RSP, SS,
 * with the privilege checks of a return to an outer level (cpu/privilege.ts).
 */
export function iretq(cpu: Cpu, frame: number): void {
  iretqFrom(cpu, frame);
}
