// openTraceLog: NDJSON from a hub's rings (the same bytes as the objects on trace$), --log-filter,
// --pretty, and write failures: a full disk (/dev/full) and a FIFO whose reader goes away are
// reported once through onError, and close() then resolves.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ControlBlock, Tracer } from '../../bus/control.js';
import { allocateRing } from '../../bus/trace-ring.js';
import type { TraceRecord } from '../../bus/trace.js';
import { parseLogFilter } from '../../machine/log-filter.js';
import { TraceHub } from '../../machine/trace-hub.js';
import { openTraceLog, prettyLine } from '../../machine/trace-log.js';
import { hasOpen, makeFifo } from './fifo.js';
import { tempDirs } from '../support/temp.js';

function hubRig(ringBytes = 1 << 18) {
  const control = ControlBlock.allocate();
  control.tracing = true;
  const hub = new TraceHub(control);
  const ring = allocateRing(ringBytes);
  hub.addRing(ring);
  return { hub, tracer: new Tracer(control, ring) };
}

/** A few records of every shape, IRQ traffic and device strings. */
function traffic(tracer: Tracer, i: number): void {
  const ports = { registerName: (port: number, write: boolean) => (port === 0x20 ? (write ? 'ICW1/OCW2/OCW3' : 'IRR/ISR') : 'IMR') };
  tracer.irqLevel(i * 838, 'pit', { line: 0, input: 'pic1.ir0' }, 1);
  tracer.emit(i * 838, 'pic.intr', 'pic1', { chip: 'pic1', state: 1 });
  tracer.cpuInta(i * 838 + 1, 32);
  tracer.cpuInt(i * 838 + 1, 32, 0x201000, { describe: () => 'blog_os::interrupts::timer_interrupt_handler' }, 0, 0x10000201ff58);
  tracer.ioWrite(i * 838 + 2, 0x20, 1, 0x20, 'pic1', ports);
  tracer.ioRead(i * 838 + 2, 0x21, 1, 0xfc, 'pic1', ports);
  tracer.emit(i * 838 + 2, 'pic.eoi', 'pic1', { chip: 'pic1', irq: 0, mode: 'non-specific' });
  tracer.emit(i * 838 + 3, 'cpu.hlt', 'cpu', { if: 1 });
  tracer.emit(i * 838 + 3.5, 'guest_error', 'kbd', { message: `odd byte ${i % 7}`, value: i % 256, ok: i % 2 === 0, none: null });
}

const temp = tempDirs('actorpc-trace-log-');
const tmp = () => temp.make();

