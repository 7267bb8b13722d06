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
  /** An APIC bus message from another device (a = the message word; bus/apic-bus.ts). */
  Message = 9,
}

/** Effects a device can ask of the machine during a call. */
export enum Effect {
  None = 0,
  Exit = 1,
  Reset = 2,
}

export const MAX_OUT_CHANGES = 16;
/** APIC bus messages one call may send (an I/O APIC sends at most one per input pin, 24). */
export const MAX_MESSAGES = 32;

/** Results of the last call (filled by the shell, read by the bus). */
export interface CallResult {
  outCount: number;
  /** [pin, level] pairs. */
  readonly outs: Int32Array;
  deadline: number;
  effect: Effect;
  effectValue: number;
  effectReason: string;
  /** APIC bus messages the device sent during the call, in order (the router delivers them). */
  msgCount: number;
  readonly msgs: Int32Array;
  /** Pins with a non-zero entry in `lost` (0 on almost every call: the bus looks no further). */
  lostPins: number;
  /** Per output pin: rising edges merged away in this call (DeviceContext.coalesced). */
  readonly lost: Int32Array;
}

export interface DeviceEndpoint {
  readonly name: string;
  readonly result: CallResult;
  call(op: Op, a: number, b: number, c: number, value: number, now: number): number;
}

export function newCallResult(): CallResult {
  return { outCount: 0, outs: new Int32Array(MAX_OUT_CHANGES * 2), deadline: Infinity, effect: 0, effectValue: 0, effectReason: '', msgCount: 0, msgs: new Int32Array(MAX_MESSAGES), lostPins: 0, lost: new Int32Array(MAX_OUT_CHANGES) };
}

/** Forget the lost-edge counts of a result (before a call reuses it). */
export function clearLost(r: CallResult): void {
  if (r.lostPins === 0) return;
  r.lost.fill(0);
  r.lostPins = 0;
}

/** Empty a result before a call reuses it: no output changes, messages, effect or lost edges. */
export function clearCallResult(r: CallResult): void {
  r.outCount = 0;
  r.msgCount = 0;
  r.effect = Effect.None;
  clearLost(r);
}

export type { AccessSize, Level };
