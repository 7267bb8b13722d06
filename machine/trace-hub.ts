// The main thread's end of every actor's trace ring: drains them in batches, restores the global
// order (seq), and publishes one RxJS stream, trace$, that feeds pino, filters, the status bar
// and tests.
import { Subject, type Observable } from 'rxjs';
import { C_DOORBELL, type ControlBlock } from '../bus/control.js';
import { TRACE_SCHEMA_VERSION, type TraceRecord } from '../bus/trace.js';
import { TraceRingReader, type DecodedRecord } from '../bus/trace-ring.js';

const DRAIN_INTERVAL_MS = 10;
/** Drains a gap in seq may stay open before it is skipped (its producer died mid-record). */
const GAP_PATIENCE = 5;

export class TraceHub {
  private readonly subject = new Subject<TraceRecord>();
  readonly trace$: Observable<TraceRecord> = this.subject.asObservable();
  private readonly readers: TraceRingReader[] = [];
  private pending: DecodedRecord[] = [];
  private nextSeq = 0;
  private gapAge = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  emitted = 0;

  constructor(private readonly control: ControlBlock) {}

  addRing(sab: SharedArrayBuffer): void {
    this.readers.push(new TraceRingReader(sab));
  }

  start(): void {
    this.timer = setInterval(() => this.drain(false), DRAIN_INTERVAL_MS);
    this.timer.unref();
    void this.watchDoorbell();
  }

  private async watchDoorbell(): Promise<void> {
    while (!this.closed) {
      const seen = Atomics.load(this.control.i32, C_DOORBELL);
      const w = Atomics.waitAsync(this.control.i32, C_DOORBELL, seen, 100);
      if (w.async) await w.value;
      if (!this.closed) this.drain(false);
    }
  }

  /** Move every published record to trace$, in global order. `final` also flushes open gaps. */
  drain(final: boolean): void {
    const batch: DecodedRecord[] = [];
    for (const r of this.readers) r.drain(batch);
    if (batch.length) {
      this.pending = this.pending.concat(batch).sort((a, b) => a.seq - b.seq);
    }
    let i = 0;
    for (; i < this.pending.length; i++) {
      const rec = this.pending[i];
      if (rec.seq !== this.nextSeq) {
        if (!final && this.gapAge < GAP_PATIENCE) break;
      }
      this.gapAge = 0;
      this.nextSeq = rec.seq + 1;
      this.publish(rec);
    }
    this.pending = this.pending.slice(i);
    if (this.pending.length) this.gapAge++;
  }

  private publish(rec: DecodedRecord): void {
    this.emitted++;
    this.subject.next({ v: TRACE_SCHEMA_VERSION, t: rec.t, seq: rec.seq, kind: rec.kind, src: rec.src, ...rec.fields });
  }

  close(): void {
    if (this.closed) return;
    this.drain(true);
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.subject.complete();
  }
}
