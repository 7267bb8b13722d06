// A producer blocked on a full ring waits as long as its consumer shows signs of life (the hub
// holding back for a slow --log is backpressure, not death), and gives up — counted, never
// silent — only when the consumer stops moving. Time limits here are 1 ms slices of a loop whose
// outcome depends on the beat, not on how fast the host is.
import { describe, expect, it } from 'vitest';
import { TraceRingReader, allocateRing, type DecodedRecord } from '../../bus/trace-ring.js';
import { TraceRingWriter } from '../../bus/trace-writer.js';

const RING = 1 << 12;

/** Write until the ring is nearly full (the reader has drained nothing); how many were written. */
function fill(writer: TraceRingWriter, ring: SharedArrayBuffer): number {
  const hdr = new Int32Array(ring, 0, 2); // [0] bytes published, [1] bytes consumed
  let n = 0;
  while (RING - 16 - ((Atomics.load(hdr, 0) - Atomics.load(hdr, 1)) >>> 0) > 200) {
    writer.write(n, n, 'cpu.hlt', 'cpu', { if: 1 });
    n++;
  }
  return n;
}

describe('a producer on a full ring', () => {
  it('keeps waiting while the consumer beats, and writes once the consumer drains: nothing dropped', () => {
    const ring = allocateRing(RING);
    const reader = new TraceRingReader(ring);
    let beats = 0;
    const out: DecodedRecord[] = [];
    // The consumer is alive but holding back: it beats three times, then drains.
    const writer = new TraceRingWriter(ring, undefined, () => {
      if (++beats === 4) reader.drain(out);
      return beats;
    });
    writer.blockLimitMs = 1;
    const n = fill(writer, ring);
    for (let i = 0; i < 40; i++) writer.write(n + i, n + i, 'cpu.hlt', 'cpu', { if: 1 });
    expect(beats).toBeGreaterThanOrEqual(4);
    expect(writer.dropped).toBe(0);
    reader.drain(out);
    expect(out.length).toBe(n + 40);
  });

  it('gives up when the consumer stops beating, and counts what it dropped', () => {
    const ring = allocateRing(RING);
    const reader = new TraceRingReader(ring);
    const writer = new TraceRingWriter(ring, undefined, () => 7); // a consumer that never moves again
    writer.blockLimitMs = 1;
    const n = fill(writer, ring);
    for (let i = 0; i < 40; i++) writer.write(n + i, n + i, 'cpu.hlt', 'cpu', { if: 1 });
    expect(writer.dropped).toBeGreaterThan(0);
  });
});
