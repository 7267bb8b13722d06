// The actor shell around a device core: the DeviceContext the core sees, request dispatch, and
// what happens when the model misbehaves. The same shell runs on a worker (behind a mailbox) or
// inline in the CPU's thread (behind a direct call): same core, same messages, same traces.
//
// A core that throws is a bug in the model, never the guest's fault: `on_crash: halt` stops the
// machine naming the device; `restart` replaces the core (from its last good snapshot, else from
// reset) within a budget of restarts per window of machine time, then halts. A core that returns
// nonsense (a read value that is no integer, a level other than 0/1, a deadline that is no
// number) is a model bug too, but the machine carries on as hardware would: it is traced once
// and the bus sees a floating value. A device that grows its thread's memory past its limit is
// crashed. Every failure names the device, on both placements.
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CASCADE, type AccessSize, type DeviceContext, type DeviceCore, type DeviceModule, type DeviceState, type Level } from '../../bus/device.js';
import { clearCallResult, Effect, MAX_MESSAGES, MAX_OUT_CHANGES, newCallResult, Op, type CallResult, type DeviceEndpoint } from '../../bus/endpoint.js';
import type { PhysicalMemory } from '../../bus/memory.js';
import { floatingBus } from '../../bus/ports.js';
import type { Tracer } from '../../bus/control.js';
import { errorField, thrownText, valueText } from './thrown-text.js';
import { DEFAULT_MEMORY_LIMIT_BYTES, DEFAULT_RESTART_BUDGET, type DeviceSpec, type OnCrash } from '../config/spec.js';
import { formatDuration } from '../config/units.js';
import { InputRingReader } from '../../bus/input-ring.js';

export type EventSink = (device: string, channel: string, payload: unknown) => void;

/** How the shell treats a failing core: the device's `on_crash` and `limits` (a DeviceSpec has them). */
export type ShellPolicy = Pick<DeviceSpec, 'onCrash' | 'restart'> & { readonly limits?: DeviceSpec['limits'] };

/**
 * The machine must stop because of this device. `message` is the whole story, device name first;
 * `reason` is what the core threw (for a give-up or a memory limit: an Error with that message).
 */
export class DeviceCrash extends Error {
  constructor(readonly device: string, readonly reason: unknown, message?: string) {
    super(message ?? `device "${device}" crashed: ${thrownText(reason)}`);
  }
}

/** With on_crash restart, a snapshot of a healthy core is kept at most this often (machine time), at a housekeeping call. */
const SNAPSHOT_EVERY_NS = 100e6;
/** Memory is sampled every this many calls of a device, or this much machine time, whichever comes first. */
const MEMORY_EVERY_CALLS = 4096;
/** Calls between two whose host time is measured (a power of two). */
const TIMED_EVERY = 256;
const MEMORY_EVERY_NS = 10e6;
const MiB = 1024 * 1024;

/** Shells on this thread (an isolate): a worker hosting one device charges all its growth to it. */
let shellsOnThread = 0;

/** The isolate's memory in use: JS heap plus what Buffers and ArrayBuffers hold outside it (≈2 µs). */
function isolateBytes(): number {
  const h = getHeapStatistics();
  return h.used_heap_size + h.external_memory;
}

let gc: (() => void) | null | undefined;

/**
 * A full garbage collection of this isolate (≈10 ms), so that a device over its limit is judged by
 * what it keeps, not by garbage not yet collected. Deliberate: V8's `gc` is exposed at run time
 * (the flag only makes it reachable from a new context); where that fails, nothing is collected.
 */
function collectGarbage(): void {
  if (gc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as () => void;
    } catch {
      gc = null;
    }
  }
  gc?.();
}

