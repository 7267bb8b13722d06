import { describe, expect, it } from 'vitest';
import { ControlBlock, Tracer } from '../../bus/control.js';
import { TraceRingReader, TraceRingWriter, allocateRing, type DecodedRecord } from '../../bus/trace-ring.js';
import { TraceHub } from '../../machine/trace-hub.js';
import type { TraceRecord } from '../../bus/trace.js';

describe('trace ring', () => {
  it('carries numbers, strings, booleans and null, and leaves out undefined fields', () => {
    const sab = allocateRing(1 << 12);
    new TraceRingWriter(sab).write(7, 1234.5, 'io.write', 'cpu', { port: 0x20, reg: 'ICW1', ok: true, no: false, n: null, u: undefined });
    const out: DecodedRecord[] = [];
    new TraceRingReader(sab).drain(out);
    expect(out).toEqual([{ v: 2, seq: 7, t: 1234.5, kind: 'io.write', src: 'cpu', port: 0x20, reg: 'ICW1', ok: true, no: false, n: null }]);
  });

  it('wraps around the end of the ring without losing or corrupting records', () => {
    const sab = allocateRing(1 << 10);
    const writer = new TraceRingWriter(sab);
    const reader = new TraceRingReader(sab);
    const got: DecodedRecord[] = [];
    for (let i = 0; i < 500; i++) {
      writer.write(i, i, 'irq.level', 'pit', { line: 'pic1.ir0', level: i & 1 });
      if (i % 7 === 0) reader.drain(got);
    }
    reader.drain(got);
    expect(got.map((r) => r.seq)).toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect(got.every((r) => r.level === (r.seq & 1) && r.line === 'pic1.ir0')).toBe(true);
  });

  it('a full ring with no consumer drops (and counts) instead of hanging forever', () => {
    const sab = allocateRing(1 << 8);
    const writer = new TraceRingWriter(sab);
    writer.blockLimitMs = 5;
    for (let i = 0; i < 50; i++) writer.write(i, i, 'cpu.hlt', 'cpu', { if: 1 });
    expect(writer.dropped).toBeGreaterThan(0);
  });

  it('the hub merges several rings into one stream in global seq order', () => {
    const control = ControlBlock.allocate();
    control.tracing = true;
    const a = allocateRing(1 << 12);
    const b = allocateRing(1 << 12);
    const ta = new Tracer(control, a);
    const tb = new Tracer(control, b);
    const hub = new TraceHub(control);
    hub.addRing(a);
    hub.addRing(b);
    const seen: TraceRecord[] = [];
    hub.trace$.subscribe((r) => seen.push(r));
    ta.emit(1, 'io.write', 'cpu', { port: 0x20 });
    tb.emit(1, 'pic.eoi', 'pic1', { irq: 0 });
    ta.emit(2, 'io.read', 'cpu', { port: 0x21 });
    hub.close();
    expect(seen.map((r) => [r.seq, r.kind, r.v])).toEqual([[0, 'io.write', 2], [1, 'pic.eoi', 2], [2, 'io.read', 2]]);
  });

  it('emits nothing while tracing is off', () => {
    const control = ControlBlock.allocate();
    const ring = allocateRing(1 << 12);
    new Tracer(control, ring).emit(0, 'io.read', 'cpu', {});
    const out: DecodedRecord[] = [];
    new TraceRingReader(ring).drain(out);
    expect(out).toEqual([]);
  });
});
