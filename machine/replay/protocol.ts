// Messages between the main thread and the CPU's session host (machine/replay/session.ts) on the
// host port. The CPU reads it with receiveMessageOnPort at its polls (or while parked): the guest
// runs on the CPU thread's stack and never returns to its event loop.
import type { MessagePort } from 'node:worker_threads';
import type { QueuedInput } from '../../bus/input-ring.js';
import type { RecordingHeader } from './format.js';

/** The bit of C_ATTENTION that says "the host has something for the session" (devices use the low bits). */
export const ATTENTION_HOST = 1 << 30;
export { C_ATTENTION as C_ATTENTION_WORD } from '../../bus/control.js';

export type MonitorRequest =
  | { readonly op: 'stop' }
  | { readonly op: 'cont' }
  | { readonly op: 'step'; readonly n: number }
  | { readonly op: 'run-to'; readonly t: number }
  | { readonly op: 'registers' | 'idt' | 'gdt' | 'tss' | 'tlb' | 'status' }
  | { readonly op: 'mem'; readonly addr: number; readonly len: number; readonly virtual: boolean }
  | { readonly op: 'snapshot'; readonly device: string }
  | { readonly op: 'reset' };

export type ToCpu =
  | { readonly type: 'input'; readonly device: number; readonly events: readonly QueuedInput[] }
  | { readonly type: 'monitor'; readonly id: number; readonly req: MonitorRequest };

export interface Parked {
  readonly t: number;
  readonly icount: number;
  readonly rip: number;
  readonly why: string;
}

export type FromCpu =
  | { readonly type: 'reply'; readonly id: number; readonly ok: boolean; readonly value?: unknown; readonly error?: string }
  /** The CPU parked without a request waiting for it (--stop-at). */
  | ({ readonly type: 'parked' } & Parked);

/** What the CPU task carries for a session (monitor, record, replay, --stop-at). */
export interface SessionTask {
  readonly hostPort: MessagePort;
  /** --record: the file and its header. */
  readonly record?: { readonly path: string; readonly header: RecordingHeader };
  /** --replay: the recording's bytes and its name for messages. */
  readonly replay?: { readonly bytes: Uint8Array; readonly name: string };
  /** --stop-at: machine time (ns) at which to park (with a monitor) or stop. */
  readonly breakAt?: number;
  /** A monitor is attached: reaching breakAt parks instead of stopping. */
  readonly monitor: boolean;
}