export class DeviceShell implements DeviceContext {
  core: DeviceCore;
  private t = 0;
  private result: CallResult = newCallResult();
  crashes = 0;
  calls = 0;
  /** Host time of every TIMED_EVERY-th call, and how many were timed (the shell's estimate of its actor's host time). */
  private timedMs = 0;
  private timedCalls = 0;
  /** Set by InlineEndpoint: the CPU (and other inline devices) share this thread. */
  inline = false;
  private readonly policy: ShellPolicy;
  private readonly outputCount: number;
  private readonly input: InputRingReader | undefined;
  /** Machine times of the restarts still inside the budget's window, oldest first. */
  private readonly restarts: number[] = [];
  /** State of the core after a successful call, for on_crash restart; used once. */
  private good: DeviceState | undefined;
  private snapshotDue: number;
  /** Kinds of bad value already traced (once each per device). */
  private readonly badSeen = new Set<string>();
  private readonly memoryLimit: number;
  private readonly memoryBase: number;
  private memoryCountdown = MEMORY_EVERY_CALLS;
  private memoryDue = MEMORY_EVERY_NS;
  /** On a shared thread: the growth measured inside this device's calls, scaled to all its calls. */
  private memoryCharged = 0;

  constructor(
    readonly name: string,
    private readonly module: DeviceModule<any>,
    private readonly options: Record<string, unknown>,
    readonly memory: PhysicalMemory,
    private readonly tracer: Tracer,
    private readonly sink: EventSink,
    policy: OnCrash | ShellPolicy = 'halt',
    inputRing?: SharedArrayBuffer,
  ) {
    this.policy = typeof policy === 'string' ? { onCrash: policy } : policy;
    this.snapshotDue = this.policy.onCrash === 'restart' ? 0 : Infinity;
    this.memoryLimit = this.policy.limits?.memoryBytes ?? DEFAULT_MEMORY_LIMIT_BYTES;
    this.outputCount = module.outputs?.length ?? 0;
    this.input = inputRing ? new InputRingReader(inputRing) : undefined;
    shellsOnThread++;
    this.memoryBase = isolateBytes();
    // A create() that throws is reported by the first request, as any other crash of this device.
    this.core = this.create();
  }

  /** A new core, or one that fails every request with create()'s error. */
  private create(): DeviceCore {
    try {
      return this.module.create(this, this.options);
    } catch (err) {
      return failedCore(err);
    }
  }

  /** Service: host input that arrived for this device takes effect now (or at its scripted time). */
  private service(): void {
    for (const e of this.input?.drain() ?? []) {
      const at = e.at !== undefined ? Math.max(e.at, this.t) : this.t + (e.delay ?? 0);
      if (this.core.input) this.core.input({ at, key: e.key, down: e.down, bytes: e.bytes });
      else this.unimplemented('host input for a device that takes none', { key: e.key });
    }
    this.core.advance?.();
  }

  // ---- DeviceContext ---------------------------------------------------------------------------
  now(): number { return this.t; }

  /**
   * Changes travel in the call's response in order, edges included (a pulse is two changes). When
   * more changes than a response carries arrive, the list is coalesced to one entry per pin — its
   * final level, in the order of its first change — which always fits: a module has at most
   * MAX_OUT_CHANGES outputs (the config checks it). Levels, not edges, are what must arrive.
   */
  setOutput(pin: number, level: Level): void {
    if (!(Number.isInteger(pin) && pin >= 0 && pin < this.outputCount)) {
      this.badValue('setOutput pin', pin, 'the change is ignored');
      return;
    }
    if (level !== 0 && level !== 1) {
      this.badValue('setOutput level', level, 'the change is ignored');
      return;
    }
    const r = this.result;
    if (r.outCount === MAX_OUT_CHANGES) coalesce(r);
    const outs = r.outs;
    if (r.outCount < MAX_OUT_CHANGES) {
      outs[r.outCount * 2] = pin;
      outs[r.outCount * 2 + 1] = level;
      r.outCount++;
      return;
    }
    for (let i = 0; i < r.outCount * 2; i += 2) {
      if (outs[i] === pin) {
        outs[i + 1] = level;
        return;
      }
    }
    this.badValue('setOutput pins', pin, `more than ${MAX_OUT_CHANGES} outputs changed in one call; the change is ignored`);
  }

  trace(kind: string, fields?: Record<string, unknown>): void { this.tracer.emit(this.t, kind, this.name, fields); }

