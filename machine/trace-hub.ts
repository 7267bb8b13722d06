// The main thread's end of every actor's trace ring: drains them in batches, restores the global
// order (seq) with a merge of the per-ring queues (each ring is already in seq order), and
// publishes one RxJS stream, trace$, that feeds pino, filters, the status bar and tests.
import { Subject, type Observable } from 'rxjs';
import { C_DOORBELL, type ControlBlock } from '../bus/control.js';
import type { TraceRecord } from '../bus/trace.js';
import { TraceRingReader, type DecodedRecord } from '../bus/trace-ring.js';

const DRAIN_INTERVAL_MS = 10;
/** Drains a gap in seq may stay open before it is skipped (its producer died mid-record). */
const GAP_PATIENCE = 5;

interface Source {
  readonly reader: TraceRingReader;
  queue: DecodedRecord[];
  head: number;
}

export class TraceHub {
  private readonly subject = new Subject<TraceRecord>();
  readonly trace$: Observable<TraceRecord> = this.subject.asObservable();
  private readonly sources: Source[] = [];
  private nextSeq = 0;
  private gapAge = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  emitted = 0;

  constructor(private readonly control: ControlBlock) {}

  addRing(sab: SharedArrayBuffer): void {
    this.sources.push({ reader: new TraceRingReader(sab), queue: [], head: 0 });
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
    for (const s of this.sources) {
      if (s.head > 0 && s.head === s.queue.length) {
        s.queue = [];
        s.head = 0;
      }
      s.reader.drain(s.queue);
    }
    for (;;) {
      // The source whose next record has the lowest seq.
      let best: Source | undefined;
      for (const s of this.sources) {
        if (s.head < s.queue.length && (!best || s.queue[s.head].seq < best.queue[best.head].seq)) best = s;
      }
      if (!best) {
        this.gapAge = 0;
        return;
      }
      const rec = best.queue[best.head];
      if (rec.seq !== this.nextSeq && !final && this.gapAge < GAP_PATIENCE) {
        // A record with a lower seq is still being written by another actor: wait for it.
        this.gapAge++;
        return;
      }
      best.head++;
      this.gapAge = 0;
      this.nextSeq = rec.seq + 1;
      this.emitted++;
      this.subject.next(rec as TraceRecord);
    }
  }

  close(): void {
    if (this.closed) return;
    this.drain(true);
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.subject.complete();
  }
}
