// NDJSON made straight from a ring's binary records must be byte for byte what JSON.stringify of
// the decoded object gives (schema v1, field order kept), and --log-filter on the binary record
// must keep exactly the records the object filter keeps.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ControlBlock, Tracer } from '../../bus/control.js';
import { JsonOut, writeRecordJson } from '../../bus/trace-json.js';
import { TraceRingReader, allocateRing, type DecodedRecord } from '../../bus/trace-ring.js';
import type { TraceRecord } from '../../bus/trace.js';
import { matchesRecord, parseLogFilter } from '../../machine/log-filter.js';

type Fields = Record<string, unknown>;

/** Emit records through a Tracer, then read them back both ways: objects and binary NDJSON lines. */
function bothWays(emit: (tracer: Tracer) => void, ringBytes = 1 << 20): { objects: DecodedRecord[]; lines: string[] } {
  const control = ControlBlock.allocate();
  control.tracing = true;
  const ring = allocateRing(ringBytes);
  const tracer = new Tracer(control, ring);
  emit(tracer);
  const reader = new TraceRingReader(ring);
  const objects: DecodedRecord[] = [];
  const out = new JsonOut(64);
  reader.refresh();
  while (reader.next()) {
    objects.push(reader.decode());
    writeRecordJson(reader, out);
    reader.take();
  }
  reader.commit();
  const text = new TextDecoder().decode(out.buf.subarray(0, out.pos));
  return { objects, lines: text.split('\n').slice(0, -1) };
}

function expectSameJson(emit: (tracer: Tracer) => void): DecodedRecord[] {
  const { objects, lines } = bothWays(emit);
  expect(lines).toEqual(objects.map((o) => JSON.stringify(o)));
  return objects;
}

describe('NDJSON from binary trace records', () => {
  it('writes numbers exactly as JSON.stringify does: integers of every size, -0, fractions, NaN, infinities', () => {
    const values = [0, -0, 1, 9, 10, -7, 2147483647, 2147483648, -2147483649, 1099513728968, 2 ** 53 - 1, 2 ** 53, 2 ** 60, 1e21, 1.5, -0.1, 1e-7, 123456.789, Number.MAX_VALUE, Number.MIN_VALUE, NaN, Infinity, -Infinity];
    const objects = expectSameJson((tr) => values.forEach((value, i) => tr.emit(i * 0.5, 'io.read', 'cpu', { value })));
    expect(objects.map((o) => o.value)).toEqual(values);
  });

  it('escapes strings as JSON does: quotes, backslashes, control characters, unicode, lone surrogates', () => {
    const texts = ['plain', 'with "quotes"', 'back\\slash', 'tab\there\nnewline', '\u0000\u001f\u007f', 'ünïcödé ✓', '😀 emoji', '\u2028\u2029', 'x'.repeat(200)];
    const objects = expectSameJson((tr) => texts.forEach((text, i) => {
      tr.emit(i, 'guest_error', 'pic1', { message: text });
      tr.emit(i, 'guest_error', 'pic1', { message: text }); // the second sighting is interned
    }));
    expect(objects.map((o) => o.message)).toEqual(texts.flatMap((t) => [t, t]));
  });

  it('keeps booleans, null and field order, leaves out undefined fields and writes bigints as hex', () => {
    const objects = expectSameJson((tr) => {
      tr.emit(1, 'cpu.exception', 'cpu', { vector: 14, ok: true, no: false, none: null, gone: undefined, cr2: 0xdeadbeafn, last: 'x' });
      tr.emit(2, 'cpu.wake', 'cpu');
      tr.emit(3, 'cpu.hlt', 'cpu', {});
    });
    expect(Object.keys(objects[0])).toEqual(['v', 't', 'seq', 'kind', 'src', 'vector', 'ok', 'no', 'none', 'cr2', 'last']);
    expect(objects[0].cr2).toBe('0xdeadbeaf');
  });

  it('a field JSON would reorder or drop (kind, an array index, __proto__) still gives the object\'s bytes', () => {
    expectSameJson((tr) => {
      tr.emit(1, 'rtc.tick', 'rtc', { kind: 'overwritten', seq: 5 } as Fields);
      tr.emit(2, 'rtc.tick', 'rtc', { b: 1, 7: 'index', a: 2 } as Fields);
      tr.emit(3, 'rtc.tick', 'rtc', JSON.parse('{"__proto__": 3, "x": 1}') as Fields);
    });
  });

  it('the typed emitters write the records emit() writes', () => {
    const ports = { registerName: (port: number, write: boolean) => (write ? `w${port}` : `r${port}`) };
    const code = { describe: (addr: number) => `handler_${addr.toString(16)}` };
    const wire = { line: 3, input: 'pic1.ir0' };
    const typed = bothWays((tr) => {
      for (let i = 0; i < 3; i++) {
        tr.ioRead(10, 0x21, 1, 0xb8, 'pic1', ports);
        tr.ioWrite(11, 0x20, 1, 0x20, 'pic1', ports);
        tr.irqLevel(12, 'pit', wire, 1);
        tr.cpuInta(13, 32);
        tr.cpuInt(14, 32, 0x201000, code, 0, 0x4000_0000_1000);
        tr.cpuInt(15, 8, 0x202000, code, 1, 0x5000);
      }
    });
    const generic = bothWays((tr) => {
      for (let i = 0; i < 3; i++) {
        tr.emit(10, 'io.read', 'cpu', { port: 0x21, size: 1, value: 0xb8, device: 'pic1', reg: 'r33' });
        tr.emit(11, 'io.write', 'cpu', { port: 0x20, size: 1, value: 0x20, device: 'pic1', reg: 'w32' });
        tr.emit(12, 'irq.level', 'pit', { line: 'pic1.ir0', state: 1 });
        tr.emit(13, 'cpu.inta', 'cpu', { vector: 32 });
        tr.emit(14, 'cpu.int', 'cpu', { vector: 32, handler: 'handler_201000', ist: undefined, rsp: 0x4000_0000_1000, depth: 1 });
        tr.emit(15, 'cpu.int', 'cpu', { vector: 8, handler: 'handler_202000', ist: 1, rsp: 0x5000, depth: 1 });
      }
    });
    expect(typed.lines).toEqual(generic.lines);
    expect(typed.objects).toEqual(generic.objects);
  });

  it('random records: the binary NDJSON line is JSON.stringify of the decoded record', () => {
    const key = fc.oneof(fc.constantFrom('port', 'line', 'level', 'value', 'reg', 'message'), fc.string({ maxLength: 6 }));
    const value = fc.oneof(
      fc.double(), fc.integer(), fc.maxSafeInteger(), fc.string(), fc.string({ unit: 'binary', maxLength: 20 }),
      fc.boolean(), fc.constant(null), fc.constant(undefined), fc.string({ minLength: 120, maxLength: 300 }),
    );
    const record = fc.record({
      t: fc.double({ noNaN: true }),
      kind: fc.oneof(fc.constantFrom('io.read', 'irq.level', 'pic.eoi'), fc.string({ maxLength: 10 })),
      src: fc.oneof(fc.constantFrom('cpu', 'pic1'), fc.string({ maxLength: 200 })),
      fields: fc.dictionary(key, value, { maxKeys: 6 }),
    });
    fc.assert(fc.property(fc.array(record, { maxLength: 20 }), (records) => {
      const { objects, lines } = bothWays((tr) => records.forEach((r) => tr.emit(r.t, r.kind, r.src, r.fields)), 1 << 16);
      return objects.length === records.length && lines.join('\n') === objects.map((o) => JSON.stringify(o)).join('\n');
    }), { numRuns: 60 });
  });
});