  /** Edges of an output merged away in this call: carried in the response, traced by the bus (irq.coalesced). */
  coalesced(pin: number, edges: number): void {
    if (!(Number.isInteger(pin) && pin >= 0 && pin < this.outputCount)) return this.badValue('coalesced pin', pin, 'the count is ignored');
    if (!(Number.isInteger(edges) && edges >= 0)) return this.badValue('coalesced edges', edges, 'the count is ignored');
    if (edges === 0) return;
    const r = this.result;
    if (r.lost[pin] === 0) r.lostPins++;
    r.lost[pin] = Math.min(0x7fffffff, r.lost[pin] + edges);
  }
  guestError(message: string, fields?: Record<string, unknown>): void { this.tracer.emit(this.t, 'guest_error', this.name, { message, ...fields }); }
  unimplemented(message: string, fields?: Record<string, unknown>): void { this.tracer.emit(this.t, 'unimplemented', this.name, { message, ...fields }); }
  emit(channel: string, payload: unknown): void { this.sink(this.name, channel, payload); }
  requestReset(reason: string): void { this.setEffect(Effect.Reset, 0, reason); }

  /** An APIC bus message, carried in the call's response (the router delivers it to the other members). */
  apicSend(message: number): void {
    const r = this.result;
    if (!Number.isInteger(message) || r.msgCount >= MAX_MESSAGES) {
      this.badValue('apicSend', message, r.msgCount >= MAX_MESSAGES ? `more than ${MAX_MESSAGES} messages in one call; the message is dropped` : 'the message is dropped');
      return;
    }
    r.msgs[r.msgCount++] = message | 0;
  }

  requestExit(status: number, reason: string): void {
    if (!Number.isInteger(status)) {
      this.badValue('exit status', status, 'the machine exits with status 1');
      status = 1;
    }
    this.setEffect(Effect.Exit, status, reason);
  }

  private setEffect(effect: Effect, value: number, reason: string): void {
    this.result.effect = effect;
    this.result.effectValue = value;
    this.result.effectReason = reason;
  }

  /** Host time spent serving calls (ms), estimated from the timed sample; for --stats. */
  get hostMs(): number {
    return this.timedCalls === 0 ? 0 : (this.timedMs * this.calls) / this.timedCalls;
  }

  /** What the run's report says of this actor. */
  served(): { device: string; calls: number; crashes: number; hostMs: number } {
    return { device: this.name, calls: this.calls, crashes: this.crashes, hostMs: this.hostMs };
  }

  // ---- requests --------------------------------------------------------------------------------
  /** Handle one request; fills `result` (output changes, deadline, effects). */
  handle(op: Op, a: number, b: number, c: number, value: number, now: number, result: CallResult): number {
    // One call in TIMED_EVERY is timed on the host clock (the runtime's, never the core's): two
    // clock reads on every port access would double an inline access's cost.
    const timed = (this.calls & (TIMED_EVERY - 1)) === 0;
    const t0 = timed ? performance.now() : 0;
    this.result = result;
    this.t = now;
    this.calls++;
    // Housekeeping (memory, snapshots) every MEMORY_EVERY_CALLS calls or MEMORY_EVERY_NS: the
    // rest of the time a call costs one count and one comparison more than the core's own work.
    const metered = --this.memoryCountdown <= 0 || now >= this.memoryDue;
    const before = metered && this.sharesThread() ? isolateBytes() : 0;
    let v: number;
    try {
      v = this.dispatch(op, a, b, c, value);
      result.deadline = this.deadline();
      if (metered && now >= this.snapshotDue) this.keepSnapshot();
    } catch (err) {
      v = this.crashed(err, op, c);
      result.deadline = this.deadlineAfterRestart();
    }
    if (metered) this.meterMemory(before);
    if (timed) {
      this.timedMs += performance.now() - t0;
      this.timedCalls++;
    }
    return v;
  }

