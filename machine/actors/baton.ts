// The shared words behind guest threads (cpu/threads.ts): who holds the CPU, one wake word per
// host thread, the CPU's architectural state crossing with the baton, and the bus requests a
// guest thread on a worker makes of the boot thread, which hosts the bus (the router, the inline
// devices, the mailboxes to worker devices) and serves it while its own guest thread is parked.
//
// Only the holder of the baton touches the CPU state, issues bus requests or changes which host
// threads are taken; a hand-off is a release store of HOLDER plus a wake, so everything the
// holder wrote before it is visible to the next holder (Atomics are sequentially consistent).
import type { AccessSize, Level } from '../../bus/device.js';
import type { CpuBus } from '../../bus/cpu-bus.js';
import { STATE_WORDS } from '../../cpu/threads.js';
import { CLIENT_SPIN } from '../../bus/mailbox.js';

const HOLDER = 0;
const REQ_SEQ = 1;
const RESP_SEQ = 2;
const OP = 3;
const STATUS = 4; // 0 ok, 1 the boot thread failed the request (the machine ends: unwind and go home)
const INTR = 5;
const HOME = 6; // why the baton came home: 0 a switch, else HomeKind
const HOME_LEN = 7; // bytes of the text (the HOME payload as JSON, or an idle-forever detail)
const QUIT = 8;
const PER_THREAD = 16; // then per host thread h: WAKE, TAKEN, EPOCH, IDLE, ENTRY
const WAKE = 0;
const TAKEN = 1;
const EPOCH = 2;
const IDLE = 3;
const ENTRY = 4;
const THREAD_WORDS = 8;

// Float64 words
const F_A = 0;
const F_B = 1;
const F_C = 2;
const F_NOW = 3;
const F_RESULT = 4;
const F_NEXT = 5;
const F_ORIGIN = 6; // realtime clock origin (epoch ms) of the boot thread's clock
const F_STATE = 8; // STATE_WORDS: saveCpuState (cpu/threads.ts)
const F_ARG = F_STATE + STATE_WORDS; // per host thread: its start argument
// then per host thread: host ms it held the CPU and ran guest code (its halts excluded), for --stats

const TEXT_BYTES = 4096;

/** A bus request from a guest thread on a worker. */
export const enum BusOp {
  In = 1,
  Out,
  MmioRead,
  MmioWrite,
  Acknowledge,
  AdvanceDue,
  Service,
  FlushAll,
  /** The CPU reached the input gate (CpuOptions.onReady). */
  Ready,
  /** The CPU can never run again (CpuOptions.onIdleForever): A = 1 for a deadlock, the text holds the detail. */
  IdleForever,
}

export const enum HomeKind {
  Stop = 1,
  Reset,
  /** A bus request failed on the boot thread, which holds the error. */
  Aborted,
  /** The guest thread's entry returned, or anything else that ends the machine. */
  Error,
}

/** Why the baton came home, as the boot thread rethrows it. */
export type HomeReason =
  | { readonly kind: HomeKind.Stop; readonly reason: string; readonly status: number }
  | { readonly kind: HomeKind.Reset; readonly why: string }
  | { readonly kind: HomeKind.Aborted }
  | { readonly kind: HomeKind.Error; readonly message: string; readonly returned: boolean };

export class BatonBlock {
  readonly sab: SharedArrayBuffer;
  readonly i32: Int32Array;
  readonly f64: Float64Array;
  readonly state: Float64Array;
  private readonly text: Uint8Array;

  /** `count`: worker host threads (handles 1..count); handle 0 is the boot thread. */
  static allocate(count: number): SharedArrayBuffer {
    const intBytes = (PER_THREAD + (count + 1) * THREAD_WORDS) * 4;
    const f64Bytes = (F_ARG + 2 * (count + 1)) * 8;
    return new SharedArrayBuffer(Math.ceil(intBytes / 8) * 8 + f64Bytes + TEXT_BYTES);
  }

  constructor(sab: SharedArrayBuffer, readonly count: number) {
    this.sab = sab;
    const intWords = PER_THREAD + (count + 1) * THREAD_WORDS;
    const f64At = Math.ceil((intWords * 4) / 8) * 8;
    this.i32 = new Int32Array(sab, 0, intWords);
    this.f64 = new Float64Array(sab, f64At, F_ARG + 2 * (count + 1));
    this.state = this.f64.subarray(F_STATE, F_STATE + STATE_WORDS);
    this.text = new Uint8Array(sab, f64At + (F_ARG + 2 * (count + 1)) * 8, TEXT_BYTES);
  }

