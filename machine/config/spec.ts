// The resolved machine: what the YAML means once validated. Everything downstream (assembly,
// actors, CLI) reads this, never the YAML.
import type { TimeCosts } from '../../bus/clock.js';

export type TimeMode = 'realtime' | 'virtual';
/** How a halted CPU waits in realtime: poll its wake word for an adaptive window then sleep, only sleep in Atomics.wait, or always poll. */
export type IdleMode = 'adaptive' | 'sleep' | 'poll';
export type Placement = 'worker' | 'inline';
/** `placement:` as written: a thread of its own, the CPU's thread, or a named worker shared with other devices. */
export type PlacementValue = Placement | { readonly worker: string };
export type OnCrash = 'halt' | 'restart';
/** `on_crash:` as written: halt, restart (with the default budget), or { restart: N, within: DURATION }. */
export type OnCrashValue = OnCrash | { readonly restart: number; readonly within?: string };
/** on_crash restart: at most `max` restarts within `withinNs` of machine time; the crash after them halts the machine. */
export interface RestartBudget {
  readonly max: number;
  readonly withinNs: number;
}
export const DEFAULT_RESTART_BUDGET: RestartBudget = { max: 5, withinNs: 1e9 };
/** limits.memory default: what a device may grow its thread's memory by (JS heap + ArrayBuffers). */
export const DEFAULT_MEMORY_LIMIT_BYTES = 512 * 1024 * 1024;

/** Where a value came from, for errors raised after validation (file:line:column). */
export interface SourcePos {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export interface PortSpec {
  readonly region: string;
  readonly regionIndex: number;
  readonly base: number;
  readonly size: number;
}

/** A memory-mapped region placed at a physical base (bus/mmio.ts). */
export interface MmioSpec {
  readonly region: string;
  /** Index in the module's `mmio` list (the core sees regions.length + this). */
  readonly mmioIndex: number;
  readonly base: number;
  readonly size: number;
}

export interface DeviceSpec {
  /** Instance name, the key under `devices:` (e.g. "pic1"). */
  readonly name: string;
  /** As written in YAML: a built-in name or a path. */
  readonly impl: string;
  /** Built-in name, or the absolute path of a user module. What workers load. */
  readonly module: string;
  readonly placement: Placement;
  /**
   * placement worker: the worker that hosts it. Devices naming the same group share one worker
   * thread (and one mailbox); a plain `placement: worker` is a group of its own, named after the device.
   */
  readonly worker?: string;
  readonly onCrash: OnCrash;
  /** onCrash restart: the restart budget (DEFAULT_RESTART_BUDGET unless the YAML gives one). */
  readonly restart?: RestartBudget;
  /** limits.memory in bytes: past it the device is crashed and the machine stops (machine/actors/device-shell.ts). */
  readonly limits: { readonly memoryBytes: number };
  readonly ports: readonly PortSpec[];
  /** Memory-mapped regions (absent: none). */
  readonly mmio?: readonly MmioSpec[];
  /** Front-end adapter for devices that have one (VGA display: terminal | headless). */
  readonly adapter?: string;
  /** Parsed by the module's own options schema. */
  readonly options: Record<string, unknown>;
  readonly pos: SourcePos;
}

export interface PinRef {
  readonly device: string; // "cpu" for the CPU's intr pin
  readonly pin: string;
}

export interface WireSpec {
  readonly from: PinRef;
  readonly to: PinRef;
  readonly pos: SourcePos;
}

export interface MachineSpec {
  /** Absolute path of the YAML file. */
  readonly file: string;
  readonly name: string;
  readonly memoryBytes: number;
  /** costs: machine ns per instruction class in virtual time (time.costs over DEFAULT_TIME_COSTS). */
  readonly time: { readonly mode: TimeMode; readonly idle: IdleMode; readonly costs: TimeCosts };
  /** On triple fault: exit with status 0 (QEMU -no-reboot) instead of resetting. */
  readonly noReboot: boolean;
  /** Host ms a device may take to answer one request before the machine stops and names it hung. */
  readonly watchdogMs: number;
  /** kernel.timeslice: the scheduler's preemption period (ns), for kernels that preempt (kernel.main: preemption). */
  readonly kernel: { readonly main: string; readonly scenario?: string; readonly allocator?: string; readonly timesliceNs?: number };
  /** cpu.threads: host threads for guest threads besides the boot thread (cpu/threads.ts); 0 = none. */
  readonly cpu: { readonly threads: number };
  readonly devices: readonly DeviceSpec[];
  readonly wires: readonly WireSpec[];
}
