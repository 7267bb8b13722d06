// The DeviceContext a fuzzed core sees: a settable clock, output levels, counters instead of
// stored trace records (a run makes millions of them), and a list of contract violations the
// driver checks after every operation (a level other than 0/1, a pin the module does not have).
import type { DeviceContext, Level } from '../../bus/device.js';
import type { PhysicalMemory } from '../../bus/memory.js';

export interface Effect { readonly effect: 'exit' | 'reset'; readonly value: number }

export class FuzzContext implements DeviceContext {
  t: number;
  readonly levels: Level[];
  /** Contract violations since the driver last looked (it clears the list). */
  readonly violations: string[] = [];
  /** Events emitted during the current operation (cleared by the driver). */
  readonly events: Array<{ channel: string; payload: unknown }> = [];
  readonly effects: Effect[] = [];
  /** Trace kinds seen, with counts (guest_error and unimplemented included). */
  readonly kinds = new Map<string, number>();
  /** Output level changes (how often the fuzzer moved an IRQ line: a coverage sign). */
  changes = 0;
  /** Level changes during the current operation, as "pin:level" (cleared by the driver): a pulse shows here. */
  readonly edges: string[] = [];
  /** A transcript of trace records, kept only while replaying a counterexample. */
  log: string[] | undefined;

  constructor(
    readonly name: string,
    readonly memory: PhysicalMemory,
    readonly outputCount: number,
    t: number,
    levels?: readonly Level[],
  ) {
    this.t = t;
    this.levels = levels ? [...levels] : new Array<Level>(outputCount).fill(0);
  }

  now(): number { return this.t; }

  setOutput(pin: number, level: Level): void {
    if (!Number.isInteger(pin) || pin < 0 || pin >= this.outputCount) {
      this.violations.push(`setOutput(${String(pin)}, ${String(level)}): the module declares ${this.outputCount} output pin(s)`);
      return;
    }
    if (level !== 0 && level !== 1) {
      this.violations.push(`setOutput(${pin}, ${String(level)}): an output level is 0 or 1`);
      return;
    }
    if (this.levels[pin] !== level) {
      this.changes++;
      this.edges.push(`${pin}:${level}`);
    }
    this.levels[pin] = level;
  }

  trace(kind: string, fields?: Record<string, unknown>): void {
    this.kinds.set(kind, (this.kinds.get(kind) ?? 0) + 1);
    if (this.log) this.log.push(`      · ${kind} ${safeJson(fields ?? {})}`);
  }

  guestError(message: string, fields?: Record<string, unknown>): void { this.trace('guest_error', { message, ...fields }); }
  unimplemented(message: string, fields?: Record<string, unknown>): void { this.trace('unimplemented', { message, ...fields }); }
  emit(channel: string, payload: unknown): void { this.events.push({ channel, payload }); }
  requestReset(_reason: string): void { this.effects.push({ effect: 'reset', value: 0 }); }
  requestExit(status: number, _reason: string): void { this.effects.push({ effect: 'exit', value: status }); }
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
