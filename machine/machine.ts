// Assembly of a machine from its validated spec, actor hosting (piscina: one long-running task
// per actor) and supervision. The main thread keeps the front-ends, the trace hub and the
// control block; the CPU and every worker-placed device run on their own threads.
import { projectPath } from './paths.js';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { Subject } from 'rxjs';
import type { DeviceModule } from '../bus/device.js';
import { C_BUSY, C_BUSY_SEQ, C_INPUT_GATE, ControlBlock, InputGate } from '../bus/control.js';
import { allocateInputRing, InputRingWriter, type QueuedInput } from '../bus/input-ring.js';
import { allocateLineLevels } from '../bus/irq.js';
import { allocateMailbox, LIFE_DEAD, LIFE_STOP, setMailboxLife } from '../bus/mailbox.js';
import { PortMap } from '../bus/ports.js';
import { allocateRing } from '../bus/trace-ring.js';
import type { StopReason } from '../cpu/errors.js';
import type { MachineSpec } from './config/spec.js';
import { loadDeviceModule } from './device-registry.js';
import type { ActorEvent, BusTask, CpuExit, CpuTask, DeviceExit, DeviceTask, HostEvent, QtestTask } from './actors/protocol.js';
import { planBus } from './actors/bus-assembly.js';
import { TraceHub } from './trace-hub.js';
import { HostLink } from './replay/link.js';
import type { SessionTask } from './replay/protocol.js';
import { wrapControl } from './actors/comlink.js';
import type { DeviceState } from '../bus/device.js';

export interface StartOptions {
  /** Machine time at which the CPU stops (--for / --timeout). */
  stopAt?: number;
  stopReason?: StopReason;
  /** Emit trace records (costly: on only when someone listens). */
  trace?: boolean;
  /** Hold the CPU at its first idle hlt with IF=1 until releaseInput() (for --type). */
  holdForInput?: boolean;
  /** Trace ring size per actor (bytes, power of two). */
  ringBytes?: number;
  /**
   * Who drives the bus: the CPU running the guest (default), or the qtest protocol driver in its
   * place (no guest; commands through qtest(), replies on qtest$).
   */
  driver?: 'cpu' | 'qtest';
  /** Host input queued before any actor starts, by device name: events at absolute machine times land exactly then, even during POST. */
  input?: Readonly<Record<string, readonly QueuedInput[]>>;
  /** The monitor, --record, --replay, --stop-at (machine/replay): the CPU gets a session host. */
  session?: Omit<SessionTask, 'hostPort'>;
  /** Machine time starts only once this settles too (the API lets its caller subscribe first). */
  startGate?: Promise<unknown>;
}

export interface DeviceEvent {
  readonly device: string;
  readonly channel: string;
  readonly payload: unknown;
}

export interface ActorCrash {
  readonly actor: string;
  readonly error: string;
}

/** One line for a crash: a shell's own message already names its device ("device "x" crashed …"). */
export function crashText(crash: ActorCrash): string {
  return crash.error.startsWith(`device "${crash.actor}"`) ? crash.error : `actor "${crash.actor}" crashed: ${crash.error}`;
}

export interface MachineResult {
  readonly reason: StopReason | 'crash';
  /** Exit status a CLI should use. */
  readonly status: number;
  readonly cpu?: CpuExit;
  readonly crash?: ActorCrash;
}

interface Actor {
  readonly name: string;
  /** The devices it hosts (a worker; empty for the CPU). */
  readonly devices: readonly string[];
  readonly events: MessagePort;
  readonly control: MessagePort;
  readonly mailbox?: SharedArrayBuffer;
  done?: Promise<unknown>;
}

/** Where the compiled actor task lives (workers run compiled JS, also when tests run from source). */
export function actorTaskFile(): string {
  return projectPath('dist', 'machine', 'actors', 'actor-task.js');
}

