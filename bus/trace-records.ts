// Trace records as types: one interface per kind this project emits (bus/trace.ts TRACE_KINDS
// describes the same fields in words), joined into a union discriminated by `kind`. The public
// API's streams (api/) and the trace code share it. A user device's own kinds (rtc.irq) are
// `DeviceRecord`; `isKind()` / `ofKind()` narrow a record (or a stream) to named kinds.
import type { TraceRecord } from './trace.js';

/** What every record carries: schema version, machine time (ns), global order, kind, source actor. */
interface Base<K extends string> {
  readonly v: number;
  /** Machine time in ns. */
  readonly t: number;
  /** Global sequence number: total order across all actors. */
  readonly seq: number;
  readonly kind: K;
  /** The actor that produced it ("cpu", "pic1", "bus", ...). */
  readonly src: string;
}

export type Level = 0 | 1;

export interface IoRecord<K extends 'io.read' | 'io.write' = 'io.read' | 'io.write'> extends Base<K> {
  readonly port: number;
  readonly size: 1 | 2 | 4;
  readonly value: number;
  /** The device that claims the port. */
  readonly device: string;
  /** The register's debug name (the module's region names), when it has one. */
  readonly reg?: string;
}
export interface IoUnclaimedRecord extends Base<'io.unclaimed'> {
  readonly port: number;
  readonly size: number;
  readonly dir: 'read' | 'write';
  readonly value: number;
}
export interface IrqLevelRecord extends Base<'irq.level'> {
  /** The wire's input, e.g. "pic1.ir0". */
  readonly line: string;
  readonly state: Level;
}
export interface IrqCoalescedRecord extends Base<'irq.coalesced'> {
  readonly line: string;
  readonly count: number;
  /** The output whose edges merged ("pit.out0"); an output wired to n inputs gives n records (absent before this field existed). */
  readonly output?: string;
}
export interface PicIntrRecord extends Base<'pic.intr'> {
  readonly chip: string;
  readonly state: Level;
}
export interface PicEoiRecord extends Base<'pic.eoi'> {
  readonly chip: string;
  readonly irq: number;
  readonly mode: string;
}
export interface PicSpuriousRecord extends Base<'pic.spurious'> {
  readonly chip: string;
  readonly vector: number;
}
export interface CpuIntaRecord extends Base<'cpu.inta'> {
  readonly vector: number;
}
export interface CpuIntRecord extends Base<'cpu.int'> {
  readonly vector: number;
  /** The guest function the gate leads to. */
  readonly handler: string;
  readonly ist?: number;
  /** Where the frame was pushed. */
  readonly rsp: number;
  /** 1 = entered from non-handler code, 2 = nested in one handler, ... */
  readonly depth?: number;
}
export interface CpuIretRecord extends Base<'cpu.iret'> {
  readonly vector: number;
  /** Machine ns since that handler's entry. */
  readonly duration: number;
  readonly depth: number;
}
export interface CpuSyscallRecord extends Base<'cpu.syscall'> {
  /** The system call number (RAX). */
  readonly nr: number;
  /** Where the program goes on after sysretq (RCX). */
  readonly rip: number;
}
export interface CpuSysretRecord extends Base<'cpu.sysret'> {
  readonly nr: number;
  /** RAX as the program sees it. */
  readonly result: number;
  /** Machine ns since its cpu.syscall. */
  readonly duration: number;
}
export interface CpuSwitchRecord extends Base<'cpu.switch'> {
  /** Host thread handle the CPU left (0: the boot thread). */
  readonly from: number;
  /** Host thread handle the CPU went to. */
  readonly to: number;
}
export interface CpuExceptionRecord extends Base<'cpu.exception'> {
  readonly vector: number;
  readonly error_code?: number;
  readonly cr2?: number;
}
export interface CpuPageFaultRecord extends Base<'cpu.page_fault'> {
  readonly addr: number;
  readonly error_code?: number;
}
export interface CpuDoubleFaultRecord extends Base<'cpu.double_fault'> {
  readonly first: number;
  readonly second: number;
}
export interface CpuTripleFaultRecord extends Base<'cpu.triple_fault'> {
  /** The vector whose delivery failed last. */
  readonly last: number;
  readonly action: 'exit' | 'reset';
}
export interface CpuHltRecord extends Base<'cpu.hlt'> {
  readonly if: 0 | 1;
}
export type CpuWakeRecord = Base<'cpu.wake'>;
export interface CpuIdleRecord extends Base<'cpu.idle' | 'cpu.deadlock'> {
  readonly rip: string;
  readonly detail: string;
}
export interface CpuLidtRecord extends Base<'cpu.lidt'> {
  readonly base: number;
  readonly limit: number;
}
export interface CpuTlbFlushRecord extends Base<'cpu.tlb_flush'> {
  readonly cause: 'cr3' | 'invlpg';
  readonly addr?: number;
  readonly cr3?: number;
}
export interface MachineResetRecord extends Base<'machine.reset'> {
  readonly why: string;
  readonly count: number;
}
export interface MachineStartRecord extends Base<'machine.start'> {
  readonly machine: string;
  readonly kernel?: string;
  readonly driver?: string;
  readonly clock: 'realtime' | 'virtual';
}
export interface MachineStopRecord extends Base<'machine.stop'> {
  readonly reason: string;
  readonly status?: number;
}
export interface Ps2CmdRecord extends Base<'ps2.cmd'> {
  readonly target: 'controller' | 'keyboard';
  readonly cmd: number;
  readonly arg?: number;
}
export interface Ps2DataRecord extends Base<'ps2.data'> {
  readonly dir: 'to-host' | 'to-device';
  readonly value: number;
  readonly source: 'keyboard' | 'aux' | 'controller';
}
export interface KbdKeyRecord extends Base<'kbd.key'> {
  readonly key: string;
  readonly action: 'make' | 'break';
  readonly bytes?: string;
  readonly dropped?: boolean;
  readonly reason?: string;
}
export interface SerialRegRecord extends Base<'serial.read' | 'serial.write'> {
  readonly offset: number;
  readonly reg: string;
  readonly value: number;
}
export interface SerialByteRecord extends Base<'serial.tx' | 'serial.rx'> {
  readonly byte: number;
}
export interface SerialDropRecord extends Base<'serial.rx.drop'> {
  readonly byte: number;
  readonly reason: string;
}
export interface SerialParamsRecord extends Base<'serial.params'> {
  readonly baud: number;
  readonly parity: string;
  readonly data_bits: number;
  readonly stop_bits: number;
}
export interface DebugExitRecord extends Base<'debugexit.write' | 'debugexit.ignored'> {
  readonly value: number;
  readonly status?: number;
}
export interface QtestCmdRecord extends Base<'qtest.cmd'> {
  readonly cmd: string;
}
export interface ActorCrashRecord extends Base<'actor.crash'> {
  readonly actor: string;
  readonly error: string;
  readonly op?: string;
  readonly action: 'halt' | 'restart' | 'give-up';
  readonly from?: 'snapshot' | 'reset';
  readonly message?: string;
}
export interface BadValueRecord extends Base<'device.bad_value'> {
  readonly device: string;
  readonly op: string;
  readonly value: unknown;
  readonly outcome: string;
}
export interface GuestNoteRecord extends Base<'guest_error' | 'unimplemented'> {
  readonly message: string;
  readonly [field: string]: unknown;
}

