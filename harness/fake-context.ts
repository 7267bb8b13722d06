// A DeviceContext for unit tests of device cores: settable clock, recorded outputs and traces.
import type { DeviceContext, Level } from '../bus/device.js';
import { PhysicalMemory } from '../bus/memory.js';

export interface RecordedTrace { kind: string; t: number; fields: Record<string, unknown> }

export class FakeContext implements DeviceContext {
  t = 0;
  readonly outputs: Level[] = [];
  /** Every output change as [pin, level, t]. */
  readonly outputHistory: Array<[number, Level, number]> = [];
  readonly traces: RecordedTrace[] = [];
  readonly events: Array<{ channel: string; payload: unknown }> = [];
  resets: string[] = [];
  exits: Array<{ status: number; reason: string }> = [];

  constructor(readonly name = 'dut', readonly memory: PhysicalMemory = PhysicalMemory.allocate(1 << 20)) {}

  now(): number { return this.t; }
  setOutput(pin: number, level: Level): void {
    if ((this.outputs[pin] ?? 0) === level) return;
    this.outputs[pin] = level;
    this.outputHistory.push([pin, level, this.t]);
  }
  level(pin: number): Level { return this.outputs[pin] ?? 0; }
  /** Output edges the core reported merged away (ctx.coalesced), as [pin, edges, t]. */
  readonly coalescedEdges: Array<[number, number, number]> = [];
  coalesced(pin: number, edges: number): void { this.coalescedEdges.push([pin, edges, this.t]); }
  trace(kind: string, fields: Record<string, unknown> = {}): void { this.traces.push({ kind, t: this.t, fields }); }
  guestError(message: string, fields: Record<string, unknown> = {}): void { this.trace('guest_error', { message, ...fields }); }
  unimplemented(message: string, fields: Record<string, unknown> = {}): void { this.trace('unimplemented', { message, ...fields }); }
  emit(channel: string, payload: unknown): void { this.events.push({ channel, payload }); }
  requestReset(reason: string): void { this.resets.push(reason); }
  requestExit(status: number, reason: string): void { this.exits.push({ status, reason }); }
  tracesOf(kind: string): RecordedTrace[] { return this.traces.filter((r) => r.kind === kind); }
}