export class Machine {
  readonly control = ControlBlock.allocate();
  readonly hub = new TraceHub(this.control);
  readonly trace$ = this.hub.trace$;
  readonly events$ = new Subject<DeviceEvent>();
  /** Fires when the CPU idles for good (IF=0, or a deadlock): nothing on the machine can change any more. */
  readonly idleForever$ = new Subject<{ t: number; why: 'idle' | 'deadlock'; detail: string }>();
  /** Fires when the CPU is held at the input gate (StartOptions.holdForInput): call releaseInput(). */
  readonly ready$ = new Subject<number>();
  private inputs: InputRingWriter[] = [];
  /** The CPU's session (monitor, record, replay): requests and recorded input go through it. */
  host: HostLink | undefined;
  private sessionMode: 'live' | 'record' | 'replay' = 'live';
  /** A replay takes its input from the recording only: host input is ignored (the monitor refuses it). */
  get replaying(): boolean { return this.sessionMode === 'replay'; }
  /** Fires on every machine reset (triple fault). */
  readonly resets$ = new Subject<{ t: number; why: string; count: number }>();
  /** qtest driver output: replies and IRQ lines, newline-terminated, in protocol order. */
  readonly qtest$ = new Subject<string>();
  /** The actor driving the bus: the CPU, or the qtest driver. */
  private driver: Actor | undefined;
  readonly modules = new Map<string, DeviceModule<any>>();
  readonly memory: SharedArrayBuffer;
  readonly lineLevels: Int32Array;
  readonly lineNames: string[];
  private readonly actors: Actor[] = [];
  private pool: Piscina | undefined;
  private crash: ActorCrash | undefined;
  private syncId = 0;
  private watchdog: NodeJS.Timeout | undefined;
  private readonly syncWaiters = new Map<number, () => void>();
  result: Promise<MachineResult> | undefined;

  private constructor(readonly spec: MachineSpec) {
    this.memory = new SharedArrayBuffer(spec.memoryBytes);
    this.lineNames = spec.wires.map((w) => `${w.to.device}.${w.to.pin}`);
    this.lineLevels = new Int32Array(allocateLineLevels(spec.wires.length));
  }

  /** Load modules and start every actor. `result` settles when the machine has stopped. */
  static async start(spec: MachineSpec, options: StartOptions = {}): Promise<Machine> {
    const m = new Machine(spec);
    await m.boot(options);
    return m;
  }

