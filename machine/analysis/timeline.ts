// Trace records → a Chrome Trace Event Format timeline (ui.perfetto.dev and chrome://tracing open
// it). One process, the machine; tracks (threads):
//   cpu           handler slices per vector (B at cpu.int, E at cpu.iret; nested as they nest;
//                 a handler that never returned ends at the last record, args.returned false),
//                 system calls as slices (syscall → sysretq; one that never returns, SYS_EXIT,
//                 stays the cpu.syscall instant), exceptions and faults as instants;
//   cpu: halted   hlt → wake slices;
//   cpu thread N  with guest threads (cpu.switch): each guest thread's handlers and system calls on
//                 a track of its own (the boot thread's stay on cpu), and a "running" slice for
//                 every stretch in which it held the CPU;
//   one per actor (pic1, pit, kbd, …): what it served or did (port reads/writes, INTA, EOI, edges,
//                 its own records) as short slices and instants;
// counters: every IRQ line's level (pic1.ir0, …), the CPU's INTR pin, each PIC's INT output;
// flow arrows per delivered interrupt: device edge → INTA → handler → EOI (an interrupt whose
// handler sent no EOI has no arrow). ts is in µs (the format's unit) = machine ns / 1000.
import type { TraceRecord } from '../../bus/trace.js';
import { hex } from './numbers.js';
import { PicMap } from './pic-map.js';

export interface TraceEvent {
  name: string;
  ph: 'B' | 'E' | 'X' | 'i' | 'C' | 'M' | 's' | 't' | 'f';
  ts: number;
  pid: number;
  tid?: number;
  dur?: number;
  cat?: string;
  id?: number;
  bp?: 'e';
  s?: 'g' | 'p' | 't';
  args?: Record<string, unknown>;
}

const PID = 1;
const CPU = 1;
const HALTED = 2;
/** A port access, INTA or EOI is drawn this long (µs): visible, and something for arrows to bind to. */
const MARK_US = 0.001;
/** Kinds that become slices, counters or flows rather than plain instants. */
const DRAWN = new Set(['irq.level', 'pic.intr', 'cpu.inta', 'cpu.int', 'cpu.iret', 'cpu.sysret', 'cpu.hlt', 'cpu.wake', 'io.read', 'io.write', 'pic.eoi', 'lapic.eoi', 'cpu.switch']);

/** A guest thread's track: its handlers nest on their own (a switch leaves them open). */
interface GuestTrack { tid: number; open: Array<{ vector: number }>; since: number }

interface Flow { id: number; events: TraceEvent[] }

export class TimelineBuilder {
  private readonly events: TraceEvent[] = [];
  private readonly tids = new Map<string, number>();
  private readonly pics = new PicMap();
  /** Guest threads by host thread handle; `cur` holds the CPU (0, the boot thread, draws on cpu). */
  private readonly guests = new Map<number, GuestTrack>([[0, { tid: CPU, open: [], since: -1 }]]);
  private cur: GuestTrack = this.guests.get(0)!;
  /** Per line: the arrow from its pending edge (waiting for INTA). */
  private readonly edgeFlow = new Map<string, Flow>();
  /** Per line: the arrow of the interrupt in service (waiting for EOI). */
  private readonly serviceFlow = new Map<string, Flow>();
  private acked: { line?: string; flow?: Flow } | undefined;
  private intaDevice = 'pic1';
  private halted = false;
  private nextFlow = 1;
  private lastTs = 0;
  private finished: TraceEvent[] | undefined;

  constructor(private readonly machine = 'machine') {
    this.meta('process_name', 0, { name: `actorpc ${machine}` });
    this.thread('cpu', CPU);
    this.thread('cpu: halted', HALTED);
  }

