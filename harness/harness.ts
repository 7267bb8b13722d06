// The actor harness: one device, from a YAML fragment, with a fake bus around it — qtest without
// the board. Port I/O, input pin levels, INTA, the history of its output pins, a virtual clock
// that delivers its deadlines in order, its trace records and events, stop().
//
//   const h = await startDevice('impl: i8259\noptions: { role: master }', { placement: 'worker' });
//   h.out(0x20, 1, 0x11); …; h.setInput('ir0', 1);
//   expect(h.level('int')).toBe(1); expect(h.acknowledge()).toBe(0x08);
//   h.step(1e6); await h.stop();
//
// placement 'worker' runs the device where a machine would: the real actor task on a piscina
// worker (device shell + mailbox server), reached through a MailboxClient; 'inline' runs the shell
// on this thread behind an InlineEndpoint. Both are built by the machine's own bus assembly and
// driven by the real BusRouter, so one test proves both placements. The fragment is checked by the
// machine config loader (options schema, ports, impl paths). No test-framework imports: usable
// from vitest, node:test or a script. Workers run compiled code: build (tsc -b) first.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { parse } from 'yaml';
import { ControlBlock, Tracer } from '../bus/control.js';
import type { AccessSize, DeviceModule, DeviceState, Level } from '../bus/device.js';
import { Effect, Op } from '../bus/endpoint.js';
import { allocateInputRing, InputRingWriter, type QueuedInput } from '../bus/input-ring.js';
import { allocateLineLevels } from '../bus/irq.js';
import { allocateMailbox, LIFE_STOP, setMailboxLife } from '../bus/mailbox.js';
import { PhysicalMemory } from '../bus/memory.js';
import type { BusRouter } from '../bus/router.js';
import type { TraceRecord } from '../bus/trace.js';
import { allocateRing } from '../bus/trace-ring.js';
import { assembleBus, planBus } from '../machine/actors/bus-assembly.js';
import { releaseControl, wrapControl } from '../machine/actors/comlink.js';
import type { DeviceShell } from '../machine/actors/device-shell.js';
import type { ActorEvent, DeviceTask } from '../machine/actors/protocol.js';
import { loadMachine } from '../machine/config/load.js';
import { KERNEL_MAINS } from '../machine/config/kernels.js';
import type { MachineFile } from '../machine/config/schema.js';
import type { DeviceSpec, MachineSpec, Placement } from '../machine/config/spec.js';
import { loadDeviceModule } from '../machine/device-registry.js';
import { actorTaskFile } from '../machine/machine.js';
import { TraceHub } from '../machine/trace-hub.js';

export interface HarnessOptions {
  /** Where the device runs (default: the fragment's placement, else inline). */
  placement?: Placement;
  /** Instance name (default "dut"): the `src` of its trace records. */
  name?: string;
  /** Folder a relative `impl: ./my-device.mjs` resolves against (default: the working folder). */
  dir?: string;
  /** Memory the device sees (default 1MiB). */
  memory?: string;
  /** Trace ring per thread, bytes (power of two). */
  ringBytes?: number;
}

export interface OutputChange {
  readonly pin: number;
  readonly name: string;
  readonly level: Level;
  /** Machine time (ns) of the change. */
  readonly t: number;
}

export interface HarnessEffect {
  readonly effect: 'exit' | 'reset';
  readonly value: number;
  readonly t: number;
}

/** A worker-placed device: its piscina pool, task and ports. */
interface WorkerActor {
  readonly pool: Piscina;
  readonly done: Promise<unknown>;
  readonly events: MessagePort;
  readonly control: MessagePort;
  readonly mailbox: SharedArrayBuffer;
}

export type DeviceEvents = Array<{ channel: string; payload: unknown }>;

