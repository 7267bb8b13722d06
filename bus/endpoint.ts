// How the CPU's bus reaches one device: the same calls whether the device is inline (a direct
// call into its shell) or on a worker (a synchronous mailbox round trip). After each call the
// endpoint holds the call's side results: output pin changes, the device's next deadline, effects.
import type { AccessSize, Level } from './device.js';

export enum Op {
  Read = 1,
  Write = 2,
  SetInput = 3,
  Acknowledge = 4,
  Advance = 5,
  Flush = 6,
  Service = 7,
  /** The machine's reset line: the device returns to its power-on state. */
  Reset = 8,
}

/** Effects a device can ask of the machine during a call. */
export enum Effect {
  None = 0,
  Exit = 1,
  Reset = 2,
}

export const MAX_OUT_CHANGES = 16;

/** Results of the last call (filled by the shell, read by the bus). */
export interface CallResult {
  outCount: number;
  /** [pin, level] pairs. */
  readonly outs: Int32Array;
  deadline: number;
  effect: Effect;
  effectValue: number;
  effectReason: string;
}

export interface DeviceEndpoint {
  readonly name: string;
  readonly result: CallResult;
  call(op: Op, a: number, b: number, c: number, value: number, now: number): number;
}

export function newCallResult(): CallResult {
  return { outCount: 0, outs: new Int32Array(MAX_OUT_CHANGES * 2), deadline: Infinity, effect: 0, effectValue: 0, effectReason: '' };
}

export type { AccessSize, Level };