  add(r: TraceRecord): void {
    const ts = r.t / 1000;
    this.lastTs = ts;
    const timer = this.pics.observe(r);
    if (timer !== undefined && !this.edgeFlow.has(timer)) this.startFlow(timer, this.tid(r.src), ts);
    switch (r.kind) {
      case 'irq.level': return this.level(r, ts);
      case 'pic.intr': return this.counter(`${String(r.chip)} INT`, ts, Number(r.state));
      case 'cpu.inta': return this.inta(r, ts);
      case 'cpu.int': return this.enter(r, ts);
      case 'cpu.iret': return this.leave(r, ts);
      case 'cpu.sysret': {
        const dur = Number(r.duration) / 1000;
        this.push({ name: `syscall ${String(r.nr)}`, ph: 'X', ts: ts - dur, dur, pid: PID, tid: this.cur.tid, cat: 'syscall', args: { nr: r.nr, result: r.result } });
        return;
      }
      case 'cpu.switch': return this.switchTo(Number(r.from), Number(r.to), ts);
      case 'cpu.hlt':
        if (!this.halted) this.push({ name: 'hlt', ph: 'B', ts, pid: PID, tid: HALTED });
        this.halted = true;
        return;
      case 'cpu.wake':
        if (this.halted) this.push({ name: 'hlt', ph: 'E', ts, pid: PID, tid: HALTED });
        this.halted = false;
        return;
      case 'io.read':
      case 'io.write': {
        const reset = r.kind === 'io.write' ? this.pics.write(r) : undefined;
        if (reset !== undefined) for (const line of [...this.edgeFlow.keys()]) if (line.startsWith(reset + '.')) this.edgeFlow.delete(line);
        const what = `${r.kind === 'io.read' ? 'in' : 'out'} ${String(r.reg)}`;
        this.push({ name: what, ph: 'X', ts, dur: MARK_US, pid: PID, tid: this.tid(String(r.device)), cat: 'io', args: { port: hex(Number(r.port)), value: hex(Number(r.value)), size: r.size } });
        return;
      }
      case 'pic.eoi': return this.eoi(`${String(r.chip)}.ir${Number(r.irq)}`, this.tid(String(r.chip)), `EOI ir${Number(r.irq)}`, ts, { mode: r.mode });
      case 'lapic.eoi': {
        const line = this.pics.lineOf(Number(r.vector));
        this.eoi(line, this.tid(r.src), `EOI ${hex(Number(r.vector))}`, ts, { vector: hex(Number(r.vector)) });
        return;
      }
      case 'machine.reset':
        this.closeHandlers(ts, 'reset');
        this.endRunning(ts);
        this.cur = this.guests.get(0)!;
        this.cur.since = -1;
        this.pics.reset();
        this.edgeFlow.clear();
        this.serviceFlow.clear();
        this.push({ name: `machine.reset: ${String(r.why)}`, ph: 'i', s: 'g', ts, pid: PID, tid: CPU });
        return;
    }
    if (DRAWN.has(r.kind)) return;
    const tid = r.src === 'cpu' || r.src === 'bus' ? this.cur.tid : this.tid(r.src);
    const { v: _v, t: _t, seq: _seq, kind, src: _src, ...fields } = r;
    const args: Record<string, unknown> = {};
    for (const [k, value] of Object.entries(fields)) args[k] = typeof value === 'number' && /vector|error_code|cr2|addr|port|value|cmd|byte|rip|base/.test(k) ? hex(value) : value;
    const name = kind === 'cpu.exception' ? `exception ${hex(Number(r.vector))}` : kind;
    this.push({ name, ph: 'i', s: 't', ts, pid: PID, tid, cat: kind.split('.')[0], args });
  }

  /** The Chrome trace as an object: { traceEvents, displayTimeUnit, otherData }. */
  finish(): { traceEvents: TraceEvent[]; displayTimeUnit: 'ns'; otherData: Record<string, unknown> } {
    if (!this.finished) {
      this.closeHandlers(this.lastTs, 'end of the run');
      this.endRunning(this.lastTs);
      if (this.halted) this.push({ name: 'hlt', ph: 'E', ts: this.lastTs, pid: PID, tid: HALTED });
      this.halted = false;
      // Arrows that never reached an EOI are dropped: a flow needs its finish.
      const done = new Set<number>();
      for (const e of this.events) if (e.ph === 'f') done.add(e.id!);
      const kept = this.events.filter((e) => !(e.ph === 's' || e.ph === 't') || done.has(e.id!));
      // Stable: equal timestamps keep the order the records gave (causal).
      this.finished = kept.map((e, i) => [e, i] as const).sort((a, b) => a[0].ts - b[0].ts || a[1] - b[1]).map(([e]) => e);
    }
    return { traceEvents: this.finished, displayTimeUnit: 'ns', otherData: { generator: 'actorpc', machine: this.machine, trace_schema: 2, time_unit: 'ts in µs of machine time' } };
  }

  private level(r: TraceRecord, ts: number): void {
    const line = String(r.line);
    const state = Number(r.state);
    this.counter(line === 'cpu.intr' ? 'INTR' : line, ts, state);
    if (line === 'cpu.intr') {
      this.intaDevice = r.src;
      return;
    }
    if (state !== 1 || this.edgeFlow.has(line)) return;
    // The edge: a mark on the driving device's track, where the arrow starts.
    this.startFlow(line, this.tid(r.src), ts);
  }

  /** An edge of `line` (a wire's rise, a local APIC timer expiry): a mark where its arrow starts. */
  private startFlow(line: string, tid: number, ts: number): void {
    this.push({ name: `${line} ↑`, ph: 'X', ts, dur: MARK_US, pid: PID, tid, cat: 'irq' });
    const flow = { id: this.nextFlow++, events: [] };
    this.edgeFlow.set(line, flow);
    this.push({ name: 'irq', ph: 's', ts, pid: PID, tid, cat: 'irq', id: flow.id });
  }