/** Every kind this project's machine emits, discriminated by `kind`. */
export type KnownRecord =
  | IoRecord<'io.read'> | IoRecord<'io.write'> | IoUnclaimedRecord
  | IrqLevelRecord | IrqCoalescedRecord
  | PicIntrRecord | PicEoiRecord | PicSpuriousRecord
  | CpuIntaRecord | CpuIntRecord | CpuIretRecord | CpuSyscallRecord | CpuSysretRecord | CpuSwitchRecord | CpuExceptionRecord | CpuPageFaultRecord
  | CpuDoubleFaultRecord | CpuTripleFaultRecord | CpuHltRecord | CpuWakeRecord | CpuIdleRecord
  | CpuLidtRecord | CpuTlbFlushRecord
  | MachineResetRecord | MachineStartRecord | MachineStopRecord
  | Ps2CmdRecord | Ps2DataRecord | KbdKeyRecord
  | SerialRegRecord | SerialByteRecord | SerialDropRecord | SerialParamsRecord
  | DebugExitRecord | QtestCmdRecord | ActorCrashRecord | BadValueRecord | GuestNoteRecord;

export type KnownKind = KnownRecord['kind'];

/** The record of one known kind. */
export type RecordOf<K extends KnownKind> = Extract<KnownRecord, { readonly kind: K }>;

/** A record of a kind this project does not define (a user device's own, e.g. rtc.irq). */
export interface DeviceRecord extends Base<string> {
  readonly [field: string]: unknown;
}

/** What a trace stream carries: a known record, or a user device's. Narrow with isKind / ofKind. */
export type AnyRecord = KnownRecord | DeviceRecord;

/** The CPU's exception records (what the API's exceptions$ carries). */
export type ExceptionRecord = CpuExceptionRecord | CpuDoubleFaultRecord | CpuTripleFaultRecord;
export const EXCEPTION_KINDS = ['cpu.exception', 'cpu.double_fault', 'cpu.triple_fault'] as const;

/** Type guard: `r` is a record of one of `kinds`. */
export function isKind<K extends KnownKind>(r: TraceRecord | AnyRecord, ...kinds: readonly K[]): r is RecordOf<K> {
  return (kinds as readonly string[]).includes(r.kind);
}
