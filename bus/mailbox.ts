// The synchronous port-I/O transport: one mailbox per device worker (shared by the devices of a
// placement group) in a SharedArrayBuffer.
// The CPU (client) posts a request and spins a bounded number of polls, then sleeps in
// Atomics.wait; the device (server) does the same on its side. Measured on this machine:
// ≈0.2–0.5 µs per round trip while both sides are hot, ≈11 µs from sleep (see
// shared/reference/node-transport-measurements.md). Never spin without bound: there are more
// threads than cores.
import { clearCallResult, clearLost, Effect, type CallResult, type DeviceEndpoint, MAX_MESSAGES, MAX_OUT_CHANGES, newCallResult, type Op } from './endpoint.js';

const REQ_SEQ = 0;
const RESP_SEQ = 1;
const OP = 2;
const A = 3;
const B = 4;
const C = 5;
const VALUE = 6;
const RESULT = 7;
const OUT_COUNT = 8;
const STATUS = 9; // 0 ok, 1 the device failed (actor crashed)
const LIFE = 10; // 0 alive, 1 dead (set by the supervisor), 2 stop requested
const EFFECT = 11;
const EFFECT_VALUE = 12;
const DEV = 13; // which device of the worker's group the request is for
const MSG_COUNT = 14; // APIC bus messages sent during the call
const LOST_PINS = 15; // CallResult.lostPins: 0, or the LOST words are filled
const OUTS = 16; // MAX_OUT_CHANGES pairs
const MSGS = OUTS + MAX_OUT_CHANGES * 2; // MAX_MESSAGES words
const LOST = MSGS + MAX_MESSAGES; // CallResult.lost: edges merged away per output pin (MAX_OUT_CHANGES words)
const INT_WORDS = LOST + MAX_OUT_CHANGES;
const F_NOW = 0;
const F_DEADLINE = 1;
const BYTES = INT_WORDS * 4 + 16;

export const LIFE_ALIVE = 0;
export const LIFE_DEAD = 1;
export const LIFE_STOP = 2;

/**
 * Polls before sleeping. The client spins ≈10 µs (longer than a futex wake, so a device that is
 * awake answers within the spin). A server spins only ≈1 µs after each request: several device
 * threads spinning longer on 2 cores starve the CPU thread (measured: 2.5× slower IRQ storms).
 */
export const CLIENT_SPIN = 2000;
export const SERVER_SPIN = 200;

export function allocateMailbox(): SharedArrayBuffer {
  return new SharedArrayBuffer(BYTES);
}

export class ActorDeadError extends Error {
  constructor(readonly actor: string, detail: string) {
    super(`device actor "${actor}" ${detail}`);
  }
}

/**
 * CPU side. Devices that share a worker (a placement group) share its mailbox: each has a client
 * naming its index in the group. All clients live on the one thread that drives the bus and call
 * one at a time, so the sequence number is read from the mailbox, not kept per client.
 */
export class MailboxClient implements DeviceEndpoint {
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  readonly result: CallResult = newCallResult();
  /** A device that has not answered after this long is reported as hung (ms). */
  hangLimitMs = 10_000;

  constructor(readonly name: string, sab: SharedArrayBuffer, private readonly dev = 0) {
    this.i32 = new Int32Array(sab, 0, INT_WORDS);
    this.f64 = new Float64Array(sab, INT_WORDS * 4, 2);
  }

  call(op: Op, a: number, b: number, c: number, value: number, now: number): number {
    const i32 = this.i32;
    i32[OP] = op;
    i32[A] = a;
    i32[B] = b;
    i32[C] = c;
    i32[VALUE] = value | 0;
    i32[DEV] = this.dev;
    this.f64[F_NOW] = now;
    const seq = (Atomics.load(i32, REQ_SEQ) + 1) | 0;
    Atomics.store(i32, REQ_SEQ, seq);
    Atomics.notify(i32, REQ_SEQ);
    let spins = CLIENT_SPIN;
    while (Atomics.load(i32, RESP_SEQ) !== seq) {
      if (--spins > 0) continue;
      this.sleep(seq);
      break;
    }
    if (i32[STATUS] !== 0) throw new ActorDeadError(this.name, 'failed while handling a request');
    const r = this.result;
    const n = i32[OUT_COUNT];
    r.outCount = n;
    for (let i = 0; i < n * 2; i++) r.outs[i] = i32[OUTS + i];
    r.deadline = this.f64[F_DEADLINE];
    const m = i32[MSG_COUNT];
    r.msgCount = m;
    for (let i = 0; i < m; i++) r.msgs[i] = i32[MSGS + i];
    clearLost(r);
    const lostPins = i32[LOST_PINS];
    if (lostPins !== 0) {
      r.lostPins = lostPins;
      for (let i = 0; i < MAX_OUT_CHANGES; i++) r.lost[i] = i32[LOST + i];
    }
    r.effect = i32[EFFECT];
    if (r.effect !== Effect.None) {
      r.effectValue = i32[EFFECT_VALUE];
      r.effectReason = r.effect === Effect.Exit ? 'device requested exit' : 'device requested reset';
    }
    return i32[RESULT] >>> 0;
  }

