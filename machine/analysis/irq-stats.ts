// The end-of-run report (--stats), in the spirit of QEMU's `info irq` / `info pic`, computed from
// trace records on the main thread, one record at a time (the same from a live machine and from a
// --log file):
//   per IRQ line: edges raised (irq.level ↑), delivered (INTA answered with its vector, then
//   cpu.int), coalesced (irq.coalesced), EOIs (pic.eoi, lapic.eoi), latency edge → handler entry;
//   a local APIC's timer is a line of its own (lapic.timer expiries are its edges);
//   per vector: delivered, spurious (pic.spurious), handler time (cpu.iret.duration);
//   unclaimed ports (io.unclaimed: the router traces each port's first access);
//   per actor: requests served as the records show them (port reads/writes, INTAs, input changes).
// Which line a vector belongs to comes from the PICs' own programming (pic-map.ts).
import type { TraceRecord } from '../../bus/trace.js';
import { PicMap } from './pic-map.js';

export interface Distribution {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface LineStats {
  readonly line: string;
  /** The vector its PIC answers for it (undefined: not programmed, or not a PIC input). */
  readonly vector?: number;
  readonly raised: number;
  readonly delivered: number;
  readonly coalesced: number;
  readonly eois: number;
  /** Machine ns from the edge to the handler's entry. */
  readonly latency: Distribution;
}

export interface VectorStats {
  readonly vector: number;
  readonly handler?: string;
  /** Entries through the IDT (interrupts, exceptions, int n). */
  readonly entered: number;
  /** Of these, acknowledged from the interrupt controller (INTA). */
  readonly external: number;
  readonly spurious: number;
  readonly exceptions: number;
  /** Machine ns from entry to iretq. */
  readonly handlerTime: Distribution;
  /** Entries that never returned (yet): panics, hlt_loop, the run's end. */
  readonly unreturned: number;
}

export interface ActorStats {
  readonly actor: string;
  readonly reads: number;
  readonly writes: number;
  readonly intas: number;
  readonly inputChanges: number;
  readonly records: number;
}

export interface CpuTimes {
  /** Machine ns in handlers (outermost cpu.int → its cpu.iret). */
  readonly inHandlers: number;
  /** Machine ns halted (cpu.hlt → cpu.wake). */
  readonly halted: number;
  /** Times the INTR pin went high. */
  readonly intrRaised: number;
  /** Context switches between guest threads (cpu.switch), and how many guest threads took part. */
  readonly switches: number;
  readonly threads: number;
}

export interface IrqReport {
  readonly version: 1;
  /** Machine ns of the last record. */
  readonly t: number;
  readonly records: number;
  readonly lines: readonly LineStats[];
  readonly vectors: readonly VectorStats[];
  readonly unclaimed: ReadonlyArray<{ port: number; dir: string; size: number }>;
  readonly actors: readonly ActorStats[];
  readonly cpu: CpuTimes;
  readonly coalescedTotal: number;
  /** Host time per actor, as the run measured it (not from the trace: it differs run to run). */
  readonly host?: HostTimes;
}

export interface HostTimes {
  /** The CPU thread running the guest (ms): its time less its halts and its inline devices' calls. */
  readonly cpuMs: number;
  /** Guest-thread workers (cpu.threads): host ms each ran guest code, by host thread handle 1..n. */
  readonly threadMs?: readonly number[];
  /** Per device: calls served and the host time they took (ms, estimated from 1 call in 256). */
  readonly devices: ReadonlyArray<{ readonly device: string; readonly calls: number; readonly hostMs: number }>;
}

class Samples {
  private values: number[] = [];
  add(v: number): void { this.values.push(v); }
  summary(): Distribution {
    const v = this.values.sort((a, b) => a - b);
    const at = (q: number) => (v.length ? v[Math.min(v.length - 1, Math.ceil(q * v.length) - 1)] : 0);
    return { count: v.length, p50: at(0.5), p99: at(0.99), max: v.length ? v[v.length - 1] : 0 };
  }
}

interface Line { raised: number; delivered: number; coalesced: number; eois: number; latency: Samples; pendingEdge: number }
interface Vec { handler?: string; entered: number; external: number; spurious: number; exceptions: number; time: Samples; unreturned: number }

export class IrqStats {
  private readonly lines = new Map<string, Line>();
  private readonly vectors = new Map<number, Vec>();
  private readonly actors = new Map<string, { reads: number; writes: number; intas: number; inputChanges: number; records: number }>();
  private readonly unclaimed: Array<{ port: number; dir: string; size: number }> = [];
  private readonly pics = new PicMap();
  /** The device that drives cpu.intr (answers INTA). */
  private intaDevice: string | undefined;
  /** Vectors acknowledged and not yet entered (INTA → cpu.int), with the line they came from. */
  private acked: { vector: number; line?: string } | undefined;
  private lastException = -1;
  /** Handlers entered and not returned, of the guest thread holding the CPU (cpu.switch swaps them). */
  private open: Array<{ vector: number; t: number }> = [];
  /** The other guest threads' open handlers, by host thread handle. */
  private readonly parked = new Map<number, Array<{ vector: number; t: number }>>();
  private handlerSince = -1;
  private haltedSince = -1;
  private inHandlers = 0;
  private halted = 0;
  private coalescedTotal = 0;
  private lastCoalesced: string | undefined;
  private intrRaised = 0;
  private switches = 0;
  private readonly threads = new Set<number>();
  private records = 0;
  private t = 0;