  private dispatch(op: Op, a: number, b: number, c: number, value: number): number {
    const core = this.core;
    switch (op) {
      case Op.Read: return this.readValue(core.read(a, b, c as AccessSize), c as AccessSize);
      case Op.Write: core.write(a, b, c as AccessSize, value >>> 0); return 0;
      case Op.SetInput: core.setInput?.(a, b as Level); return 0;
      case Op.Acknowledge:
        if (!core.acknowledge) throw new Error('INTA sent to a device that is not an interrupt controller');
        return this.vector(core.acknowledge());
      case Op.Advance: core.advance?.(); return 0;
      case Op.Flush: core.flush?.(); return 0;
      case Op.Service: this.service(); return 0;
      case Op.Message: core.apicReceive?.(a); return 0;
      case Op.Reset:
        this.good = undefined;
        this.core = this.create();
        return 0;
      default: throw new Error(`unknown bus operation ${op}`);
    }
  }

  /** A read value cut to the access width, as the data bus would; anything but an integer floats. */
  private readValue(v: unknown, size: AccessSize): number {
    if (typeof v === 'number' && Number.isInteger(v)) return size === 1 ? v & 0xff : size === 2 ? v & 0xffff : v >>> 0;
    this.badValue('read', v, 'reads as all ones (floating bus)');
    return floatingBus(size);
  }

  /** INTA: a vector 0..255 or CASCADE + input; anything else reads as 0xff, the floating data bus. */
  private vector(v: unknown): number {
    if (typeof v === 'number' && Number.isInteger(v) && ((v >= 0 && v <= 0xff) || (v >= CASCADE && v < CASCADE + 8))) return v;
    this.badValue('acknowledge', v, 'the vector reads as 0xff (floating bus)');
    return 0xff;
  }

  private deadline(): number {
    const core = this.core;
    if (!core.nextDeadline) return Infinity;
    const d: unknown = core.nextDeadline();
    if (typeof d === 'number' && d === d) return d; // d !== d: NaN
    this.badValue('deadline', d, 'taken as no deadline');
    return Infinity;
  }

  /** The replacement core's deadline; if asking throws, ask to be called now so that the crash is seen. */
  private deadlineAfterRestart(): number {
    try {
      return this.deadline();
    } catch {
      return this.t;
    }
  }

  private badValue(what: string, value: unknown, outcome: string): void {
    if (this.badSeen.has(what)) return;
    this.badSeen.add(what);
    this.tracer.emit(this.t, 'device.bad_value', this.name, { device: this.name, op: what, value: valueText(value), outcome });
  }

  // ---- crashes ---------------------------------------------------------------------------------
  /** A core threw: restart it within the budget, or stop the machine (DeviceCrash). */
  private crashed(err: unknown, op: Op, size: number): number {
    this.crashes++;
    const error = errorField(err);
    if (this.policy.onCrash !== 'restart') {
      this.tracer.emit(this.t, 'actor.crash', this.name, { actor: this.name, error, op, action: 'halt' });
      throw new DeviceCrash(this.name, err);
    }
    // Counted in machine time: the same run gives up at the same crash, whatever the host's speed.
    const budget = this.policy.restart ?? DEFAULT_RESTART_BUDGET;
    const recent = this.restarts;
    while (recent.length > 0 && recent[0] <= this.t - budget.withinNs) recent.shift();
    if (recent.length >= budget.max) {
      const within = formatDuration(budget.withinNs);
      const message =
        `device "${this.name}" crashed ${recent.length + 1} times within ${within} of machine time; gave up: ${thrownText(err)} ` +
        `(on_crash allows ${budget.max} restart${budget.max === 1 ? '' : 's'} within ${within})`;
      this.tracer.emit(this.t, 'actor.crash', this.name, { actor: this.name, error, op, action: 'give-up', message });
      throw new DeviceCrash(this.name, new Error(message), message);
    }
    recent.push(this.t);
    const from = this.restart();
    this.tracer.emit(this.t, 'actor.crash', this.name, { actor: this.name, error, op, action: 'restart', from });
    return op === Op.Read ? floatingBus((size === 2 || size === 4 ? size : 1) as AccessSize) : op === Op.Acknowledge ? 0xff : 0;
  }

