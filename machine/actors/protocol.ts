// What the main thread hands each actor when it starts it (a piscina task), and what comes back.
// Everything here crosses threads by structured clone; SharedArrayBuffers are shared, not copied.
import type { MessagePort } from 'node:worker_threads';
import type { PortClaim } from '../../bus/ports.js';
import type { WireRoute } from '../../bus/irq.js';
import type { MmioClaim } from '../../bus/mmio.js';
import type { UnclaimedCount } from '../../bus/router.js';
import type { DeviceSpec, MachineSpec } from '../config/spec.js';
import type { StopReason } from '../../cpu/errors.js';
import type { SessionTask } from '../replay/protocol.js';

export interface ActorShared {
  readonly control: SharedArrayBuffer;
  readonly memory: SharedArrayBuffer;
  /** This actor's trace ring. */
  readonly ring: SharedArrayBuffer;
  /** comlink control endpoint (stop, snapshot, stats). */
  readonly controlPort: MessagePort;
  /** Device events to front-ends (VGA frames), and the sync handshake. */
  readonly eventsPort: MessagePort;
}

/** A device worker: one device, or every device of a placement group, behind one mailbox. */
export interface DeviceTask extends ActorShared {
  readonly role: 'device';
  /** The worker's name (its placement group). */
  readonly worker: string;
  /** The devices it hosts; a request's `dev` indexes this list. */
  readonly devices: readonly DeviceSpec[];
  readonly mailbox: SharedArrayBuffer;
  /** Host input per hosted device (key events from the input adapters). */
  readonly inputRings: readonly SharedArrayBuffer[];
}

/** What an actor that drives the bus needs to build it (the CPU, or the qtest driver in its place). */
export interface BusTask extends ActorShared {
  readonly spec: MachineSpec;
  /** Per device (spec order): its worker's mailbox if it runs on a worker, null if inline. */
  readonly mailboxes: ReadonlyArray<SharedArrayBuffer | null>;
  /** Per device (spec order): its index among the devices its worker hosts (0 when alone; absent = all 0). */
  readonly mailboxDev?: readonly number[];
  /** Per device (spec order): its host-input ring (used here for inline devices). */
  readonly inputRings: readonly SharedArrayBuffer[];
  readonly claims: readonly PortClaim[];
  readonly claimEndpoint: readonly number[];
  readonly routes: ReadonlyArray<ReadonlyArray<readonly WireRoute[] | undefined>>;
  readonly lineLevels: SharedArrayBuffer;
  /** Memory-mapped regions (absent: none). */
  readonly mmio?: readonly MmioClaim[];
  /** Devices (spec order) on the APIC bus (absent: none). */
  readonly apicBus?: readonly number[];
}

export interface CpuTask extends BusTask {
  readonly role: 'cpu';
  readonly stopAt: number;
  readonly stopReason: StopReason;
  /** The monitor, --record, --replay, --stop-at (machine/replay/protocol.ts). */
  readonly session?: SessionTask;
  /** Trace rings of the guest-thread workers (spec.cpu.threads of them). */
  readonly threadRings?: readonly SharedArrayBuffer[];
}

/**
 * The qtest driver: the CPU's place on the bus, taken by a protocol interpreter. Command lines
 * arrive on the events port (HostEvent 'qtest-line'), replies and IRQ lines leave on it
 * (ActorEvent 'qtest-output'), so Machine's stop-time sync also flushes the last replies.
 */
export interface QtestTask extends BusTask {
  readonly role: 'qtest';
}

export type ActorTask = DeviceTask | CpuTask | QtestTask;

export interface CpuExit {
  readonly reason: StopReason;
  readonly status: number;
  readonly instructions: number;
  readonly now: number;
  readonly unclaimed: readonly UnclaimedCount[];
  readonly message?: string;
  /** Set when a device failed under the CPU (inline core threw, or a worker device died). */
  readonly crash?: { readonly actor: string; readonly error: string };
  /** Devices' calls: the CPU actor fills in its inline devices, the machine adds its workers'. */
  readonly served?: readonly ActorServed[];
  /** The CPU thread's host time running guest code (ms; halts and inline devices' calls excluded). */
  readonly cpuHostMs?: number;
  /** Guest-thread workers (cpu.threads): host ms each ran guest code, by handle 1..n (halts excluded). */
  readonly threadHostMs?: readonly number[];
  /** Machine resets (triple faults) during the run. */
  readonly resets?: number;
  /** --replay: the recording did not fit this machine or run (message says how); exit status 2. */
  readonly replayError?: boolean;
}

export interface DeviceExit {
  readonly worker: string;
  readonly devices: readonly ActorServed[];
}

/** One device's calls in a run, for --stats: host time estimated by the shell (sampled calls). */
export interface ActorServed {
  readonly device: string;
  readonly calls: number;
  readonly crashes: number;
  readonly hostMs: number;
}

/** Messages on the events port. */
export type ActorEvent =
  | { readonly type: 'device'; readonly device: string; readonly channel: string; readonly payload: unknown }
  | { readonly type: 'idle-forever'; readonly t: number; readonly why: 'idle' | 'deadlock'; readonly detail: string }
  | { readonly type: 'reset'; readonly t: number; readonly why: string; readonly count: number }
  | { readonly type: 'ready'; readonly t: number }
  | { readonly type: 'synced'; readonly id: number }
  /** A device worker serves its mailbox (machine time may start). */
  | { readonly type: 'up' }
  /** qtest replies and asynchronous IRQ lines, newline-terminated, in protocol order (one message per 'qtest-line' batch). */
  | { readonly type: 'qtest-output'; readonly text: string };

export type HostEvent =
  | { readonly type: 'sync'; readonly id: number }
  /** qtest command lines, newline-separated (a batch; no final newline). Answered by one 'qtest-output'. */
  | { readonly type: 'qtest-line'; readonly text: string }
  /** The client has no more commands: the driver ends (the machine stops). */
  | { readonly type: 'qtest-end' };