describe('--log-filter on binary records', () => {
  const sample = (tr: Tracer) => {
    tr.emit(1, 'io.read', 'cpu', { port: 0x60, size: 1, value: 0x1c, device: 'kbd', reg: 'data' });
    tr.emit(2, 'io.write', 'cpu', { port: 0x20, size: 1, value: 0x20, device: 'pic1', reg: 'OCW2' });
    tr.emit(3, 'irq.level', 'kbd', { line: 'pic1.ir1', level: 1 });
    tr.emit(4, 'irq.level', 'pit', { line: 'pic1.ir0', level: 0 });
    tr.emit(5, 'pic.eoi', 'pic1', { chip: 'pic1', irq: 1, mode: 'specific' });
    tr.emit(6, 'rtc.tick', 'rtc', { line: 7, port: 'not a number' });
    tr.emit(7, 'rtc.tick', 'rtc', { kind: 'io.read' } as Fields);
    tr.emit(8, 'cpu.hlt', 'cpu', { if: 1 });
  };
  const specs: string[][] = [
    [], ['kind=irq.*'], ['kind=irq.*,pic.*'], ['actor=pic1'], ['actor=p*'], ['port=0x60'], ['port=0x20-0x21'],
    ['line=pic1.ir1'], ['line=pic1.*'], ['kind=io.*', 'port=0x60-0x64'], ['kind=io.read'], ['kind=irq.level', 'actor=kbd'],
  ];

  it.each(specs.map((s) => [s.join(' ') || '(none)', s]))('%s keeps the records the object filter keeps', (_, spec) => {
    const filter = parseLogFilter(spec as string[]);
    const control = ControlBlock.allocate();
    control.tracing = true;
    const ring = allocateRing(1 << 16);
    const tracer = new Tracer(control, ring);
    sample(tracer);
    sample(tracer); // again: string values are interned on their second sighting
    const reader = new TraceRingReader(ring);
    const binary: number[] = [];
    const objects: number[] = [];
    reader.refresh();
    while (reader.next()) {
      if (matchesRecord(filter, reader)) binary.push(reader.seq);
      if (filter(reader.decode() as TraceRecord)) objects.push(reader.seq);
      reader.take();
    }
    expect(binary).toEqual(objects);
  });

  it('a kind filter picks the kinds asked for', () => {
    const filter = parseLogFilter(['kind=irq.*,pic.*']);
    const { objects } = bothWays(sample);
    expect(objects.filter((o) => filter(o as TraceRecord)).map((o) => o.kind)).toEqual(['irq.level', 'irq.level', 'pic.eoi']);
  });
});