  private async boot(options: StartOptions): Promise<void> {
    const spec = this.spec;
    for (const d of spec.devices) this.modules.set(d.name, await loadDeviceModule(d.module));
    const { claims, claimEndpoint, routes, mmio, apicBus } = planBus(spec, this.modules);
    new PortMap(claims); // validated again by construction (the config checked it with positions)
    this.control.tracing = options.trace ?? false;
    const ringBytes = options.ringBytes ?? 1 << 20;

    // One worker per placement group (a device placed plain `worker` is a group of its own).
    const groups = new Map<string, number[]>();
    spec.devices.forEach((d, i) => {
      if (d.placement === 'worker') groups.set(d.worker ?? d.name, [...(groups.get(d.worker ?? d.name) ?? []), i]);
    });
    this.pool = new Piscina({
      filename: actorTaskFile(),
      minThreads: groups.size + 1,
      maxThreads: groups.size + 1,
      concurrentTasksPerWorker: 1,
      idleTimeout: 60_000,
      atomics: 'disabled',
      // Guest calls nest on the CPU thread's JS stack (a kernel recursing into its guard page).
      // The JS heap limit is a backstop behind each shell's own guard (limits.memory, which also
      // counts Buffers): room for the largest worker's devices together, never below 512 MiB.
      resourceLimits: { stackSizeMb: 256, maxOldGenerationSizeMb: heapLimitMb(spec) },
    });
    const mailboxes: Array<SharedArrayBuffer | null> = spec.devices.map(() => null);
    const mailboxDev = spec.devices.map(() => 0);
    const inputRings = spec.devices.map(() => allocateInputRing());
    this.inputs = inputRings.map((r) => new InputRingWriter(r));
    if (options.session) {
      this.host = new HostLink(this.control);
      this.sessionMode = options.session.replay ? 'replay' : options.session.record ? 'record' : 'live';
    }
    for (const [device, events] of Object.entries(options.input ?? {})) this.input(device, events);
    if (options.holdForInput) Atomics.store(this.control.i32, C_INPUT_GATE, InputGate.Armed);
    const up: Array<{ devices: readonly string[]; up: Promise<void> }> = [];
    for (const [worker, members] of groups) {
      const mailbox = allocateMailbox();
      members.forEach((i, dev) => {
        mailboxes[i] = mailbox;
        mailboxDev[i] = dev;
      });
      const devices = members.map((i) => spec.devices[i]);
      const actor = this.actor(`worker ${worker}`, mailbox, devices.map((d) => d.name));
      const ring = allocateRing(ringBytes);
      this.hub.addRing(ring);
      const task: DeviceTask = {
        role: 'device', worker, devices, mailbox, ring, control: this.control.sab, memory: this.memory,
        inputRings: members.map((i) => inputRings[i]), controlPort: actor.remoteControl, eventsPort: actor.remoteEvents,
      };
      const blame = devices.length === 1 ? devices[0].name : `worker ${worker} (${devices.map((d) => d.name).join(', ')})`;
      actor.done = this.pool.run(task, { transferList: [actor.remoteControl, actor.remoteEvents] as any }).then(
        (exit: DeviceExit) => exit,
        // A shell's crash names its device ("device "x" crashed: …"): blame that one, not the whole group.
        (err: unknown) => this.actorFailed(devices.find((d) => describe(err).startsWith(`device "${d.name}" `))?.name ?? blame, err, mailbox),
      );
      up.push({ devices: devices.map((d) => d.name), up: Promise.race([actor.up, actor.done.then(() => undefined)]) });
    }
    const cpuRing = allocateRing(ringBytes);
    this.hub.addRing(cpuRing);
    const qtest = options.driver === 'qtest';
    const cpuActor = this.actor(qtest ? 'qtest' : 'cpu');
    this.driver = cpuActor;
    const busTask: BusTask = {
      spec, mailboxes, mailboxDev, inputRings, claims, claimEndpoint, routes, mmio, apicBus, lineLevels: this.lineLevels.buffer as SharedArrayBuffer,
      ring: cpuRing, control: this.control.sab, memory: this.memory,
      controlPort: cpuActor.remoteControl, eventsPort: cpuActor.remoteEvents,
    };
    // Guest-thread workers (cpu.threads) are the CPU actor's to start; their trace rings are ours to drain.
    const threadRings = qtest ? [] : Array.from({ length: spec.cpu.threads }, () => {
      const ring = allocateRing(ringBytes);
      this.hub.addRing(ring);
      return ring;
    });
    const cpuTask: CpuTask | QtestTask = qtest
      ? { ...busTask, role: 'qtest' }
      : {
          ...busTask, role: 'cpu', stopAt: options.stopAt ?? Infinity, stopReason: options.stopReason ?? 'for', threadRings,
          session: options.session && this.host ? { ...options.session, hostPort: this.host.remote } : undefined,
        };
    this.hub.start();
    const cpuDone = this.pool.run(cpuTask, { transferList: [cpuActor.remoteControl, cpuActor.remoteEvents, ...(this.host ? [this.host.remote] : [])] as any });
    cpuActor.done = cpuDone;
    this.result = cpuDone.then(
      (exit: CpuExit) => this.finish(exit, undefined),
      (err: unknown) => this.finish(undefined, err),
    );
    // Machine time starts once every device worker serves its mailbox.
    void Promise.all([...up.map((w) => w.up), options.startGate]).then(() => this.control.go());
    this.startWatchdog(up);
  }

  /**
   * The supervisor's watchdog (main thread, host time — the only host-time limit in the machine):
   * the bus driver marks which device it is calling (C_BUSY, C_BUSY_SEQ); a device that stays in
   * one call longer than spec.watchdogMs — looping inline on the CPU's thread, or on its worker —
   * is named, and the machine is stopped, terminating threads that cannot stop.
   */
  private startWatchdog(up: ReadonlyArray<{ devices: readonly string[]; up: Promise<void> }>): void {
    const limit = this.spec.watchdogMs;
    const i32 = this.control.i32;
    const period = Math.max(10, Math.min(250, limit / 8));
    // Monotonic time, counted in capped ticks: a suspended laptop or a stopped process (Ctrl-Z)
    // resumes without a leap that would blame whichever device was being called.
    let busy = 0;
    let seq = 0;
    let stuck = 0;
    let last = performance.now();
    const starting = new Set(up);
    for (const w of up) void w.up.then(() => starting.delete(w));
    let startWait = 0;
    this.watchdog = setInterval(() => {
      const now = performance.now();
      const tick = Math.min(now - last, 2 * period);
      last = now;
      // A worker that never comes up (a module whose import never ends) would keep machine time from starting.
      if (starting.size > 0 && (startWait += tick) >= Math.max(limit, START_LIMIT_MS)) {
        const [late] = starting;
        this.hung(late.devices[0], `did not start within ${formatMs(Math.max(limit, START_LIMIT_MS))}: its worker never served its mailbox (a module import that never ends?)`);
        return;
      }
      const b = i32[C_BUSY];
      const q = i32[C_BUSY_SEQ];
      // Waiting on a full trace ring (a slow --log holds the hub back) is not the device's fault.
      if (b === 0 || b !== busy || q !== seq || this.hub.producerWaiting()) {
        busy = b;
        seq = q;
        stuck = 0;
        return;
      }
      if ((stuck += tick) < limit) return;
      const device = this.spec.devices[b - 1];
      this.hung(device.name, `did not answer within ${formatMs(limit)} (watchdog: ${formatMs(limit)}): it is stuck in one request on ${device.placement === 'inline' ? "the CPU's thread (placement inline)" : `its worker (${device.worker})`}`);
    }, period);
    this.watchdog.unref();
  }

