// The actor shell around a device core: the DeviceContext the core sees, request dispatch, crash
// handling. The same shell runs on a worker (behind a mailbox) or inline in the CPU's thread
// (behind a direct call): same core, same messages, same traces.
import type { DeviceContext, DeviceCore, DeviceModule, Level } from '../../bus/device.js';
import { Effect, MAX_OUT_CHANGES, newCallResult, Op, type CallResult, type DeviceEndpoint } from '../../bus/endpoint.js';
import type { PhysicalMemory } from '../../bus/memory.js';
import type { Tracer } from '../../bus/control.js';
import type { OnCrash } from '../config/spec.js';
import { InputRingReader } from '../../bus/input-ring.js';

export type EventSink = (device: string, channel: string, payload: unknown) => void;

export class DeviceCrash extends Error {
  constructor(readonly device: string, readonly reason: unknown) {
    super(`device "${device}" crashed: ${reason instanceof Error ? reason.message : String(reason)}`);
  }
}

export class DeviceShell implements DeviceContext {
  core: DeviceCore;
  private t = 0;
  private result: CallResult = newCallResult();
  crashes = 0;
  calls = 0;

  constructor(
    readonly name: string,
    private readonly module: DeviceModule<any>,
    private readonly options: Record<string, unknown>,
    readonly memory: PhysicalMemory,
    private readonly tracer: Tracer,
    private readonly sink: EventSink,
    private readonly onCrash: OnCrash = 'halt',
    inputRing?: SharedArrayBuffer,
  ) {
    this.core = module.create(this, options);
    this.input = inputRing ? new InputRingReader(inputRing) : undefined;
  }

  private readonly input: InputRingReader | undefined;

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

  setOutput(pin: number, level: Level): void {
    const r = this.result;
    if (r.outCount < MAX_OUT_CHANGES) {
      r.outs[r.outCount * 2] = pin;
      r.outs[r.outCount * 2 + 1] = level;
      r.outCount++;
    } else {
      // More changes than a response carries: keep the final level of this pin (levels, not edges).
      r.outs[(MAX_OUT_CHANGES - 1) * 2] = pin;
      r.outs[(MAX_OUT_CHANGES - 1) * 2 + 1] = level;
    }
  }

  trace(kind: string, fields?: Record<string, unknown>): void { this.tracer.emit(this.t, kind, this.name, fields); }
  guestError(message: string, fields?: Record<string, unknown>): void { this.tracer.emit(this.t, 'guest_error', this.name, { message, ...fields }); }
  unimplemented(message: string, fields?: Record<string, unknown>): void { this.tracer.emit(this.t, 'unimplemented', this.name, { message, ...fields }); }
  emit(channel: string, payload: unknown): void { this.sink(this.name, channel, payload); }
  requestReset(reason: string): void { this.setEffect(Effect.Reset, 0, reason); }
  requestExit(status: number, reason: string): void { this.setEffect(Effect.Exit, status, reason); }

  private setEffect(effect: Effect, value: number, reason: string): void {
    this.result.effect = effect;
    this.result.effectValue = value;
    this.result.effectReason = reason;
  }

  // ---- requests --------------------------------------------------------------------------------
  /** Handle one request; fills `result` (output changes, deadline, effects). */
  handle(op: Op, a: number, b: number, c: number, value: number, now: number, result: CallResult): number {
    this.result = result;
    this.t = now;
    this.calls++;
    let v = 0;
    try {
      v = this.dispatch(op, a, b, c, value);
    } catch (err) {
      v = this.crashed(err, op);
    }
    result.deadline = this.core.nextDeadline?.() ?? Infinity;
    return v;
  }

  private dispatch(op: Op, a: number, b: number, c: number, value: number): number {
    const core = this.core;
    switch (op) {
      case Op.Read: return core.read(a, b, c as 1 | 2 | 4);
      case Op.Write: core.write(a, b, c as 1 | 2 | 4, value >>> 0); return 0;
      case Op.SetInput: core.setInput?.(a, b as Level); return 0;
      case Op.Acknowledge:
        if (!core.acknowledge) throw new Error('INTA sent to a device that is not an interrupt controller');
        return core.acknowledge();
      case Op.Advance: core.advance?.(); return 0;
      case Op.Flush: core.flush?.(); return 0;
      case Op.Service: this.service(); return 0;
      case Op.Reset: this.core = this.module.create(this, this.options); return 0;
      default: throw new Error(`unknown bus operation ${op}`);
    }
  }

  /** A core threw: a bug in the model, never the guest's fault. Restart it or stop the machine. */
  private crashed(err: unknown, op: Op): number {
    this.crashes++;
    const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    this.tracer.emit(this.t, 'actor.crash', this.name, { actor: this.name, error, op, action: this.onCrash });
    if (this.onCrash !== 'restart') throw new DeviceCrash(this.name, err);
    this.core = this.module.create(this, this.options);
    return op === Op.Read ? 0xffffffff : 0;
  }
}

/** placement: inline — the device is a direct call from the CPU's thread. */
export class InlineEndpoint implements DeviceEndpoint {
  readonly result: CallResult = newCallResult();
  constructor(readonly shell: DeviceShell) {}
  get name(): string { return this.shell.name; }
  call(op: Op, a: number, b: number, c: number, value: number, now: number): number {
    this.result.outCount = 0;
    this.result.effect = Effect.None;
    return this.shell.handle(op, a, b, c, value, now, this.result) >>> 0;
  }
}