export class DeviceHarness {
  private t = 0;
  private readonly levels = new Map<number, Level>();
  /** Every output pin change, in order. */
  readonly outputs: OutputChange[] = [];
  /** Trace records of the bus and the device, in global order (drained after every call). */
  readonly traces: TraceRecord[] = [];
  /** Exit / reset requests the device made. */
  readonly effects: HarnessEffect[] = [];
  /** Output edges the device reported merged away (ctx.coalesced: it was advanced late). */
  readonly coalesced: Array<{ readonly pin: number; readonly name: string; readonly count: number; readonly t: number }> = [];
  private syncs = new Map<number, () => void>();
  private syncId = 0;
  private stopped = false;

  /** @internal use startDevice() */
  constructor(
    readonly spec: DeviceSpec,
    readonly module: DeviceModule<any>,
    readonly memory: PhysicalMemory,
    private readonly bus: BusRouter,
    private readonly hub: TraceHub,
    private readonly input: InputRingWriter,
    private readonly shell: DeviceShell | undefined,
    private readonly worker: WorkerActor | undefined,
    /** emit() calls of the device (a worker's arrive asynchronously: await settle()). */
    readonly events: DeviceEvents,
  ) {
    hub.trace$.subscribe((r) => this.traces.push(r));
    bus.onOutput = (_ep, pin, level, now) => {
      if ((this.levels.get(pin) ?? 0) === level) return;
      this.levels.set(pin, level);
      this.outputs.push({ pin, name: module.outputs?.[pin] ?? String(pin), level, t: now });
    };
    bus.onCoalesced = (_ep, pin, count, now) => { this.coalesced.push({ pin, name: module.outputs?.[pin] ?? String(pin), count, t: now }); };
    bus.onEffect = (e) => { this.effects.push({ effect: e.effect === Effect.Exit ? 'exit' : 'reset', value: e.value, t: this.t }); };
    worker?.events.on('message', (m: ActorEvent) => {
      if (m.type === 'device') this.events.push({ channel: m.channel, payload: m.payload });
      else if (m.type === 'synced') this.syncs.get(m.id)?.();
    });
  }

  get name(): string { return this.spec.name; }
  get placement(): Placement { return this.worker ? 'worker' : 'inline'; }
  /** Machine time (ns): moves only with step() / runUntil(). */
  get now(): number { return this.t; }
  /** The device's next deadline (Infinity: none). */
  get nextDeadline(): number { return this.bus.nextDeadline; }

  out(port: number, size: AccessSize, value: number): void {
    this.bus.out(port, size, value, this.t);
    this.collect();
  }

  in(port: number, size: AccessSize): number {
    const v = this.bus.in(port, size, this.t);
    this.collect();
    return v;
  }

  /** A CPU store to a physical address the device's MMIO claims (bus/mmio.ts: same width rules and traces). */
  mmioWrite(addr: number, size: AccessSize, value: number): void {
    this.bus.mmioWrite(addr, size, value >>> 0, this.t);
    this.collect();
  }

  /** A CPU load from a physical address the device's MMIO claims. */
  mmioRead(addr: number, size: AccessSize = 4): number {
    const v = this.bus.mmioRead(addr, size, this.t);
    this.collect();
    return v;
  }

  /** An APIC bus message to the device (bus/apic-bus.ts), as another APIC would send it. The device's own show as apic.message records. */
  apicMessage(word: number): void {
    this.bus.request(0, Op.Message, word, 0, this.t);
    this.collect();
  }

  /** Drive input pin `pin` (index or name from the module's inputs) to a level. */
  setInput(pin: number | string, level: Level): void {
    this.bus.request(0, Op.SetInput, this.pinIndex(pin, this.module.inputs, 'input'), level, this.t);
    this.collect();
  }

  /** The INTA cycle (interrupt controllers): the vector, or CASCADE + n. */
  acknowledge(): number {
    const v = this.bus.request(0, Op.Acknowledge, 0, 0, this.t);
    this.collect();
    return v;
  }

  /** Current level of output pin `pin` (0 until the device drives it). */
  level(pin: number | string): Level {
    return this.levels.get(this.pinIndex(pin, this.module.outputs, 'output')) ?? 0;
  }

