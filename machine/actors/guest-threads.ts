// Guest threads on host threads (cpu/threads.ts explains why): the boot thread's side and the
// workers'. The boot thread hosts the bus (router, inline devices, mailboxes to device workers);
// while its own guest thread is switched out it parks in its switch instruction and serves the bus
// requests of whichever worker holds the CPU. A worker runs one guest thread at a time: it waits
// for the baton, calls the thread's entry, parks in its switches, and unwinds its host stack when
// the guest releases the thread or the machine resets or stops.
import { Worker } from 'node:worker_threads';
import type { AccessSize } from '../../bus/device.js';
import type { BusRouter } from '../../bus/router.js';
import { GuestReturned, MachineReset, MachineStop, type StopReason } from '../../cpu/errors.js';
import { ThreadAbandoned, type ThreadHost } from '../../cpu/threads.js';
import { SERVER_SPIN } from '../../bus/mailbox.js';
import { BatonBlock, BusAborted, BusOp, HomeKind, type HomeReason, type RemoteBus } from './baton.js';
import type { MachineSpec } from '../config/spec.js';
import { bindCpu } from '../../cpu/isa.js';

/** What a guest-thread worker is started with (workerData). */
export interface GuestThreadTask {
  readonly spec: MachineSpec;
  readonly handle: number;
  readonly count: number;
  readonly baton: SharedArrayBuffer;
  readonly control: SharedArrayBuffer;
  readonly memory: SharedArrayBuffer;
  readonly ring: SharedArrayBuffer;
  /** The boot thread's text and statics layout: the worker's must be the same (same code, same addresses). */
  readonly layout: string;
  readonly stopAt: number;
  readonly stopReason: StopReason;
}

/** What the boot thread does for a worker's CPU that the worker cannot (its events port is the boot thread's). */
export interface BootHooks {
  ready(t: number): void;
  idleForever(t: number, why: 'idle' | 'deadlock', detail: string): void;
}

/**
 * Host time a thread that handed the CPU over keeps looking for it before sleeping (ms). A
 * switch back within it (a ping-pong, a thread that yields at once, the boot thread serving a
 * burst of bus requests) costs no futex wake. Measured on this 2-vCPU VM (npm run bench switch):
 * a wake from Atomics.wait takes 25–100 µs here, while the other side needs 3–5 µs to switch
 * back; a budget of 2000 polls (≈2 µs) slept at nearly every switch (a round trip ≈ 28 µs, the
 * bare wait/notify figure), 0.1 ms slept at 1 switch in 100 (≈ 8 µs). A parked thread burns at
 * most this much of a core per switch: 1 % of a 10 ms time slice.
 */
const SWITCH_SPIN_MS = 0.1;

/** Host wait between looks at the wake word (a bound, not a timeout: every wake-up is notified). */
const WAIT_MS = 1000;

/** The boot thread (handle 0): starts the workers, and serves the bus while its guest thread is parked. */
export class BootThreads implements ThreadHost {
  readonly self = 0;
  readonly block: BatonBlock;
  private readonly workers: Worker[] = [];
  private router?: BusRouter;
  private hooks?: BootHooks;
  /** Host ms this thread spent parked in a switch (waiting for the CPU, or serving the bus for a worker). */
  parkedMs = 0;

  private constructor(readonly count: number) {
    this.block = new BatonBlock(BatonBlock.allocate(count), count);
  }

