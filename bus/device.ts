// The typed interface every device implements, built-in or a user's own module.
//
// A device is a *core* (plain state + methods, no I/O, no host clock) created by a *module*
// (the static description the machine needs before any worker starts: port regions, pins,
// options schema). The actor shell that hosts a core lives in machine/; the core never knows
// whether it runs on its own worker thread or inline in the CPU's thread.
import type { z } from 'zod';
import type { PhysicalMemory } from './memory.js';

export type AccessSize = 1 | 2 | 4;
export type Level = 0 | 1;

/** A contiguous range of I/O ports handled by one device, addressed region-relative (QEMU style). */
export interface RegionSpec {
  /** Name used in YAML `ports:` and in traces, e.g. "io", "elcr". */
  readonly name: string;
  /** Number of ports in the region. */
  readonly size: number;
  /** Default first port; the YAML may move it. */
  readonly base: number;
  /**
   * Access widths the core handles itself (default [1]). A wider access is split by the bus into
   * little-endian accesses of the widest declared width, as QEMU's memory core does.
   */
  readonly widths?: readonly AccessSize[];
  /** Debug names per offset (v86's port table): shown in io.read / io.write traces. */
  readonly names?: { readonly read?: readonly string[]; readonly write?: readonly string[] };
}

/**
 * A range of physical addresses handled by one device (memory-mapped I/O), addressed
 * region-relative like a port region. It must lie above installed RAM (the CPU's fast path tests
 * only `pa >= memory.size`). In read()/write() its region index follows the port regions:
 * `regions.length + i` for the module's `mmio[i]` (bus/mmio.ts).
 */
export interface MmioRegionSpec {
  /** Name used in YAML `mmio:` and in traces, e.g. "regs". */
  readonly name: string;
  /** Bytes in the range. */
  readonly size: number;
  /** Default physical base; the YAML may move it. */
  readonly base: number;
  /**
   * Access widths the core accepts (default [4]); the access must also be naturally aligned.
   * Any other access is a guest error: a read gives all ones, a write is dropped (not split).
   */
  readonly widths?: readonly AccessSize[];
  /** Debug names by byte offset (register starts): shown in mmio.read / mmio.write traces. */
  readonly names?: Readonly<Record<number, string>>;
}

/** Everything a core may do to the world. Supplied by the shell (or by a test harness). */
export interface DeviceContext {
  /** The device's instance name in the machine, e.g. "pic1". */
  readonly name: string;
  /** Machine time (ns) of the access or deadline being processed. */
  now(): number;
  /** Drive output pin `pin` (index into the module's `outputs`) to a level. Repeating a level is a no-op; another pin or level is traced and ignored. */
  setOutput(pin: number, level: Level): void;
  /** Emit a trace record of `kind` with extra fields (the shell adds v, t, seq, src). */
  trace(kind: string, fields?: Record<string, unknown>): void;
  /**
   * Output `pin` lost `edges` rising edges in this call: machine time jumped past them (a late
   * realtime host) and the levels driven could not show them all. The bus traces irq.coalesced on
   * the wires the pin drives and counts them (C_COALESCED). Optional for contexts made by tests.
   */
  coalesced?(pin: number, edges: number): void;
  /** The guest did something the hardware would not accept: log and carry on. */
  guestError(message: string, fields?: Record<string, unknown>): void;
  /** The guest used a feature this model does not implement: log and carry on. */
  unimplemented(message: string, fields?: Record<string, unknown>): void;
  /** Physical memory, for devices that scan or DMA (VGA text RAM). */
  readonly memory: PhysicalMemory;
  /** Publish an event to the device's front-end adapter (VGA frames, UART bytes). Never blocks. */
  emit(channel: string, payload: unknown): void;
  /** Machine-level effects a device can cause (reset line, isa-debug-exit). */
  requestReset(reason: string): void;
  requestExit(status: number, reason: string): void;
  /**
   * Put an interrupt message on the APIC bus (modules with `apicBus: true`; bus/apic-bus.ts has
   * the encoding). Every other device on that bus receives it in apicReceive() after this call.
   */
  apicSend?(message: number): void;
}

/** A host input event: a key (pc-keyboard KeyCode names: "A", "Key1", "Spacebar", "LShift", "ArrowUp", "F1") going down or up. */
export interface InputEvent {
  readonly at: number;
  readonly key: string;
  readonly down: boolean;
  /** For byte-stream devices (a serial port): the bytes that arrive at `at`; key is then "". */
  readonly bytes?: readonly number[];
}

/** JSON-able state with a version number, for snapshot()/restore(). */
export interface DeviceState {
  readonly version: number;
  readonly [field: string]: unknown;
}