  /** A device that never answers: stop the machine around it, terminating what cannot stop. */
  private hung(device: string, error: string): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.crash ??= { actor: device, error };
    this.control.requestStop();
    for (const a of this.actors) if (a.mailbox && a.devices.includes(device)) setMailboxLife(a.mailbox, LIFE_DEAD);
    // An inline device loops on the CPU's thread, which will never look at the stop request.
    const spec = this.spec.devices.find((d) => d.name === device);
    if (spec?.placement === 'inline') void this.pool?.destroy();
  }

  private actor(name: string, mailbox?: SharedArrayBuffer, devices: string[] = []): Actor & { remoteControl: MessagePort; remoteEvents: MessagePort; up: Promise<void> } {
    const control = new MessageChannel();
    const events = new MessageChannel();
    let isUp!: () => void;
    const up = new Promise<void>((resolve) => (isUp = resolve));
    const actor = { name, devices, events: events.port1, control: control.port1, mailbox, remoteControl: control.port2, remoteEvents: events.port2, up };
    events.port1.on('message', (m: ActorEvent) => (m.type === 'up' ? isUp() : this.onActorEvent(m)));
    this.actors.push(actor);
    return actor;
  }

  private onActorEvent(m: ActorEvent): void {
    if (m.type === 'device') this.events$.next({ device: m.device, channel: m.channel, payload: m.payload });
    else if (m.type === 'idle-forever') this.idleForever$.next({ t: m.t, why: m.why, detail: m.detail });
    else if (m.type === 'reset') this.resets$.next({ t: m.t, why: m.why, count: m.count });
    else if (m.type === 'ready') this.ready$.next(m.t);
    else if (m.type === 'synced') this.syncWaiters.get(m.id)?.();
    else if (m.type === 'qtest-output') this.qtest$.next(m.text);
  }

  /** Send one command line to the qtest driver (StartOptions.driver 'qtest'); replies come on qtest$. */
  qtest(line: string): void {
    this.toDriver({ type: 'qtest-line', text: line });
  }

  /** No more qtest commands: the driver answers those already sent, then the machine stops. */
  endQtest(): void {
    this.toDriver({ type: 'qtest-end' });
  }

  private toDriver(m: HostEvent): void {
    const driver = this.driver;
    if (driver?.name !== 'qtest') throw new Error('this machine was not started with driver: qtest');
    driver.events.postMessage(m);
  }

  /**
   * Queue host key events for `device` (relative delays from delivery, or absolute machine times)
   * and have the CPU service it at its next instruction boundary.
   */
  input(device: string, events: readonly QueuedInput[]): void {
    const index = this.spec.devices.findIndex((d) => d.name === device);
    if (index < 0) throw new Error(`no device "${device}" to send input to`);
    // Recording: input goes through the CPU, which records it; a replay takes input from its recording only.
    if (this.sessionMode === 'record') return this.host!.input(index, events);
    if (this.sessionMode === 'replay') return;
    this.inputs[index].pushAll(events);
    this.control.raiseAttention(index);
  }

  /** Let a CPU held at the input gate go on (after input() has queued what was to be typed). */
  releaseInput(): void {
    Atomics.store(this.control.i32, C_INPUT_GATE, InputGate.Open);
    this.control.wakeCpu();
  }

  /** A device's state now (the monitor's `info`): inline devices from the CPU's thread, worker devices from their worker. */
  async deviceState(device: string): Promise<DeviceState | undefined> {
    const spec = this.spec.devices.find((d) => d.name === device);
    const actor = this.actors.find((a) => a.devices.includes(device));
    if (!spec) return undefined;
    if (!actor) return (await this.host?.request({ op: 'snapshot', device })) as DeviceState | undefined;
    const remote = (this.workerControls[actor.name] ??= wrapControl<{ snapshot(d: string): DeviceState | undefined }>(actor.control));
    return remote.snapshot(device);
  }

  private readonly workerControls: Record<string, { snapshot(d: string): Promise<DeviceState | undefined> }> = {};

  /** Ask the machine to stop at the CPU's next instruction boundary. */
  stop(): void {
    this.control.requestStop();
  }

  private actorFailed(actor: string, err: unknown, mailbox?: SharedArrayBuffer): undefined {
    this.crash ??= { actor, error: describe(err) };
    if (mailbox) setMailboxLife(mailbox, LIFE_DEAD);
    this.control.requestStop();
    return undefined;
  }

  private async finish(exit: CpuExit | undefined, err: unknown): Promise<MachineResult> {
    if (this.watchdog) clearInterval(this.watchdog);
    const driver = this.driver?.name ?? 'cpu';
    if (err !== undefined) this.crash ??= { actor: driver, error: describe(err) };
    if (exit?.crash) this.crash ??= exit.crash;
    // Let every event posted before the stop reach the main thread (the last screen frame).
    await Promise.all(this.actors.map((a) => this.sync(a)));
    for (const a of this.actors) if (a.mailbox) setMailboxLife(a.mailbox, LIFE_STOP);
    // A worker that cannot stop (looping in a device) gets a bounded wait, then is terminated.
    const settled = Promise.allSettled(this.actors.map((a) => a.done));
    let timer: NodeJS.Timeout | undefined;
    const outcomes = await Promise.race([settled, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), FINISH_GRACE_MS)))]);
    clearTimeout(timer);
    // What each device worker says it served (a worker that had to be terminated says nothing).
    const workers = (outcomes ?? []).flatMap((o) => (o.status === 'fulfilled' && isDeviceExit(o.value) ? o.value.devices : []));
    if (exit) exit = { ...exit, served: [...(exit.served ?? []), ...workers] };
    this.hub.close();
    this.host?.close();
    for (const a of this.actors) {
      a.events.close();
      a.control.close();
    }
    await this.pool?.destroy();
    this.events$.complete();
    this.idleForever$.complete();
    this.resets$.complete();
    this.ready$.complete();
    this.qtest$.complete();
    if (this.crash) return { reason: 'crash', status: 1, cpu: exit, crash: this.crash };
    if (!exit) return { reason: 'crash', status: 1, crash: { actor: driver, error: 'no result' } };
    return { reason: exit.reason, status: exit.status, cpu: exit };
  }

  /** Round trip on an actor's events port: everything it posted before is now delivered. */
  private sync(actor: Actor): Promise<void> {
    const id = ++this.syncId;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, 1000); // a dead actor cannot answer
      function done(): void { clearTimeout(timer); resolve(); }
      this.syncWaiters.set(id, () => { this.syncWaiters.delete(id); done(); });
      actor.events.postMessage({ type: 'sync', id });
    });
  }
}

function isDeviceExit(v: unknown): v is DeviceExit {
  return typeof v === 'object' && v !== null && Array.isArray((v as DeviceExit).devices);
}

/** The pool's JS heap limit per thread (piscina gives every worker the same). */
function heapLimitMb(spec: MachineSpec): number {
  const perWorker = new Map<string, number>();
  for (const d of spec.devices) {
    if (d.placement === 'worker') perWorker.set(d.worker ?? d.name, (perWorker.get(d.worker ?? d.name) ?? 0) + d.limits.memoryBytes);
  }
  return Math.max(512, Math.ceil(Math.max(0, ...perWorker.values()) / 2 ** 20) + 128);
}

/** The least a worker is given to load its modules and serve (host ms); the watchdog, when longer. */
const START_LIMIT_MS = 30_000;

/** How long stopping waits for actors to end before terminating them (host ms; only a hung actor waits it out). */
const FINISH_GRACE_MS = 3000;

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.name === 'Error' ? err.message : `${err.name}: ${err.message}`;
  return String(err);
}