  add(r: TraceRecord): void {
    this.records++;
    this.t = r.t;
    this.actor(r.src).records++;
    const timer = this.pics.observe(r);
    if (timer !== undefined) {
      // A local APIC timer expiry is an edge of its own line (count: expiries one record covers).
      const l = this.line(timer);
      l.raised += Number(r.count) || 1;
      if (l.pendingEdge < 0) l.pendingEdge = r.t;
    }
    switch (r.kind) {
      case 'irq.level': {
        const line = String(r.line);
        if (line === 'cpu.intr') {
          this.intaDevice = r.src;
          if (r.state === 1) this.intrRaised++;
          return;
        }
        this.actor(line.split('.')[0]).inputChanges++;
        if (r.state !== 1) return;
        const l = this.line(line);
        l.raised++;
        if (l.pendingEdge < 0) l.pendingEdge = r.t;
        return;
      }
      case 'irq.coalesced': {
        const n = Number(r.count) || 0;
        this.line(String(r.line)).coalesced += n;
        // An output wired to several inputs gives one record per wire, one after the other: its
        // edges count once in the total (as in the control block's counter).
        const key = r.output === undefined ? undefined : `${r.src}|${String(r.output)}|${r.t}`;
        if (key === undefined || key !== this.lastCoalesced) this.coalescedTotal += n;
        this.lastCoalesced = key;
        return;
      }
      case 'io.write':
      case 'io.read': {
        const device = String(r.device);
        const a = this.actor(device);
        if (r.kind === 'io.read') return void a.reads++;
        a.writes++;
        const reset = this.pics.write(r);
        if (reset !== undefined) for (const [name, l] of this.lines) if (name.startsWith(reset + '.')) l.pendingEdge = -1;
        return;
      }
      case 'cpu.inta': {
        const vector = Number(r.vector);
        if (this.intaDevice) this.actor(this.intaDevice).intas++;
        this.acked = { vector, line: this.pics.lineOf(vector) };
        return;
      }
      case 'pic.spurious':
        this.vector(Number(r.vector)).spurious++;
        return;
      case 'cpu.exception':
        this.lastException = Number(r.vector);
        return;
      case 'cpu.int': {
        const vector = Number(r.vector);
        const v = this.vector(vector);
        v.entered++;
        v.unreturned++;
        if (typeof r.handler === 'string') v.handler = r.handler;
        if (this.lastException === vector) v.exceptions++;
        this.lastException = -1;
        if (this.acked?.vector === vector) {
          v.external++;
          const name = this.acked.line;
          if (name !== undefined) {
            const l = this.line(name);
            l.delivered++;
            if (l.pendingEdge >= 0) l.latency.add(r.t - l.pendingEdge);
            l.pendingEdge = -1;
          }
        }
        this.acked = undefined;
        if (this.open.length === 0) this.handlerSince = r.t;
        this.open.push({ vector, t: r.t });
        return;
      }
      case 'cpu.iret': {
        const vector = Number(r.vector);
        const v = this.vector(vector);
        v.time.add(Number(r.duration));
        if (v.unreturned > 0) v.unreturned--;
        // Close the innermost open entry of this vector (a handler that never returned stays open).
        for (let i = this.open.length - 1; i >= 0; i--) {
          if (this.open[i].vector === vector) {
            this.open.length = i;
            break;
          }
        }
        if (this.open.length === 0 && this.handlerSince >= 0) {
          this.inHandlers += r.t - this.handlerSince;
          this.handlerSince = -1;
        }
        return;
      }
      case 'pic.eoi':
        this.line(`${String(r.chip)}.ir${Number(r.irq)}`).eois++;
        return;
      case 'lapic.eoi': {
        const line = this.pics.lineOf(Number(r.vector));
        if (line !== undefined) this.line(line).eois++;
        return;
      }
      case 'cpu.hlt':
        this.haltedSince = r.t;
        return;
      case 'cpu.wake':
        if (this.haltedSince >= 0) this.halted += r.t - this.haltedSince;
        this.haltedSince = -1;
        return;
      case 'io.unclaimed':
        this.unclaimed.push({ port: Number(r.port), dir: String(r.dir), size: Number(r.size) });
        return;
      case 'cpu.switch': {
        this.switches++;
        this.threads.add(Number(r.from)).add(Number(r.to));
        // Time in handlers is the running thread's: a handler parked by a switch does not count.
        if (this.handlerSince >= 0) this.inHandlers += r.t - this.handlerSince;
        this.parked.set(Number(r.from), this.open);
        this.open = this.parked.get(Number(r.to)) ?? [];
        this.parked.delete(Number(r.to));
        this.handlerSince = this.open.length > 0 ? r.t : -1;
        return;
      }
      case 'machine.reset':
        this.pics.reset();
        this.open = [];
        this.parked.clear();
        this.handlerSince = -1;
        for (const l of this.lines.values()) l.pendingEdge = -1;
        return;
    }
  }