/** INTA result from an interrupt controller: a vector, or "the slave on input n answers". */
export const CASCADE = 0x100;

export interface DeviceCore {
  /**
   * The value is cut to `size` bytes by the shell; anything but an integer (NaN, a string, a
   * BigInt) is a model bug: traced once as device.bad_value, and the bus reads all ones.
   */
  read(region: number, offset: number, size: AccessSize): number;
  write(region: number, offset: number, size: AccessSize, value: number): void;
  /** An input pin (index into the module's `inputs`) changed level. */
  setInput?(pin: number, level: Level): void;
  /** Bring time-dependent state up to ctx.now(); called when the device's deadline has passed. */
  advance?(): void;
  /** Machine time (ns) at which advance() is next wanted; Infinity when none (anything but a number is traced and means none). */
  nextDeadline?(): number;
  /**
   * Interrupt acknowledge cycle (interrupt controllers only). Returns a vector 0..255, or
   * CASCADE + n when a slave wired to input n must supply the vector (8259A CAS lines).
   */
  acknowledge?(): number;
  /** Flush anything buffered (a final screen scan) before the machine stops or goes idle for good. */
  flush?(): void;
  /**
   * Host input for this device (key presses from an input adapter), delivered on the CPU's
   * timeline: `event.at` is the machine time (ns) it takes effect, never earlier than ctx.now().
   * A core queues future events and asks for them with nextDeadline(); it must not throw on
   * events it does not understand (log them with ctx.unimplemented).
   */
  input?(event: InputEvent): void;
  /** An APIC bus message another device sent (interrupt, EOI; bus/apic-bus.ts). */
  apicReceive?(message: number): void;
  /** With `on_crash: restart` the shell keeps a copy now and then, and restores it into a new core after a crash. */
  snapshot(): DeviceState;
  restore(state: DeviceState): void;
}

export interface DeviceModule<O = Record<string, unknown>> {
  /** Built-in name used as `impl:` in YAML (a user module gets its path). */
  readonly kind: string;
  /** One line for --print-config and errors. */
  readonly title: string;
  readonly regions: readonly RegionSpec[];
  /** Physical address ranges it answers (MMIO), placed by YAML `mmio:`; numbered after `regions`. */
  readonly mmio?: readonly MmioRegionSpec[];
  /** The device sits on the APIC bus: it sends (ctx.apicSend) and receives (core.apicReceive) interrupt messages. */
  readonly apicBus?: boolean;
  readonly inputs?: readonly string[];
  /** At most MAX_OUT_CHANGES (bus/endpoint.ts): one call's response carries every output's final level. */
  readonly outputs?: readonly string[];
  /** Front-end adapters this device can drive (the first is the default), e.g. ["terminal", "headless"]. */
  readonly adapters?: readonly string[];
  /** The device takes host key events (core.input); its adapters are then input adapters. */
  readonly input?: 'keyboard';
  /** The monitor's `info`: a few lines about a core's state (its snapshot()); pure, on the main thread. */
  describe?(state: DeviceState): string;
  /** Schema of the YAML `options:` block. create() always receives the *parsed* value (defaults applied). */
  readonly options?: z.ZodType<O>;
  create(ctx: DeviceContext, options: O): DeviceCore;
  /**
   * Front ends for the adapters named in `adapters` (a user device brings its own, as VGA and the
   * UART do): made on the main thread when the YAML picks that adapter, fed with the core's
   * ctx.emit() events. Never loaded into the core's thread's work: only the main thread calls them.
   */
  readonly frontEnds?: Readonly<Record<string, FrontEndFactory<O>>>;
}

/** Makes a device's own front end (a method type, so a module's options type stays assignable to DeviceModule<any>). */
export type FrontEndFactory<O> = { make(host: AdapterHost<O>): DeviceAdapter }['make'];

/** What a device's own front end gets from the machine (main thread). */
export interface AdapterHost<O = Record<string, unknown>> {
  /** The device's instance name, e.g. "post". */
  readonly device: string;
  /** The machine's name (default file names: `${machine}.${device}.log`). */
  readonly machine: string;
  /** The device's parsed YAML options. */
  readonly options: O;
  /** Text for the user: stdout, or kept and shown after the full-screen UI closes. */
  write(text: string): void;
}

/** A device's own front end: takes its events (channel, payload) in order; closed when the machine stops. */
export interface DeviceAdapter {
  onEvent(channel: string, payload: unknown): void;
  close?(): void;
}

/** Identity helper that gives a module literal its type (user modules call it too). */
export function defineDevice<O>(module: DeviceModule<O>): DeviceModule<O> {
  return module;
}
