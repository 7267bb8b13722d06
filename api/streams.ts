// Trace streams that cost nothing until someone subscribes. Each subscription attaches a raw sink
// to the machine's trace hub with a filter tested on the binary record (as --log-filter does), so
// only matching records become objects; the machine's tracing flag is on only while at least one
// subscription (or a --log) wants records. Records are delivered in global order, after the fact:
// the bus itself stays synchronous and never waits for a subscriber.
import { Observable, filter, type OperatorFunction } from 'rxjs';
import type { ControlBlock } from '../bus/control.js';
import type { TraceRecord } from '../bus/trace.js';
import type { TraceRingReader } from '../bus/trace-ring.js';
import { isKind, type AnyRecord, type KnownKind, type RecordOf } from '../bus/trace-records.js';
import { matchesRecord, parseLogFilter, type TraceFilter } from '../machine/log-filter.js';
import type { TraceHub } from '../machine/trace-hub.js';

interface Tap {
  readonly test: TraceFilter;
  readonly extra: ((r: TraceRecord) => boolean) | undefined;
  next(r: TraceRecord): void;
}

/**
 * One raw sink on the hub for all of a machine's subscriptions (attached while there is at least
 * one), keeping the machine's tracing flag in step. The first subscription's filter runs on the
 * binary record; a record is decoded once, only when some subscription may want it.
 */
export class TraceTap {
  private taps: Tap[] = [];
  private detach: (() => void) | undefined;

  constructor(
    private readonly hub: TraceHub,
    private readonly control: ControlBlock,
    /** Records are wanted anyway (a --log): tracing stays on. */
    private readonly always: boolean,
    /** Settles when the machine has stopped and every record was delivered: streams complete. */
    private readonly closed: Promise<unknown>,
  ) {}

  /** Records matching `specs` (--log-filter syntax: kind=irq.*, line=pic1.ir0, port=0x60, actor=pit). */
  stream<T extends AnyRecord = AnyRecord>(specs: readonly string[], extra?: (r: TraceRecord) => boolean): Observable<T> {
    const test: TraceFilter = parseLogFilter(specs);
    return new Observable<T>((subscriber) => {
      const tap: Tap = { test, extra, next: (r) => subscriber.next(r as unknown as T) };
      this.taps = [...this.taps, tap];
      this.update();
      void this.closed.then(() => subscriber.complete());
      return () => {
        this.taps = this.taps.filter((t) => t !== tap);
        this.update();
      };
    });
  }

  private update(): void {
    if (this.taps.length > 0 && !this.detach) this.detach = this.hub.attach({ record: (rd) => this.record(rd) });
    if (this.taps.length === 0 && this.detach) {
      this.detach();
      this.detach = undefined;
    }
    this.control.tracing = this.always || this.taps.length > 0;
  }

  private record(rd: TraceRingReader): void {
    const taps = this.taps;
    let r: TraceRecord | undefined;
    for (let i = 0; i < taps.length; i++) {
      const tap = taps[i];
      if (i === 0 ? !matchesRecord(tap.test, rd) : !tap.test((r ??= rd.decode() as TraceRecord))) continue;
      r ??= rd.decode() as TraceRecord;
      if (tap.extra === undefined || tap.extra(r)) tap.next(r);
    }
  }
}

/** RxJS operator: only records of the named kinds, typed as those kinds. */
export function ofKind<K extends KnownKind>(...kinds: readonly K[]): OperatorFunction<AnyRecord | TraceRecord, RecordOf<K>> {
  return filter((r): r is RecordOf<K> => isKind(r, ...kinds));
}