  private word(h: number, w: number): number {
    return PER_THREAD + h * THREAD_WORDS + w;
  }

  get holder(): number { return Atomics.load(this.i32, HOLDER); }
  wakeSeen(h: number): number { return Atomics.load(this.i32, this.word(h, WAKE)); }
  /** Hand the CPU to `to` and wake it. */
  pass(to: number): void {
    Atomics.store(this.i32, HOLDER, to);
    this.wake(to);
  }
  wake(h: number): void {
    const w = this.word(h, WAKE);
    Atomics.add(this.i32, w, 1);
    Atomics.notify(this.i32, w);
  }
  /** Sleep until host thread h's wake word moves from `seen` (or `ms` pass). */
  sleep(h: number, seen: number, ms: number): void {
    Atomics.wait(this.i32, this.word(h, WAKE), seen, ms);
  }

  taken(h: number): boolean { return this.i32[this.word(h, TAKEN)] !== 0; }
  take(h: number, entry: number, arg: number): void {
    this.i32[this.word(h, ENTRY)] = entry;
    this.f64[F_ARG + h] = arg;
    Atomics.store(this.i32, this.word(h, TAKEN), 1);
  }
  entry(h: number): number { return this.i32[this.word(h, ENTRY)]; }
  /** Host ms host thread h has run guest code (written by h only). */
  ranMs(h: number): number { return this.f64[F_ARG + this.count + 1 + h]; }
  addRanMs(h: number, ms: number): void { this.f64[F_ARG + this.count + 1 + h] += ms; }
  arg(h: number): number { return this.f64[F_ARG + h]; }
  /** Host thread h's guest thread is gone: bump its epoch (it unwinds when it sees the change) and wake it. */
  abandon(h: number): void {
    Atomics.store(this.i32, this.word(h, TAKEN), 0);
    Atomics.add(this.i32, this.word(h, EPOCH), 1);
    this.wake(h);
  }
  epoch(h: number): number { return Atomics.load(this.i32, this.word(h, EPOCH)); }
  /** Host thread h waits for a guest thread to start (set by the worker; read by the boot thread). */
  idle(h: number): boolean { return Atomics.load(this.i32, this.word(h, IDLE)) !== 0; }
  setIdle(h: number, idle: boolean): void {
    Atomics.store(this.i32, this.word(h, IDLE), idle ? 1 : 0);
    Atomics.notify(this.i32, this.word(h, IDLE));
  }
  /** Wait (host time, bounded) until host thread h is idle. */
  awaitIdle(h: number, ms: number): boolean {
    const w = this.word(h, IDLE);
    const until = Date.now() + ms;
    while (Atomics.load(this.i32, w) === 0) {
      const left = until - Date.now();
      if (left <= 0) return false;
      Atomics.wait(this.i32, w, 0, left);
    }
    return true;
  }

  get quit(): boolean { return Atomics.load(this.i32, QUIT) !== 0; }
  /** The machine is over: every worker ends. */
  quitAll(): void {
    Atomics.store(this.i32, QUIT, 1);
    for (let h = 1; h <= this.count; h++) this.wake(h);
  }

  get clockOrigin(): number { return this.f64[F_ORIGIN]; }
  set clockOrigin(ms: number) { this.f64[F_ORIGIN] = ms; }

  // ---- the CPU going home with a reason ----
  sendHome(reason: HomeReason): void {
    this.writeText(JSON.stringify(reason));
    Atomics.store(this.i32, HOME, reason.kind);
    this.pass(0);
  }
  /** Why the baton came home (undefined: an ordinary switch); clears it. */
  takeHome(): HomeReason | undefined {
    if (Atomics.load(this.i32, HOME) === 0) return undefined;
    const text = this.readText();
    Atomics.store(this.i32, HOME, 0);
    try {
      return JSON.parse(text) as HomeReason;
    } catch {
      return { kind: HomeKind.Error, message: text, returned: false };
    }
  }

  // ---- bus requests (client: the holder on a worker; server: the parked boot thread) ----
  get requestPending(): number { return Atomics.load(this.i32, REQ_SEQ); }
  get lastAnswered(): number { return Atomics.load(this.i32, RESP_SEQ); }

  /** What the boot thread's router says the CPU sees: its INTR and the next device deadline. */
  publishBus(intr: Level, next: number): void {
    this.i32[INTR] = intr;
    this.f64[F_NEXT] = next;
  }
  get intr(): Level { return this.i32[INTR] as Level; }
  get nextDeadline(): number { return this.f64[F_NEXT]; }