describe('openTraceLog', () => {
  it('writes from the rings exactly the lines JSON.stringify gives for the records on trace$', async () => {
    const { hub, tracer } = hubRig();
    const file = join(tmp(), 'sub', 'trace.ndjson');
    const objects: TraceRecord[] = [];
    hub.trace$.subscribe((r) => objects.push(r));
    const log = openTraceLog(hub.trace$, { file, pretty: false, filter: parseLogFilter([]) });
    for (let i = 0; i < 1000; i++) {
      traffic(tracer, i);
      if (i % 100 === 99) hub.drain(false);
    }
    hub.close();
    await log.close();
    expect(objects).toHaveLength(9000);
    expect(log.written()).toBe(9000);
    expect(readFileSync(file, 'utf8')).toBe(objects.map((o) => JSON.stringify(o) + '\n').join(''));
  });

  it('applies --log-filter to the binary records', async () => {
    const { hub, tracer } = hubRig();
    const file = join(tmp(), 'trace.ndjson');
    const filter = parseLogFilter(['kind=irq.*,pic.*,io.*', 'actor=pic*,cpu']);
    const objects: TraceRecord[] = [];
    hub.trace$.subscribe((r) => objects.push(r));
    const log = openTraceLog(hub.trace$, { file, pretty: false, filter });
    for (let i = 0; i < 200; i++) traffic(tracer, i);
    hub.close();
    await log.close();
    const kept = objects.filter(filter);
    expect(new Set(kept.map((r) => r.kind))).toEqual(new Set(['pic.intr', 'io.write', 'io.read', 'pic.eoi']));
    expect(readFileSync(file, 'utf8')).toBe(kept.map((o) => JSON.stringify(o) + '\n').join(''));
  });

  it('from any other Observable of records it writes the same NDJSON', async () => {
    const { hub, tracer } = hubRig();
    const objects: TraceRecord[] = [];
    hub.trace$.subscribe((r) => objects.push(r));
    for (let i = 0; i < 50; i++) traffic(tracer, i);
    hub.close();
    const file = join(tmp(), 'trace.ndjson');
    const source = new Subject<TraceRecord>();
    const log = openTraceLog(source, { file, pretty: false, filter: () => true });
    objects.forEach((o) => source.next(o));
    await log.close();
    expect(readFileSync(file, 'utf8')).toBe(objects.map((o) => JSON.stringify(o) + '\n').join(''));
  });

  it('--pretty writes "kind t= seq= src= key=value" lines with the IRQ state, ports, vectors and addresses in hex', async () => {
    const { hub, tracer } = hubRig();
    const file = join(tmp(), 'pretty.log');
    const log = openTraceLog(hub.trace$, { file, pretty: true, filter: parseLogFilter(['kind=irq.level,machine.*,cpu.exception']) });
    tracer.irqLevel(5, 'pit', { line: 0, input: 'pic1.ir0' }, 1);
    tracer.emit(6, 'machine.start', 'cpu', { machine: 'pc', clock: 'virtual' });
    tracer.emit(7, 'cpu.hlt', 'cpu', { if: 1 });
    tracer.emit(8, 'cpu.exception', 'cpu', { vector: 14, error_code: 0x43, cr2: 0xdeadbeaf, note: 'two words' });
    hub.close();
    await log.close();
    expect(readFileSync(file, 'utf8')).toBe(
      'irq.level t=5 seq=0 src=pit line=pic1.ir0 state=1\n' +
      'machine.start t=6 seq=1 src=cpu machine=pc clock=virtual\n' +
      'cpu.exception t=8 seq=3 src=cpu vector=0xe error_code=0x43 cr2=0xdeadbeaf note="two words"\n',
    );
    expect(prettyLine({ v: 2, t: 1, seq: 2, kind: 'io.write', src: 'cpu', port: 0x20, size: 1, value: 0x20 }, true))
      .toBe('\x1b[36mio.write\x1b[39m \x1b[90mt=1 seq=2 src=cpu port=0x20 size=1 value=0x20\x1b[39m\n');
  });

  it.each([false, true])('a full disk (/dev/full, pretty %s) is reported once as ENOSPC, and close() resolves', async (pretty) => {
    const { hub, tracer } = hubRig();
    const errors: string[] = [];
    let failed!: () => void;
    const failure = new Promise<void>((resolve) => { failed = resolve; });
    const log = openTraceLog(hub.trace$, {
      file: '/dev/full', pretty, filter: parseLogFilter([]),
      onError: (message) => { errors.push(message); failed(); },
    });
    // Enough records for a write of their own (a buffer fills), then the timer's flush is not needed.
    for (let i = 0; i < 1000; i++) {
      traffic(tracer, i);
      if (i % 50 === 49) hub.drain(false);
    }
    await failure;
    for (let i = 0; i < 100; i++) traffic(tracer, i); // after the failure: nothing more is tried
    hub.close();
    await log.close();
    expect(errors).toEqual(['no space left on the device (ENOSPC)']);
  });

  it('a FIFO whose reader goes away is reported once as EPIPE, and close() resolves', async () => {
    const fifo = makeFifo(tmp());
    // The reader takes 1000 bytes and exits, closing its end.
    const reader = spawn('head', ['-c', '1000', fifo], { stdio: ['ignore', 'pipe', 'inherit'] });
    let got = 0;
    reader.stdout.on('data', (b: Buffer) => { got += b.length; });
    const readerGone = new Promise<void>((resolve) => reader.on('exit', () => resolve()));
    const { hub, tracer } = hubRig();
    const errors: string[] = [];
    let failed = false;
    let onFailure!: () => void;
    const failure = new Promise<void>((resolve) => { onFailure = resolve; });
    const log = openTraceLog(hub.trace$, {
      file: fifo, pretty: false, filter: parseLogFilter([]),
      onError: (message) => { errors.push(message); failed = true; onFailure(); },
    });
    await hasOpen(reader.pid!, fifo);
    // Feed records until the failure is reported (bounded: about 100 MB at most).
    for (let round = 0; round < 2000 && !failed; round++) {
      for (let i = 0; i < 100; i++) traffic(tracer, i);
      hub.drain(false);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await failure;
    await readerGone;
    hub.close();
    await log.close();
    expect(got).toBe(1000);
    expect(errors).toEqual(['the reader of the FIFO went away (EPIPE)']);
  });

  it('without onError, a failure is said once on stderr', async () => {
    const { hub, tracer } = hubRig();
    const said: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string) => { said.push(String(chunk)); return true; }) as typeof process.stderr.write;
    try {
      const log = openTraceLog(hub.trace$, { file: '/dev/full', pretty: false, filter: parseLogFilter([]) });
      for (let i = 0; i < 10; i++) traffic(tracer, i);
      hub.close();
      await log.close();
    } finally {
      process.stderr.write = write;
    }
    expect(said).toEqual(['actorpc: trace log /dev/full: no space left on the device (ENOSPC); no more records are written.\n']);
  });
});