  /** Start `task`'s workers (one per `spec.cpu.threads`) and wait until each has loaded the kernel. */
  static async start(base: Omit<GuestThreadTask, 'handle' | 'baton' | 'ring' | 'count'>, rings: readonly SharedArrayBuffer[]): Promise<BootThreads> {
    const count = base.spec.cpu.threads;
    const boot = new BootThreads(count);
    const file = new URL('./guest-thread-actor.js', import.meta.url);
    const ups: Array<Promise<void>> = [];
    for (let h = 1; h <= count; h++) {
      const task: GuestThreadTask = { ...base, handle: h, count, baton: boot.block.sab, ring: rings[h - 1] };
      const worker = new Worker(file, { workerData: task, resourceLimits: { stackSizeMb: 256 } });
      boot.workers.push(worker);
      ups.push(new Promise<void>((resolve, reject) => {
        worker.once('message', (m: { type: string; error?: string }) => (m.type === 'up' ? resolve() : reject(new Error(m.error))));
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`guest-thread worker ${h} exited (${code}) before it was ready`)));
      }));
    }
    try {
      await Promise.all(ups);
    } catch (err) {
      await boot.close();
      throw err;
    }
    return boot;
  }

  /** The bus this thread serves while parked, and what it does for a worker's CPU. */
  bind(router: BusRouter, hooks: BootHooks, clockOrigin: number): void {
    this.router = router;
    this.hooks = hooks;
    this.block.clockOrigin = clockOrigin;
  }

  get state(): Float64Array { return this.block.state; }
  taken(h: number): boolean { return this.block.taken(h); }
  take(h: number, entry: number, arg: number): void { this.block.take(h, entry, arg); }
  abandon(h: number): void { this.block.abandon(h); }

  /** A reset or the end of the machine: every worker drops its guest thread. */
  abandonAll(): void {
    for (let h = 1; h <= this.count; h++) if (this.block.taken(h)) this.block.abandon(h);
  }

  handOff(to: number): void {
    const { block } = this;
    const router = this.router!;
    const publish = () => block.publishBus(router.intr, router.nextDeadline);
    const parked = performance.now();
    try {
      publish();
      block.pass(to);
      this.park(router, publish);
    } finally {
      this.parkedMs += performance.now() - parked;
    }
  }

  private park(router: BusRouter, publish: () => void): void {
    const { block } = this;
    let failure: unknown;
    let failed = false;
    let spinUntil = performance.now() + SWITCH_SPIN_MS;
    let spins = SERVER_SPIN;
    for (;;) {
      const seen = block.wakeSeen(0);
      if (block.requestPending !== block.lastAnswered) {
        const err = block.serve(this.handle, publish, failed);
        if (err !== undefined && !failed) {
          failed = true;
          failure = err;
        }
        spinUntil = performance.now() + SWITCH_SPIN_MS;
        continue;
      }
      if (block.holder === 0) {
        const home = block.takeHome();
        if (failed) throw failure; // the error a bus request met here ends the machine, as on this thread
        if (home) throw homeError(home);
        return;
      }
      if (--spins > 0) continue;
      spins = SERVER_SPIN;
      if (performance.now() < spinUntil) continue;
      block.sleep(0, seen, WAIT_MS);
    }
  }

  /** One bus request of the worker holding the CPU, served by this thread's router. */
  private readonly handle = (op: BusOp, a: number, b: number, c: number, now: number): number => {
    const router = this.router!;
    switch (op) {
      case BusOp.In: return router.in(a, b as AccessSize, now);
      case BusOp.Out: router.out(a, b as AccessSize, c, now); return 0;
      case BusOp.MmioRead: return router.mmioRead(a, b as AccessSize, now);
      case BusOp.MmioWrite: router.mmioWrite(a, b as AccessSize, c, now); return 0;
      case BusOp.Acknowledge: return router.acknowledge(now);
      case BusOp.AdvanceDue: router.advanceDue(now); return 0;
      case BusOp.Service: router.service(a, now); return 0;
      case BusOp.FlushAll: router.flushAll(now); return 0;
      case BusOp.Ready: this.hooks?.ready(now); return 0;
      case BusOp.IdleForever: this.hooks?.idleForever(now, a === 1 ? 'deadlock' : 'idle', this.block.readText()); return 0;
      default: throw new Error(`unknown bus request ${op as number} from a guest thread`);
    }
  };

  /** Host ms each worker's guest threads ran (halts excluded), by handle 1..count. */
  workersRanMs(): number[] {
    return Array.from({ length: this.count }, (_, i) => this.block.ranMs(i + 1));
  }

  /** End every worker (the machine has stopped). */
  async close(): Promise<void> {
    this.block.quitAll();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

function homeError(home: HomeReason): Error {
  switch (home.kind) {
    case HomeKind.Stop: return new MachineStop(home.reason as StopReason, home.status);
    case HomeKind.Reset: return new MachineReset(home.why);
    case HomeKind.Error: return home.returned ? new GuestReturned(home.message) : new Error(home.message);
    case HomeKind.Aborted: return new Error('a guest thread ended after a failed bus request, but the boot thread holds no error');
  }
}

/** Why a worker's guest thread ended, for the boot thread to rethrow. */
export function homeReason(err: unknown, handle: number): HomeReason {
  if (err instanceof MachineStop) return { kind: HomeKind.Stop, reason: err.reason, status: err.status };
  if (err instanceof MachineReset) return { kind: HomeKind.Reset, why: err.why };
  if (err instanceof BusAborted) return { kind: HomeKind.Aborted };
  if (err instanceof GuestReturned) return { kind: HomeKind.Error, message: err.message, returned: true };
  const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
  return { kind: HomeKind.Error, message: `guest thread on host thread ${handle}: ${text}`, returned: false };
}

/** A worker (handle ≥ 1): parks in its switches until the baton comes back or its thread is abandoned. */
export class WorkerThreads implements ThreadHost {
  /** The epoch of the guest thread this worker runs (BatonBlock.abandon moves it on). */
  epoch = 0;
  /** When this thread last got the CPU (host ms), and its CPU's halt total then. */
  private heldSince = 0;
  private haltedAtStart = 0;
  /** Host ms the CPU of this thread has waited in halts (its Cpu's HaltWait), once it exists. */
  haltedMs: () => number = () => 0;

  constructor(readonly block: BatonBlock, readonly self: number, private readonly bus: RemoteBus) {}

  private got(): void {
    this.heldSince = performance.now();
    this.haltedAtStart = this.haltedMs();
  }

  private gave(): void {
    this.block.addRanMs(this.self, Math.max(0, performance.now() - this.heldSince - (this.haltedMs() - this.haltedAtStart)));
  }

  get count(): number { return this.block.count; }
  get state(): Float64Array { return this.block.state; }
  taken(h: number): boolean { return this.block.taken(h); }
  take(h: number, entry: number, arg: number): void { this.block.take(h, entry, arg); }
  abandon(h: number): void { this.block.abandon(h); }

  handOff(to: number): void {
    const { block, self } = this;
    this.gave();
    block.pass(to);
    const spinUntil = performance.now() + SWITCH_SPIN_MS;
    let spins = SERVER_SPIN;
    for (;;) {
      const seen = block.wakeSeen(self);
      // HOLDER before EPOCH: an abandon is stored before the hand-off that may follow it.
      if (block.holder === self) {
        if (block.epoch(self) !== this.epoch) this.abandoned();
        this.bus.refresh();
        this.got();
        return;
      }
      if (block.epoch(self) !== this.epoch || block.quit) this.abandoned();
      if (--spins > 0) continue;
      spins = SERVER_SPIN;
      if (performance.now() < spinUntil) continue;
      block.sleep(self, seen, WAIT_MS);
    }
  }

  /** Wait for a guest thread to start here: its entry and argument, or undefined when the machine is over. */
  awaitStart(): { entry: number; arg: number } | undefined {
    const { block, self } = this;
    block.setIdle(self, true);
    for (;;) {
      const seen = block.wakeSeen(self);
      if (block.quit) return undefined;
      if (block.holder === self) break;
      block.sleep(self, seen, WAIT_MS);
    }
    block.setIdle(self, false);
    this.epoch = block.epoch(self);
    this.bus.refresh();
    this.got();
    return { entry: block.entry(self), arg: block.arg(self) };
  }

  /** The machine ends here (stop, reset, exit, a failed bus request): hand the CPU home with why. */
  goHome(err: unknown): void {
    this.gave();
    this.block.sendHome(homeReason(err, this.self));
  }

  private abandoned(): never {
    // Nothing this host stack still runs may touch the CPU: it belongs to another thread now.
    bindCpu(undefined);
    throw new ThreadAbandoned(this.self);
  }
}
