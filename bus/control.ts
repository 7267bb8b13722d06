// The machine's shared control block: a few words every actor and the main thread see.
// Flags and counters only; requests and data travel through mailboxes and rings.
import { TraceEmitter } from './trace-emit.js';
import { TRACE_SCHEMA_VERSION } from './trace.js';

export const C_TRACE_ON = 0; // 1 when trace records are wanted
export const C_SEQ = 1; // global trace sequence counter
export const C_CPU_WAKE = 2; // futex word the halted CPU sleeps on (IRQ, attention, stop)
export const C_STOP = 3; // 1 = the main thread asks the machine to stop
export const C_CPU_STATE = 4; // CpuState
export const C_DOORBELL = 5; // bumped by a producer as its trace ring passes half full (and before it blocks): main drains
export const C_ATTENTION = 6; // bitmask of devices with asynchronous events to service
export const C_INPUT_GATE = 7; // InputGate: hold the CPU at its first idle hlt until the host has typed
export const C_GO = 8; // 1 once every device worker is up: machine time starts then (realtime)
export const C_BUSY = 9; // 1 + index of the device the bus driver is calling now, 0 when none (the watchdog's view)
export const C_BUSY_SEQ = 10; // bumped at every device call the bus driver makes
export const C_HUB_BEAT = 11; // bumped by the main thread's trace hub every drain tick, held or not
// Running total of device output edges merged away because machine time jumped past them (a late
// realtime host; each is also an irq.coalesced record). Added to by the bus driver, never reset
// while the machine runs; virtual time never adds to it. The status line shows it.
export const C_COALESCED = 12;
// Guest threads (cpu/threads.ts): the host thread holding the CPU, and context switches so far
// (written by the thread that switches; the status line shows them).
export const C_THREAD = 13;
export const C_SWITCHES = 14;
const INT_WORDS = 64;
const F_NOW = 0; // machine time ns, published by the CPU
const F_INSTRUCTIONS = 1;
const FLOAT_WORDS = 8;
const VECTOR_COUNTS = 256;

/** The --type handshake: the host arms the gate; the CPU stops at its first hlt with IF=1 ("the kernel is ready"). */
export enum InputGate {
  Off = 0,
  Armed = 1,
  /** The CPU is held, waiting for the host's input. */
  Waiting = 2,
  Open = 3,
}

export enum CpuState {
  Booting = 0,
  Running = 1,
  Halted = 2,
  /** hlt or a spin with IF=0: nothing can ever change the machine again. */
  IdleForever = 3,
  Stopped = 4,
}

export class ControlBlock {
  readonly i32: Int32Array;
  readonly f64: Float64Array;
  /** Interrupts delivered per vector (for the status bar and stats). */
  readonly vectorCounts: Int32Array;

  constructor(readonly sab: SharedArrayBuffer) {
    this.i32 = new Int32Array(sab, 0, INT_WORDS);
    this.f64 = new Float64Array(sab, INT_WORDS * 4, FLOAT_WORDS);
    this.vectorCounts = new Int32Array(sab, INT_WORDS * 4 + FLOAT_WORDS * 8, VECTOR_COUNTS);
  }

  static allocate(): ControlBlock {
    return new ControlBlock(new SharedArrayBuffer(INT_WORDS * 4 + FLOAT_WORDS * 8 + VECTOR_COUNTS * 4));
  }

  get tracing(): boolean { return this.i32[C_TRACE_ON] !== 0; }
  set tracing(on: boolean) { Atomics.store(this.i32, C_TRACE_ON, on ? 1 : 0); }
  nextSeq(): number { return Atomics.add(this.i32, C_SEQ, 1) >>> 0; }

  get now(): number { return this.f64[F_NOW]; }
  set now(t: number) { this.f64[F_NOW] = t; }
  get instructions(): number { return this.f64[F_INSTRUCTIONS]; }
  set instructions(n: number) { this.f64[F_INSTRUCTIONS] = n; }

  /** Edges coalesced so far (C_COALESCED): ticks a late host could not deliver one by one. */
  get coalesced(): number { return Atomics.load(this.i32, C_COALESCED); }

  /** The host thread holding the CPU (0: the boot thread) and context switches so far (C_THREAD, C_SWITCHES). */
  get thread(): number { return Atomics.load(this.i32, C_THREAD); }
  get switches(): number { return Atomics.load(this.i32, C_SWITCHES); }
  /** The boot thread holds the CPU again (a reset ended every other guest thread). */
  bootThreadHolds(): void { Atomics.store(this.i32, C_THREAD, 0); }
  /** A context switch to host thread `to`. */
  switched(to: number): void {
    Atomics.store(this.i32, C_THREAD, to);
    Atomics.add(this.i32, C_SWITCHES, 1);
  }

  get cpuState(): CpuState { return Atomics.load(this.i32, C_CPU_STATE); }
  set cpuState(s: CpuState) { Atomics.store(this.i32, C_CPU_STATE, s); }

  get stopRequested(): boolean { return Atomics.load(this.i32, C_STOP) !== 0; }
  /** Ask the CPU to stop at its next instruction boundary (wakes it if halted). */
  requestStop(): void {
    Atomics.store(this.i32, C_STOP, 1);
    this.wakeCpu();
  }

  wakeCpu(): void {
    Atomics.add(this.i32, C_CPU_WAKE, 1);
    Atomics.notify(this.i32, C_CPU_WAKE);
  }

  /** A device on another thread has asynchronous work (input): flag it and wake the CPU. */
  raiseAttention(deviceIndex: number): void {
    Atomics.or(this.i32, C_ATTENTION, 1 << deviceIndex);
    this.wakeCpu();
  }

  takeAttention(): number {
    return Atomics.exchange(this.i32, C_ATTENTION, 0);
  }

  /** Every device worker is serving: the CPU may start machine time. */
  go(): void {
    Atomics.store(this.i32, C_GO, 1);
    this.wakeCpu();
  }

  /** Wait (the CPU's thread, before boot) until go() or a stop request. */
  awaitGo(): void {
    for (;;) {
      const seen = Atomics.load(this.i32, C_CPU_WAKE);
      if (Atomics.load(this.i32, C_GO) !== 0 || this.stopRequested) return;
      Atomics.wait(this.i32, C_CPU_WAKE, seen, 1000);
    }
  }

  ringDoorbell(): void {
    Atomics.add(this.i32, C_DOORBELL, 1);
    Atomics.notify(this.i32, C_DOORBELL);
  }
}

/** What an actor uses to emit trace records: checks the on flag, stamps v/seq, writes its ring. */
export class Tracer extends TraceEmitter {
  constructor(control: ControlBlock, ring: SharedArrayBuffer) {
    // The ring's producer rings the doorbell as it passes half full: the main thread drains then.
    super(control.i32, C_TRACE_ON, C_SEQ, ring, () => control.ringDoorbell(), () => Atomics.load(control.i32, C_HUB_BEAT));
  }
}

export { TRACE_SCHEMA_VERSION };