  /** Changes of one output pin, in order. */
  history(pin: number | string): OutputChange[] {
    const index = this.pinIndex(pin, this.module.outputs, 'output');
    return this.outputs.filter((c) => c.pin === index);
  }

  /** Advance the clock by `ns`, delivering every deadline on the way at its own time. */
  step(ns: number): void {
    this.runUntil(this.t + ns);
  }

  runUntil(t: number): void {
    if (t < this.t) throw new Error(`runUntil(${t}): the clock is at ${this.t} ns and never goes back`);
    this.bus.advanceThrough(t);
    this.t = t;
    this.collect();
  }

  /**
   * Jump the clock to `t` and deliver the deadlines due by then in one advance() at `t`, as a
   * realtime host that fell behind does (step() delivers each at its own time instead).
   */
  lateTo(t: number): void {
    if (t < this.t) throw new Error(`lateTo(${t}): the clock is at ${this.t} ns and never goes back`);
    this.t = t;
    this.bus.advanceDue(t);
    this.collect();
  }

  /** Host input (key events) for a device that takes it, serviced now. */
  hostInput(events: readonly QueuedInput[]): void {
    for (const e of events) this.input.push(e);
    this.bus.service(1, this.t);
    this.collect();
  }

  tracesOf(kind: string): TraceRecord[] {
    return this.traces.filter((r) => r.kind === kind);
  }

  /** The device's state, as a snapshot would save it. */
  async snapshot(): Promise<DeviceState> {
    if (this.shell) return this.shell.core.snapshot();
    const remote = wrapControl<{ snapshot(): DeviceState }>(this.worker!.control);
    try {
      return await remote.snapshot();
    } finally {
      releaseControl(remote);
    }
  }

  /** Wait until every event a worker device posted so far has arrived. */
  async settle(): Promise<void> {
    if (!this.worker) return;
    const id = ++this.syncId;
    const synced = new Promise<void>((resolve) => {
      this.syncs.set(id, () => { this.syncs.delete(id); resolve(); });
      this.worker!.events.postMessage({ type: 'sync', id });
    });
    await Promise.race([synced, this.worker.done.catch(() => undefined)]); // a dead actor cannot answer
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const w = this.worker;
    if (w) {
      await this.settle();
      setMailboxLife(w.mailbox, LIFE_STOP);
      await w.done.catch(() => undefined);
      w.events.close();
      w.control.close();
      await w.pool.destroy();
    }
    this.hub.close();
  }

  private collect(): void {
    this.hub.drain(true);
  }

  private pinIndex(pin: number | string, names: readonly string[] | undefined, what: string): number {
    const index = typeof pin === 'number' ? pin : (names ?? []).indexOf(pin);
    if (index < 0 || index >= (names?.length ?? 0)) {
      throw new Error(`${this.spec.impl} has no ${what} pin ${JSON.stringify(pin)} (${what}s: ${names?.join(', ') || 'none'})`);
    }
    return index;
  }
}

/** Start one device from a YAML fragment (what goes under `devices: NAME:` in a machine file). */
export async function startDevice(fragment: string, options: HarnessOptions = {}): Promise<DeviceHarness> {
  const machine = await fragmentMachine(fragment, options);
  const spec = machine.devices[0];
  const module = await loadDeviceModule(spec.module);
  const control = ControlBlock.allocate();
  control.tracing = true;
  const hub = new TraceHub(control);
  const ringBytes = options.ringBytes ?? 1 << 20;
  const busRing = allocateRing(ringBytes);
  hub.addRing(busRing);
  const memory = new SharedArrayBuffer(machine.memoryBytes);
  const inputRing = allocateInputRing();
  const mailbox = spec.placement === 'worker' ? allocateMailbox() : null;
  const worker = mailbox ? await startWorker(spec, mailbox, control, memory, inputRing, hub, ringBytes) : undefined;
  const events: DeviceEvents = [];
  const { bus, shells } = await assembleBus(
    { spec: machine, mailboxes: [mailbox], inputRings: [inputRing], ...planBus(machine, new Map([[spec.name, module]])), lineLevels: allocateLineLevels(0) },
    new PhysicalMemory(memory),
    new Tracer(control, busRing),
    (_device, channel, payload) => events.push({ channel, payload }),
  );
  const h = new DeviceHarness(spec, module, new PhysicalMemory(memory), bus, hub, new InputRingWriter(inputRing), shells[0], worker, events);
  try {
    bus.prime(0); // power on: the first deadline and output levels, as a machine's boot does
    h.runUntil(0);
  } catch (err) {
    // A worker's own error says more than "failed while handling a request".
    const reason = await worker?.done.then(() => err, (e: unknown) => e);
    await h.stop();
    throw reason ?? err;
  }
  return h;
}

