// A producer rings the control block's doorbell once each time its ring passes half full (not per
// record), and the hub drains when it hears the doorbell — without waiting for its timer.
import { describe, expect, it } from 'vitest';
import { C_DOORBELL, ControlBlock, Tracer } from '../../bus/control.js';
import { TraceRingReader, allocateRing, type DecodedRecord } from '../../bus/trace-ring.js';
import type { TraceRecord } from '../../bus/trace.js';
import { TraceHub } from '../../machine/trace-hub.js';

const RING = 1 << 12;

function rig() {
  const control = ControlBlock.allocate();
  control.tracing = true;
  const ring = allocateRing(RING);
  return { control, ring, tracer: new Tracer(control, ring), bells: () => Atomics.load(control.i32, C_DOORBELL) };
}

/** Bytes one `cpu.hlt {if}` record takes in the ring once its names are interned. */
function recordBytes(): number {
  const { ring, tracer } = rig();
  const hdr = new Int32Array(ring, 0, 1);
  tracer.emit(0, 'cpu.hlt', 'cpu', { if: 1 });
  const before = Atomics.load(hdr, 0);
  tracer.emit(0, 'cpu.hlt', 'cpu', { if: 1 });
  return Atomics.load(hdr, 0) - before;
}

describe('the trace doorbell', () => {
  it('rings once as the ring passes half full, not for every record after that', () => {
    const { tracer, bells } = rig();
    const per = recordBytes();
    const halfway = Math.floor(RING / 2 / per);
    for (let i = 0; i < halfway - 2; i++) tracer.emit(i, 'cpu.hlt', 'cpu', { if: 1 });
    expect(bells()).toBe(0);
    for (let i = 0; i < 10; i++) tracer.emit(i, 'cpu.hlt', 'cpu', { if: 1 });
    expect(bells()).toBe(1);
    for (let i = 0; i < halfway / 2; i++) tracer.emit(i, 'cpu.hlt', 'cpu', { if: 1 });
    expect(bells()).toBe(1);
  });

  it('rings again at the next crossing once the consumer has drained below half', () => {
    const { ring, tracer, bells } = rig();
    const reader = new TraceRingReader(ring);
    const per = recordBytes();
    const past = Math.ceil(RING / 2 / per) + 4;
    for (let i = 0; i < past; i++) tracer.emit(i, 'cpu.hlt', 'cpu', { if: 1 });
    expect(bells()).toBe(1);
    const out: DecodedRecord[] = [];
    reader.drain(out);
    expect(out).toHaveLength(past);
    for (let i = 0; i < past; i++) tracer.emit(i, 'cpu.hlt', 'cpu', { if: 1 });
    expect(bells()).toBe(2);
  });

  it('the hub drains a ring that passed half full on the doorbell alone (no timer)', async () => {
    const { control, ring, tracer } = rig();
    const hub = new TraceHub(control);
    hub.addRing(ring);
    const seen: TraceRecord[] = [];
    let arrived!: () => void;
    const drained = new Promise<void>((resolve) => { arrived = resolve; });
    hub.trace$.subscribe((r) => {
      seen.push(r);
      if (seen.length === 40) arrived();
    });
    hub.start({ poll: false });
    await new Promise((resolve) => setImmediate(resolve)); // the watcher has drained once and waits
    const per = recordBytes();
    const n = Math.ceil(RING / 2 / per) + 4;
    expect(n).toBeGreaterThan(40);
    for (let i = 0; i < n; i++) tracer.emit(i, 'cpu.hlt', 'cpu', { if: 1 });
    await drained;
    expect(seen.slice(0, 40).map((r) => r.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    hub.close();
    expect(seen).toHaveLength(n);
  });

  it('a held hub drains nothing until it is released (backpressure from the log)', async () => {
    const { control, ring, tracer } = rig();
    const hub = new TraceHub(control);
    hub.addRing(ring);
    const seen: TraceRecord[] = [];
    hub.trace$.subscribe((r) => seen.push(r));
    hub.hold();
    for (let i = 0; i < 10; i++) tracer.emit(i, 'cpu.hlt', 'cpu', { if: 1 });
    hub.drain(false);
    expect(seen).toHaveLength(0);
    hub.release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen.map((r) => r.seq)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    hub.close();
  });
});
