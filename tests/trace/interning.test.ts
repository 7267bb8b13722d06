// The per-ring string table is bounded: a device that emits a new string in every record must not
// grow the producer's or the consumer's memory, and every record must still read back its text.
import { describe, expect, it } from 'vitest';
import { ControlBlock, Tracer } from '../../bus/control.js';
import { JsonOut, writeRecordJson } from '../../bus/trace-json.js';
import { INTERN_LIMIT, TraceRingReader, allocateRing } from '../../bus/trace-ring.js';

const MILLION = 1_000_000;

/** Emit n records from `text(i)`, draining as we go; check each record's text (object and NDJSON). */
function emitAndCheck(n: number, text: (i: number) => string, repeat = 1): { tracer: Tracer; reader: TraceRingReader; checked: number } {
  const control = ControlBlock.allocate();
  control.tracing = true;
  const ring = allocateRing(1 << 16);
  const tracer = new Tracer(control, ring);
  const reader = new TraceRingReader(ring);
  const out = new JsonOut(1 << 16);
  const decoder = new TextDecoder();
  let checked = 0;
  let bad = 0;
  const check = () => {
    reader.refresh();
    while (reader.next()) {
      const want = text(Math.floor(checked / repeat));
      const rec = reader.decode();
      if (rec.message !== want) bad++;
      if (checked % 97 === 0) {
        // The NDJSON line too, for a sample of records.
        out.pos = 0;
        writeRecordJson(reader, out);
        if (decoder.decode(out.buf.subarray(0, out.pos)) !== JSON.stringify(rec) + '\n') bad++;
      }
      checked++;
      reader.take();
    }
    reader.commit();
  };
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < repeat; r++) tracer.emit(i, 'guest_error', 'dev', { message: text(i) });
    if (i % 32 === 31) check(); // before the ring fills: a full ring would block this thread
  }
  check();
  expect(bad).toBe(0);
  return { tracer, reader, checked };
}

describe('bounded trace string interning', () => {
  it('10^6 distinct strings: the table stays small and every record reads back its own text', () => {
    const { tracer, reader, checked } = emitAndCheck(MILLION, (i) => `unique value #${i}`);
    expect(checked).toBe(MILLION);
    // Only the names (kind, src, the key) are interned: values seen once are written inline.
    expect(tracer.interned).toBeLessThan(10);
    expect(reader.interned).toBe(tracer.interned);
  });

  it('10^6 distinct strings each seen twice: the table stops at its limit and records stay right', () => {
    const { tracer, reader, checked } = emitAndCheck(MILLION / 2, (i) => `twice #${i}`, 2);
    expect(checked).toBe(MILLION);
    expect(tracer.interned).toBeGreaterThan(INTERN_LIMIT / 2);
    expect(tracer.interned).toBeLessThanOrEqual(INTERN_LIMIT);
    expect(reader.interned).toBe(tracer.interned);
  });

  it('long strings are written inline, never interned, and come back whole', () => {
    const long = (i: number) => `${i}:` + 'x'.repeat(300);
    const { tracer, checked } = emitAndCheck(2000, long, 3);
    expect(checked).toBe(6000);
    expect(tracer.interned).toBeLessThan(10);
  });

  it('repeated short values are interned once and reused', () => {
    const { tracer } = emitAndCheck(10_000, (i) => ['non-specific', 'specific', 'OCW2'][i % 3]);
    expect(tracer.interned).toBe(3 + 3); // guest_error, dev, message + the three values
  });
});
