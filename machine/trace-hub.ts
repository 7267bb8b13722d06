// The main thread's end of every actor's trace ring. It merges the rings in place in global order
// (seq; each ring is already in seq order) and hands each record, still binary, to the raw sinks
// (the --log NDJSON writer: no object per record) and, only while someone subscribes, as an
// object to trace$ (RxJS: front-ends, tests, --pretty). Drains every 10 ms, and at once when a
// producer rings the doorbell (its ring passed half full).
import { Observable, Subject } from 'rxjs';
import { C_DOORBELL, C_HUB_BEAT, type ControlBlock } from '../bus/control.js';
import type { TraceRecord } from '../bus/trace.js';
import { TraceRingReader } from '../bus/trace-ring.js';

const DRAIN_INTERVAL_MS = 10;
/**
 * Host ms a gap in seq may stay open before it is skipped (its producer died between taking a seq
 * and publishing). Counted in time, not drains: drains come often, and a producer preempted for a
 * few ms on a loaded host must not have its record written out of order.
 */
const GAP_PATIENCE_MS = 2000;

/** Takes each record in order as the reader's current event (read it, do not move the reader). */
export interface TraceSink {
  record(reader: TraceRingReader): void;
}

/** trace$: an Observable of record objects that also leads to its hub (for raw sinks). */
export class TraceStream extends Observable<TraceRecord> {
  constructor(readonly hub: TraceHub, subject: Subject<TraceRecord>) {
    super((subscriber) => subject.subscribe(subscriber));
  }
}

export class TraceHub {
  private readonly subject = new Subject<TraceRecord>();
  readonly trace$: TraceStream = new TraceStream(this, this.subject);
  private readonly sources: TraceRingReader[] = [];
  private sinks: TraceSink[] = [];
  private nextSeq = 0;
  /** performance.now() when the open gap was first seen; -1: none open. */
  private gapSince = -1;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private holds = 0;
  private draining = false;
  emitted = 0;

  constructor(private readonly control: ControlBlock) {}

  addRing(sab: SharedArrayBuffer): void {
    this.sources.push(new TraceRingReader(sab));
  }

  /** A producer is blocked on its full ring, waiting for this hub (a slow --log holds it back). */
  producerWaiting(): boolean {
    return this.sources.some((r) => r.producerWaiting());
  }

  /** Records from now on also go to `sink`, in order. Returns the detach function. */
  attach(sink: TraceSink): () => void {
    this.sinks = [...this.sinks, sink];
    return () => { this.sinks = this.sinks.filter((s) => s !== sink); };
  }

  /** Backpressure: stop draining (producers block on their full rings) until release(). */
  hold(): void {
    this.holds++;
  }

  release(): void {
    if (this.holds > 0 && --this.holds === 0 && !this.closed) setImmediate(() => this.drain(false));
  }

  /** Drain on the doorbell, and every 10 ms (`poll: false`: on the doorbell only). */
  start(options: { poll?: boolean } = {}): void {
    const poll = options.poll ?? true;
    if (poll) {
      this.timer = setInterval(() => {
        Atomics.add(this.control.i32, C_HUB_BEAT, 1); // alive (held or not): blocked producers keep waiting
        this.drain(false);
      }, DRAIN_INTERVAL_MS);
      this.timer.unref();
    }
    void this.watchDoorbell(poll ? 100 : Infinity);
  }

  private async watchDoorbell(timeoutMs: number): Promise<void> {
    while (!this.closed) {
      const seen = Atomics.load(this.control.i32, C_DOORBELL);
      this.drain(false);
      const w = Atomics.waitAsync(this.control.i32, C_DOORBELL, seen, timeoutMs);
      // Rung while we drained: go again, but let the event loop (log writes, timers) run first.
      if (w.async) await w.value;
      else await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Hand every published record on, in global order. `final` also flushes open gaps and ignores holds. */
  drain(final: boolean): void {
    if (this.closed || this.draining || (this.holds > 0 && !final)) return;
    this.draining = true;
    try {
      this.merge(final);
    } finally {
      for (const s of this.sources) s.commit();
      this.draining = false;
    }
  }

  private merge(final: boolean): void {
    const sources = this.sources;
    for (const s of sources) s.refresh();
    for (;;) {
      // The source whose next record has the lowest seq.
      let best: TraceRingReader | undefined;
      for (let i = 0; i < sources.length; i++) {
        const s = sources[i];
        if (s.next() && (best === undefined || s.seq < best.seq)) best = s;
      }
      if (best === undefined) {
        this.gapSince = -1;
        return;
      }
      if (best.seq !== this.nextSeq && !final) {
        // A record with a lower seq is still being written by another actor: wait for it.
        const now = performance.now();
        if (this.gapSince < 0) this.gapSince = now;
        if (now - this.gapSince < GAP_PATIENCE_MS) return;
      }
      this.gapSince = -1;
      this.nextSeq = best.seq + 1;
      this.emitted++;
      if (this.subject.observed) this.subject.next(best.decode() as TraceRecord);
      const sinks = this.sinks;
      for (let i = 0; i < sinks.length; i++) sinks[i].record(best);
      best.take();
      if (this.holds > 0 && !final) return;
    }
  }

  close(): void {
    if (this.closed) return;
    this.drain(true);
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.control.ringDoorbell(); // the watcher sees closed and ends
    this.subject.complete();
  }
}