  private inta(r: TraceRecord, ts: number): void {
    const vector = Number(r.vector);
    const line = this.pics.lineOf(vector);
    const tid = this.tid(this.intaDevice);
    this.push({ name: `INTA ${hex(vector)}`, ph: 'X', ts, dur: MARK_US, pid: PID, tid, cat: 'irq', args: { vector: hex(vector), line } });
    const flow = line !== undefined ? this.edgeFlow.get(line) : undefined;
    if (line !== undefined) this.edgeFlow.delete(line);
    if (flow) this.push({ name: 'irq', ph: 't', ts, pid: PID, tid, cat: 'irq', id: flow.id });
    this.acked = { line, flow };
  }

  private enter(r: TraceRecord, ts: number): void {
    const vector = Number(r.vector);
    const handler = String(r.handler);
    const short = handler.split('::').pop();
    this.push({ name: `${hex(vector)} ${short}`, ph: 'B', ts, pid: PID, tid: this.cur.tid, cat: 'handler', args: { vector: hex(vector), handler, depth: r.depth } });
    this.cur.open.push({ vector });
    const acked = this.acked;
    this.acked = undefined;
    if (acked?.flow && acked.line !== undefined) {
      this.push({ name: 'irq', ph: 't', ts, pid: PID, tid: this.cur.tid, cat: 'irq', id: acked.flow.id });
      this.serviceFlow.set(acked.line, acked.flow);
    }
  }

  private leave(r: TraceRecord, ts: number): void {
    const vector = Number(r.vector);
    const track = this.cur;
    let i = track.open.length - 1;
    while (i >= 0 && track.open[i].vector !== vector) i--;
    if (i < 0) return; // a return from a handler entered before the records began
    // Handlers above it that never returned end here too (B/E must nest).
    while (track.open.length > i + 1) this.end(track, ts, { returned: false });
    this.end(track, ts, { duration_ns: r.duration });
  }

  private eoi(line: string | undefined, tid: number, name: string, ts: number, args: Record<string, unknown>): void {
    this.push({ name, ph: 'X', ts, dur: MARK_US, pid: PID, tid, cat: 'irq', args });
    if (line === undefined) return;
    const flow = this.serviceFlow.get(line);
    if (!flow) return;
    this.serviceFlow.delete(line);
    this.push({ name: 'irq', ph: 'f', bp: 'e', ts, pid: PID, tid, cat: 'irq', id: flow.id });
  }

  private end(track: GuestTrack, ts: number, args: Record<string, unknown>): void {
    track.open.pop();
    this.push({ name: '', ph: 'E', ts, pid: PID, tid: track.tid, args });
  }

  private closeHandlers(ts: number, why: string): void {
    for (const track of this.guests.values()) while (track.open.length) this.end(track, ts, { returned: false, why });
  }

  /** The CPU passed from one guest thread to another: later handlers and instants go on `to`'s track. */
  private switchTo(from: number, to: number, ts: number): void {
    const leaving = this.cur;
    this.endRunning(ts);
    let track = this.guests.get(to);
    if (!track) {
      track = { tid: this.tid(`cpu thread ${to}`), open: [], since: -1 };
      this.guests.set(to, track);
    }
    this.push({ name: `switch → ${to}`, ph: 'X', ts, dur: MARK_US, pid: PID, tid: leaving.tid, cat: 'thread', args: { from, to } });
    track.since = ts;
    this.cur = track;
  }

  /** The running slice of the guest thread holding the CPU ends here. */
  private endRunning(ts: number): void {
    const track = this.cur;
    if (track.since >= 0) this.push({ name: 'running', ph: 'X', ts: track.since, dur: ts - track.since, pid: PID, tid: track.tid, cat: 'thread' });
    track.since = -1;
  }

  private counter(name: string, ts: number, value: number): void {
    this.push({ name, ph: 'C', ts, pid: PID, cat: 'irq', args: { level: value } });
  }

  private tid(actor: string): number {
    if (actor === 'cpu') return CPU;
    let tid = this.tids.get(actor);
    if (tid === undefined) {
      tid = 10 + this.tids.size;
      this.tids.set(actor, tid);
      this.thread(actor, tid);
    }
    return tid;
  }

  private thread(name: string, tid: number): void {
    this.meta('thread_name', tid, { name });
    this.meta('thread_sort_index', tid, { sort_index: tid });
  }

  private meta(name: string, tid: number, args: Record<string, unknown>): void {
    this.events.push({ name, ph: 'M', ts: 0, pid: PID, tid, args });
  }

  private push(e: TraceEvent): void {
    this.events.push(e);
  }
}

/** The file's text: one event per line (diffable), byte-stable for the same records. */
export function timelineJson(t: ReturnType<TimelineBuilder['finish']>): string {
  const head = JSON.stringify({ displayTimeUnit: t.displayTimeUnit, otherData: t.otherData });
  return `${head.slice(0, -1)},"traceEvents":[\n${t.traceEvents.map((e) => JSON.stringify(e)).join(',\n')}\n]}\n`;
}