  private sleep(seq: number): void {
    const started = Date.now();
    for (;;) {
      const seen = Atomics.load(this.i32, RESP_SEQ);
      if (seen === seq) return;
      if (Atomics.load(this.i32, LIFE) === LIFE_DEAD) throw new ActorDeadError(this.name, 'has died');
      Atomics.wait(this.i32, RESP_SEQ, seen, 250);
      if (Date.now() - started > this.hangLimitMs && Atomics.load(this.i32, RESP_SEQ) !== seq) {
        throw new ActorDeadError(this.name, `did not answer within ${this.hangLimitMs} ms`);
      }
    }
  }
}

/** The request a server hands to its shell. */
export interface MailboxRequest {
  /** Index of the addressed device in the worker's group. */
  dev: number;
  op: Op;
  a: number;
  b: number;
  c: number;
  value: number;
  now: number;
}

/** Device side: serves requests with `handle`, yielding to the event loop when idle. */
export class MailboxServer {
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  private last: number;
  private readonly req: MailboxRequest = { dev: 0, op: 0 as Op, a: 0, b: 0, c: 0, value: 0, now: 0 };

  constructor(sab: SharedArrayBuffer) {
    this.i32 = new Int32Array(sab, 0, INT_WORDS);
    this.f64 = new Float64Array(sab, INT_WORDS * 4, 2);
    // Start from what has been answered: a request posted before this server existed is served.
    this.last = Atomics.load(this.i32, RESP_SEQ);
  }

  get stopRequested(): boolean { return Atomics.load(this.i32, LIFE) !== LIFE_ALIVE; }

  /**
   * Serve requests until none arrives for `idleMs`, or a stop is requested. Returns so the caller
   * can yield to its event loop (comlink control, timers) and call again.
   */
  serve(handle: (req: MailboxRequest, result: CallResult) => number, result: CallResult, idleMs: number): void {
    const i32 = this.i32;
    for (;;) {
      let spins = SERVER_SPIN;
      let seq = Atomics.load(i32, REQ_SEQ);
      while (seq === this.last) {
        if (Atomics.load(i32, LIFE) !== LIFE_ALIVE) return;
        if (--spins > 0) { seq = Atomics.load(i32, REQ_SEQ); continue; }
        if (Atomics.wait(i32, REQ_SEQ, this.last, idleMs) === 'timed-out') return;
        seq = Atomics.load(i32, REQ_SEQ);
        if (seq === this.last) return; // woken for a stop or a control message
      }
      this.last = seq;
      const q = this.req;
      q.dev = i32[DEV];
      q.op = i32[OP];
      q.a = i32[A];
      q.b = i32[B];
      q.c = i32[C];
      q.value = i32[VALUE];
      q.now = this.f64[F_NOW];
      clearCallResult(result);
      let value = 0;
      try {
        value = handle(q, result);
        i32[STATUS] = 0;
      } catch (err) {
        i32[STATUS] = 1;
        Atomics.store(i32, RESP_SEQ, seq);
        Atomics.notify(i32, RESP_SEQ);
        throw err;
      }
      i32[RESULT] = value | 0;
      const n = Math.min(result.outCount, MAX_OUT_CHANGES);
      i32[OUT_COUNT] = n;
      for (let i = 0; i < n * 2; i++) i32[OUTS + i] = result.outs[i];
      const m = Math.min(result.msgCount, MAX_MESSAGES);
      i32[MSG_COUNT] = m;
      for (let i = 0; i < m; i++) i32[MSGS + i] = result.msgs[i];
      this.f64[F_DEADLINE] = result.deadline;
      i32[LOST_PINS] = result.lostPins;
      if (result.lostPins !== 0) for (let i = 0; i < MAX_OUT_CHANGES; i++) i32[LOST + i] = result.lost[i];
      i32[EFFECT] = result.effect;
      i32[EFFECT_VALUE] = result.effectValue | 0;
      Atomics.store(i32, RESP_SEQ, seq);
      Atomics.notify(i32, RESP_SEQ);
    }
  }
}

/** Supervisor side: mark an actor dead (wakes a waiting client) or ask its server to stop. */
export function setMailboxLife(sab: SharedArrayBuffer, life: number): void {
  const i32 = new Int32Array(sab, 0, INT_WORDS);
  Atomics.store(i32, LIFE, life);
  Atomics.notify(i32, RESP_SEQ);
  Atomics.add(i32, REQ_SEQ, 0);
  Atomics.notify(i32, REQ_SEQ);
}