  report(): IrqReport {
    const halted = this.halted + (this.haltedSince >= 0 ? this.t - this.haltedSince : 0);
    const inHandlers = this.inHandlers + (this.handlerSince >= 0 ? this.t - this.handlerSince : 0);
    return {
      version: 1,
      t: this.t,
      records: this.records,
      lines: [...this.lines.entries()].sort(([a], [b]) => compareLines(a, b)).map(([line, l]) => ({
        line, vector: this.pics.vectorOf(line), raised: l.raised, delivered: l.delivered, coalesced: l.coalesced, eois: l.eois, latency: l.latency.summary(),
      })),
      vectors: [...this.vectors.entries()].sort(([a], [b]) => a - b).map(([vector, v]) => ({
        vector, handler: v.handler, entered: v.entered, external: v.external, spurious: v.spurious, exceptions: v.exceptions,
        handlerTime: v.time.summary(), unreturned: v.unreturned,
      })),
      unclaimed: [...this.unclaimed].sort((a, b) => a.port - b.port),
      actors: [...this.actors.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([actor, a]) => ({ actor, ...a })),
      cpu: { inHandlers, halted, intrRaised: this.intrRaised, switches: this.switches, threads: this.threads.size },
      coalescedTotal: this.coalescedTotal,
    };
  }

  private line(name: string): Line {
    let l = this.lines.get(name);
    if (!l) this.lines.set(name, (l = { raised: 0, delivered: 0, coalesced: 0, eois: 0, latency: new Samples(), pendingEdge: -1 }));
    return l;
  }

  private vector(n: number): Vec {
    let v = this.vectors.get(n);
    if (!v) this.vectors.set(n, (v = { entered: 0, external: 0, spurious: 0, exceptions: 0, time: new Samples(), unreturned: 0 }));
    return v;
  }

  private actor(name: string) {
    let a = this.actors.get(name);
    if (!a) this.actors.set(name, (a = { reads: 0, writes: 0, intas: 0, inputChanges: 0, records: 0 }));
    return a;
  }
}

/** pic1.ir2 before pic1.ir10, cpu.intr last among its kind. */
function compareLines(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