  /** A text for the other side (a reason to go home, an idle-forever detail), cut to TEXT_BYTES. */
  writeText(s: string): void {
    const bytes = new TextEncoder().encode(s);
    const n = Math.min(bytes.length, TEXT_BYTES);
    this.text.set(bytes.subarray(0, n));
    this.i32[HOME_LEN] = n;
  }
  readText(): string {
    return new TextDecoder().decode(this.text.slice(0, this.i32[HOME_LEN]));
  }

  request(op: BusOp, a: number, b: number, c: number, now: number): void {
    const i32 = this.i32;
    const f64 = this.f64;
    i32[OP] = op;
    f64[F_A] = a;
    f64[F_B] = b;
    f64[F_C] = c;
    f64[F_NOW] = now;
    Atomics.store(i32, REQ_SEQ, (Atomics.load(i32, REQ_SEQ) + 1) | 0);
    this.wake(0);
  }

  /** Wait for the answer to the last request: its value, or undefined if the boot thread failed it. */
  awaitAnswer(): number | undefined {
    const i32 = this.i32;
    const seq = Atomics.load(i32, REQ_SEQ);
    let spins = CLIENT_SPIN;
    let seen: number;
    while ((seen = Atomics.load(i32, RESP_SEQ)) !== seq) {
      if (--spins > 0) continue;
      Atomics.wait(i32, RESP_SEQ, seen, 250);
    }
    return i32[STATUS] === 0 ? this.f64[F_RESULT] : undefined;
  }

  /** Serve the pending request with `handle` (on the boot thread). A throw fails it: the error is the caller's to keep. */
  serve(handle: (op: BusOp, a: number, b: number, c: number, now: number) => number, publish: () => void, failed: boolean): unknown {
    const i32 = this.i32;
    const f64 = this.f64;
    const seq = Atomics.load(i32, REQ_SEQ);
    let error: unknown;
    if (failed) i32[STATUS] = 1;
    else {
      try {
        f64[F_RESULT] = handle(i32[OP] as BusOp, f64[F_A], f64[F_B], f64[F_C], f64[F_NOW]);
        i32[STATUS] = 0;
      } catch (err) {
        error = err;
        i32[STATUS] = 1;
      }
      publish();
    }
    Atomics.store(i32, RESP_SEQ, seq);
    Atomics.notify(i32, RESP_SEQ);
    return error;
  }
}

/** A bus request the boot thread failed: the machine is ending, this guest thread unwinds and goes home. */
export class BusAborted extends Error {
  constructor() {
    super('the bus failed a request on the boot thread (the machine is ending)');
  }
}

/** The CPU's bus on a worker host thread: every access is a request to the boot thread. */
export class RemoteBus implements CpuBus {
  intr: Level = 0;
  nextDeadline = Infinity;

  constructor(private readonly block: BatonBlock) {}

  /** The baton arrived: read what the router last said. */
  refresh(): void {
    this.intr = this.block.intr;
    this.nextDeadline = this.block.nextDeadline;
  }

  private call(op: BusOp, a: number, b: number, c: number, now: number): number {
    const block = this.block;
    block.request(op, a, b, c, now);
    const v = block.awaitAnswer();
    if (v === undefined) throw new BusAborted();
    this.intr = block.intr;
    this.nextDeadline = block.nextDeadline;
    return v;
  }

  in(port: number, size: AccessSize, now: number): number { return this.call(BusOp.In, port, size, 0, now); }
  out(port: number, size: AccessSize, value: number, now: number): void { this.call(BusOp.Out, port, size, value, now); }
  mmioRead(pa: number, size: AccessSize, now: number): number { return this.call(BusOp.MmioRead, pa, size, 0, now); }
  mmioWrite(pa: number, size: AccessSize, value: number, now: number): void { this.call(BusOp.MmioWrite, pa, size, value, now); }
  acknowledge(now: number): number { return this.call(BusOp.Acknowledge, 0, 0, 0, now); }
  advanceDue(now: number): void { this.call(BusOp.AdvanceDue, 0, 0, 0, now); }
  service(mask: number, now: number): void { this.call(BusOp.Service, mask, 0, 0, now); }
  flushAll(now: number): void { this.call(BusOp.FlushAll, 0, 0, 0, now); }
  ready(now: number): void { this.call(BusOp.Ready, 0, 0, 0, now); }
  idleForever(now: number, why: 'idle' | 'deadlock', detail: string): void {
    this.block.writeText(detail);
    this.call(BusOp.IdleForever, why === 'deadlock' ? 1 : 0, 0, 0, now);
  }
}
