// From the machine's streams to the web view's messages: trace records become timeline events
// (batched, bounded), the control block becomes status messages.
import type { ControlBlock } from '../../bus/control.js';
import type { TraceRecord } from '../../bus/trace.js';
import type { TimelineEvent } from './protocol.js';
import { CPU_STATE_TEXT } from '../ui/status.js';

/** The record kinds the timeline draws. */
export const TIMELINE_KINDS: ReadonlySet<string> = new Set(['irq.level', 'cpu.int', 'cpu.iret', 'irq.coalesced']);

/** A timeline event for a trace record, or undefined for the kinds the timeline does not draw. */
export function timelineEvent(r: TraceRecord): TimelineEvent | undefined {
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  switch (r.kind) {
    case 'irq.level': {
      // Schema v2 names the level `state`; v1 called it `level`.
      const state = num(r.state) ?? num(r.level);
      return typeof r.line === 'string' && state !== undefined ? { k: 'edge', t: r.t, line: r.line, state } : undefined;
    }
    case 'cpu.int': {
      const vector = num(r.vector);
      if (vector === undefined) return undefined;
      const depth = num(r.depth);
      return depth === undefined ? { k: 'int', t: r.t, vector } : { k: 'int', t: r.t, vector, depth };
    }
    case 'cpu.iret': {
      const vector = num(r.vector);
      const duration = num(r.duration);
      if (vector === undefined || duration === undefined) return undefined;
      const depth = num(r.depth);
      return depth === undefined ? { k: 'iret', t: r.t, vector, duration } : { k: 'iret', t: r.t, vector, duration, depth };
    }
    case 'irq.coalesced': {
      const count = num(r.count);
      return typeof r.line === 'string' && count !== undefined ? { k: 'coalesced', t: r.t, line: r.line, count } : undefined;
    }
  }
  return undefined;
}

/**
 * Timeline events waiting to be sent. At most `limit` per batch: past it the oldest are dropped
 * and counted (a machine taking 100 000 IRQs a second would otherwise flood the page; the
 * page's counters come from the control block and stay exact).
 */
export class TimelineBatch {
  private events: TimelineEvent[] = [];
  private dropped = 0;

  constructor(private readonly limit = 4000) {}

  add(e: TimelineEvent): void {
    this.events.push(e);
    if (this.events.length > this.limit * 2) this.trim();
  }

  private trim(): void {
    const extra = this.events.length - this.limit;
    if (extra <= 0) return;
    this.dropped += extra;
    this.events = this.events.slice(extra);
  }

  /** The batch to send (undefined when empty), leaving this one empty. */
  take(): { events: TimelineEvent[]; dropped: number } | undefined {
    this.trim();
    if (this.events.length === 0 && this.dropped === 0) return undefined;
    const out = { events: this.events, dropped: this.dropped };
    this.events = [];
    this.dropped = 0;
    return out;
  }
}


/** Machine time, the CPU's state and the per-vector interrupt counts, from the control block. */
export function statusOf(control: ControlBlock): { t: number; state: string; counts: Array<[number, number]> } {
  const counts: Array<[number, number]> = [];
  for (let v = 0; v < 256; v++) {
    const n = control.vectorCounts[v];
    if (n) counts.push([v, n]);
  }
  return { t: control.now, state: CPU_STATE_TEXT[control.cpuState] ?? '?', counts };
}
