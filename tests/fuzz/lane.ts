// One core on its own FuzzContext, driven as the bus drives it, with the invariants every core
// owes the bus checked after each operation:
//   - no call throws (guest input is logged as guest_error/unimplemented, never a crash);
//   - a read answers an integer 0 <= v < 2^(8*size); INTA a vector 0..255 or CASCADE + 0..7;
//   - output pins move only between 0 and 1, and only pins the module declares;
//   - nextDeadline() is a number, and after advance() at time t it is later than t (a deadline
//     at or before t would have the bus call advance() again at once, for ever).
// A broken invariant throws a FuzzViolation naming the operation; the property turns it into a
// counterexample. Exceptions from the core are reported as they are, never swallowed.
import { CASCADE, type DeviceCore, type DeviceModule, type Level } from '../../bus/device.js';
import type { PhysicalMemory } from '../../bus/memory.js';
import { FuzzContext } from './context.js';
import { formatOp, type Op, type PortSlot } from './ops.js';

export class FuzzViolation extends Error {
  override readonly name = 'FuzzViolation';
  /** Where in the core an exception came from (for a core that threw). */
  coreStack?: string;
}

/** "op #12 (outb 0x43 0x34)", built only for a message. */
class Where {
  constructor(private readonly index: number, private readonly op: Op, private readonly inputs: readonly string[] | undefined) {}
  toString(): string { return `op #${this.index} (${formatOp(this.op, this.inputs)})`; }
}

/** Most deadlines one exact `wait` serves one by one before it jumps (a fast PIT has millions). */
export const EXACT_DEADLINES = 100;

/** What one operation showed the outside world, for comparing a restored core with its original. */
export interface Observation {
  /** Value read or INTA answer, else null. */
  readonly value: number | null;
  readonly levels: readonly Level[];
  /** Level changes during the operation, in order ("pin:level,…"): pulses that end where they began count. */
  readonly edges: string;
  readonly deadline: number;
  readonly t: number;
  /** Emitted events and exit/reset requests, as JSON (channels a restore republishes left out). */
  readonly effects: string;
}

export class Lane {
  readonly ctx: FuzzContext;
  readonly core: DeviceCore;
  /** Operations applied (the campaign's count). */
  ops = 0;

  constructor(
    readonly label: string,
    readonly module: DeviceModule<any>,
    options: unknown,
    memory: PhysicalMemory,
    private readonly slots: ReadonlyMap<number, PortSlot>,
    t: number,
    levels?: readonly Level[],
    /** Event channels left out of observations (a restored VGA republishes a full frame). */
    private readonly ignoredChannels: readonly string[] = [],
  ) {
    this.ctx = new FuzzContext(label, memory, module.outputs?.length ?? 0, t, levels);
    this.core = this.call('create', () => module.create(this.ctx, options as never));
  }

  /** Power on as the router does (prime): advance() at the current time. */
  prime(): number {
    this.advance('prime');
    const deadline = this.settle('prime');
    this.takeEdges();
    return deadline;
  }

  /** Apply operation #`index`; memory stores are the caller's (once for all lanes sharing the memory). */
  step(op: Op, index: number): Observation {
    this.ops++;
    // Spelled out only when a message needs it.
    const at = new Where(index, op, this.module.inputs);
    let value: number | null = null;
    const core = this.core;
    switch (op.k) {
      case 'in': {
        const slot = this.slot(op.port, at);
        value = this.call(at, () => core.read(slot.region, slot.offset, op.size));
        if (!Number.isInteger(value) || value < 0 || value >= 2 ** (8 * op.size)) {
          throw new FuzzViolation(`${this.label} ${at}: read returned ${String(value)}, outside 0..${2 ** (8 * op.size) - 1}`);
        }
        break;
      }
      case 'out': {
        const slot = this.slot(op.port, at);
        this.call(at, () => core.write(slot.region, slot.offset, op.size, op.value));
        break;
      }
      case 'pin':
        if (core.setInput) this.call(at, () => core.setInput!(op.pin, op.level));
        break;
      case 'inta':
        if (core.acknowledge) {
          value = this.call(at, () => core.acknowledge!());
          const ok = Number.isInteger(value) && ((value >= 0 && value < 0x100) || (value >= CASCADE && value < CASCADE + 8));
          if (!ok) throw new FuzzViolation(`${this.label} ${at}: INTA answered ${String(value)}, not a vector 0..255 or CASCADE+0..7`);
        }
        break;
      case 'wait':
        this.wait(this.ctx.t + op.ns, op.late, at);
        break;
      case 'key':
        this.hostInput({ at: this.ctx.t + op.delay, key: op.key, down: op.down }, at);
        break;
      case 'serial':
        this.hostInput({ at: this.ctx.t + op.delay, key: '', down: true, bytes: op.bytes }, at);
        break;
      case 'poke':
      case 'snapshot':
        break; // the caller's: memory is shared (stored once), a snapshot makes a new lane
      case 'flush':
        if (core.flush) this.call(at, () => core.flush!());
        break;
    }
    const deadline = this.settle(at);
    const effects = this.takeEffects();
    return { value, levels: [...this.ctx.levels], edges: this.takeEdges(), deadline, t: this.ctx.t, effects };
  }