  /**
   * A new core for a crashed one: the last good snapshot restored into it when there is one, else
   * fresh from reset. What is lost: everything since that snapshot (taken every SNAPSHOT_EVERY_NS
   * of machine time or so, later for a device seldom called: registers written, bytes received,
   * time-driven progress), and the new core does not re-drive its outputs, so the wires keep the
   * levels the old one left. A snapshot is used once: if the restored core crashes before the next
   * one is taken, the restart after that starts from reset.
   */
  private restart(): 'snapshot' | 'reset' {
    const good = this.good;
    this.good = undefined;
    this.core = this.create();
    if (good === undefined) return 'reset';
    try {
      this.core.restore(good);
      return 'snapshot';
    } catch {
      this.core = this.create();
      return 'reset';
    }
  }

  /** After a successful call (on_crash restart only): a deep copy, so the core cannot change it later. */
  private keepSnapshot(): void {
    this.snapshotDue = this.t + SNAPSHOT_EVERY_NS;
    try {
      this.good = structuredClone(this.core.snapshot());
    } catch (err) {
      this.good = undefined;
      this.snapshotDue = Infinity;
      this.badValue('snapshot', err, 'no more snapshots: a restart starts from reset');
    }
  }

  // ---- memory ----------------------------------------------------------------------------------
  private sharesThread(): boolean { return this.inline || shellsOnThread > 1; }

  /**
   * Alone on its worker, the device owns all the isolate's growth since the shell started. Sharing
   * a thread (inline with the CPU, or a placement group), it is charged what grew during its own
   * sampled calls, scaled by its calls since the last sample, and never more than the thread grew
   * (so garbage it made and the GC took back is not held against it). Over the limit, a full GC
   * first: only what survives it counts.
   */
  private meterMemory(before: number): void {
    const calls = MEMORY_EVERY_CALLS - this.memoryCountdown;
    this.memoryCountdown = MEMORY_EVERY_CALLS;
    this.memoryDue = this.t + MEMORY_EVERY_NS;
    const after = isolateBytes();
    const shared = this.sharesThread();
    let grown = after - this.memoryBase;
    if (shared) this.memoryCharged = Math.max(0, Math.min(grown, this.memoryCharged + (after - before) * calls));
    if ((shared ? this.memoryCharged : grown) <= this.memoryLimit) return;
    collectGarbage();
    grown = isolateBytes() - this.memoryBase;
    const used = shared ? (this.memoryCharged = Math.min(grown, this.memoryCharged)) : grown;
    if (used <= this.memoryLimit) return;
    const message = `device "${this.name}" uses ${Math.round(used / MiB)} MiB, over its memory limit of ${Math.round(this.memoryLimit / MiB)} MiB (limits.memory in the YAML)`;
    this.tracer.emit(this.t, 'actor.crash', this.name, { actor: this.name, error: message, action: 'halt' });
    throw new DeviceCrash(this.name, new Error(message), message);
  }
}

/** Compact a full list of [pin, level] changes to one per pin: its final level, at its first change. */
function coalesce(r: CallResult): void {
  const outs = r.outs;
  let n = 0;
  for (let i = 0; i < r.outCount * 2; i += 2) {
    let j = 0;
    while (j < n * 2 && outs[j] !== outs[i]) j += 2;
    if (j === n * 2) {
      outs[j] = outs[i];
      n++;
    }
    outs[j + 1] = outs[i + 1];
  }
  r.outCount = n;
}

/** Stands in for a core whose create() threw: every request fails with that error, at once. */
function failedCore(err: unknown): DeviceCore {
  const fail = (): never => { throw err; };
  return { read: fail, write: fail, setInput: fail, advance: fail, acknowledge: fail, flush: fail, input: fail, snapshot: fail, restore: fail, nextDeadline: () => 0 };
}

/** placement: inline — the device is a direct call from the CPU's thread. */
export class InlineEndpoint implements DeviceEndpoint {
  readonly result: CallResult = newCallResult();
  constructor(readonly shell: DeviceShell) {
    shell.inline = true;
  }
  get name(): string { return this.shell.name; }
  call(op: Op, a: number, b: number, c: number, value: number, now: number): number {
    clearCallResult(this.result);
    return this.shell.handle(op, a, b, c, value, now, this.result) >>> 0;
  }
}