/** A device task on a piscina worker, answering its mailbox before this returns. */
async function startWorker(
  spec: DeviceSpec, mailbox: SharedArrayBuffer, control: ControlBlock, memory: SharedArrayBuffer, inputRing: SharedArrayBuffer, hub: TraceHub, ringBytes: number,
): Promise<WorkerActor> {
  const pool = new Piscina({ filename: actorTaskFile(), minThreads: 1, maxThreads: 1, concurrentTasksPerWorker: 1, atomics: 'disabled' });
  const controlChannel = new MessageChannel();
  const eventsChannel = new MessageChannel();
  const ring = allocateRing(ringBytes);
  hub.addRing(ring);
  const task: DeviceTask = {
    role: 'device', worker: spec.name, devices: [spec], mailbox, ring, control: control.sab, memory, inputRings: [inputRing],
    controlPort: controlChannel.port2, eventsPort: eventsChannel.port2,
  };
  const done = pool.run(task, { transferList: [controlChannel.port2, eventsChannel.port2] as any });
  // The synced answer comes from the actor's event loop once it serves its mailbox.
  const ready = new Promise<void>((resolve) => {
    eventsChannel.port1.on('message', function onSync(m: ActorEvent) {
      if (m.type !== 'synced') return;
      eventsChannel.port1.off('message', onSync);
      resolve();
    });
    eventsChannel.port1.postMessage({ type: 'sync', id: 0 });
  });
  const failed = done.then(
    () => { throw new Error(`device "${spec.name}" ended before it served a request`); },
    (err: unknown) => { throw err; },
  );
  try {
    await Promise.race([ready, failed]);
  } catch (err) {
    await pool.destroy();
    throw err;
  }
  failed.catch(() => undefined);
  return { pool, done, events: eventsChannel.port1, control: controlChannel.port1, mailbox };
}


/** The fragment as the one device of an otherwise empty machine, validated by the config loader. */
async function fragmentMachine(fragment: string, options: HarnessOptions): Promise<MachineSpec> {
  let device: unknown;
  try {
    device = parse(fragment);
  } catch (err) {
    throw new Error(`harness fragment: YAML syntax error: ${(err as Error).message}`);
  }
  if (!device || typeof device !== 'object' || Array.isArray(device)) {
    throw new Error('harness fragment: write the device as a YAML map, e.g. "impl: i8259\\noptions: { role: master }"');
  }
  const fields = options.placement ? { ...device, placement: options.placement } : device;
  // The base file lives only while it is loaded: tests leave no temp folders behind.
  const dir = mkdtempSync(join(tmpdir(), 'actorpc-harness-'));
  try {
    const baseFile = join(dir, 'harness.yaml');
    writeFileSync(baseFile, `# The machine around a harnessed device; the harness is its bus.\nname: harness\nmemory: 1MiB\ntime: { mode: virtual }\nkernel: { main: ${KERNEL_MAINS[0]} }\ndevices: {}\n`);
    const overrides = { memory: options.memory ?? '1MiB', devices: { [options.name ?? 'dut']: fields } } as MachineFile;
    return await loadMachine(baseFile, overrides, { overridesLabel: 'harness fragment', overridesDir: options.dir ?? process.cwd() });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