  /** The shell's service(): queue the input, then advance() at once. */
  private hostInput(event: { at: number; key: string; down: boolean; bytes?: readonly number[] }, at: Where | string): void {
    const core = this.core;
    if (core.input) this.call(at, () => core.input!(event));
    if (core.advance) this.advance(at);
  }

  private wait(target: number, late: boolean, at: Where | string): void {
    if (!this.core.nextDeadline || !this.core.advance) {
      this.ctx.t = target;
      return;
    }
    // The deadline the bus holds: the one the core gave after its last call, at that call's time
    // (the router never asks again at a later time).
    let d = this.deadline(at);
    if (!late) {
      for (let served = 0; d <= target && served < EXACT_DEADLINES; served++) {
        // A deadline already behind (the core asks for "at once") is served now: time never goes back.
        if (d > this.ctx.t) this.ctx.t = d;
        d = this.advance(at);
      }
    }
    this.ctx.t = target;
    if (d <= target) this.advance(at);
  }

  /** advance() at the current time; returns the deadline it leaves. */
  private advance(at: Where | string): number {
    this.call(at, () => this.core.advance?.());
    const d = this.deadline(at);
    if (!(d > this.ctx.t)) {
      throw new FuzzViolation(`${this.label} ${at}: after advance() at t=${this.ctx.t} the next deadline is ${d}, not after t`);
    }
    return d;
  }

  deadline(at: Where | string): number {
    const d = this.call(at, () => this.core.nextDeadline?.() ?? Infinity);
    if (typeof d !== 'number' || Number.isNaN(d)) {
      throw new FuzzViolation(`${this.label} ${at}: nextDeadline() returned ${String(d)}`);
    }
    return d;
  }

  /** Check the context's record of pin misuse; the deadline after the operation. */
  private settle(at: Where | string): number {
    const v = this.ctx.violations;
    if (v.length) throw new FuzzViolation(`${this.label} ${at}: ${v.join('; ')}`);
    return this.deadline(at);
  }

  takeEdges(): string {
    const edges = this.ctx.edges;
    if (edges.length === 0) return '';
    const s = edges.join(',');
    edges.length = 0;
    return s;
  }

  takeEffects(): string {
    const { events, effects } = this.ctx;
    if (events.length === 0 && effects.length === 0) return '';
    const kept = this.ignoredChannels.length ? events.filter((e) => !this.ignoredChannels.includes(e.channel)) : events;
    const s = kept.length || effects.length ? JSON.stringify([kept, effects]) : '';
    events.length = 0;
    effects.length = 0;
    return s;
  }

  private slot(port: number, at: Where | string): PortSlot {
    const slot = this.slots.get(port);
    if (!slot) throw new Error(`fuzzer bug: ${at} names a port ${this.module.kind} does not claim`);
    return slot;
  }

  /** Run a core method; an exception is the core's bug, reported with where it happened. */
  call<T>(at: Where | string, f: () => T): T {
    try {
      return f();
    } catch (err) {
      if (err instanceof FuzzViolation) throw err;
      const e = err instanceof Error ? err : new Error(String(err));
      const violation = new FuzzViolation(`${this.label} ${at}: threw ${e.name}: ${e.message}`);
      violation.coreStack = (e.stack ?? '').split('\n').slice(1, 8).join('\n');
      throw violation;
    }
  }
}
