// The CPU thread's side of the monitor and of record/replay: a CpuHost (cpu/cpu.ts) called at the
// CPU's polls while the host has something for it (C_ATTENTION's host bit), and a parking loop in
// which the stopped CPU answers the monitor. Recording happens here, where host input and host
// clock readings enter the machine: every counted clock read (realtime) and every input batch,
// keyed by the number of reads before it and the instruction count. Replay feeds them back at
// the same keys, so the machine takes the same path whatever the speed of the host.
import { receiveMessageOnPort } from 'node:worker_threads';
import type { MachineClock } from '../../bus/clock.js';
import { C_ATTENTION, C_CPU_WAKE, type ControlBlock } from '../../bus/control.js';
import { InputRingWriter, type QueuedInput } from '../../bus/input-ring.js';
import type { BusRouter } from '../../bus/router.js';
import type { Cpu, CpuHost } from '../../cpu/cpu.js';
import { MachineReset, MachineStop } from '../../cpu/errors.js';
import type { DeviceShell } from '../actors/device-shell.js';
import { gdt, idt, readMemory, registers, tlb, tss } from '../monitor/inspect.js';
import { EventType, parseRecording, RecordingError, RecordingWriter, type Recording } from './format.js';
import { sessionClock, type SessionClock } from './clock.js';
import { ATTENTION_HOST, type FromCpu, type MonitorRequest, type SessionTask, type ToCpu } from './protocol.js';

/** The replay left the recording's path (or the recording is damaged): the run ends with status 2. */
export class ReplayMismatch extends Error {}

/** Events written to a device's input ring before it is serviced (the ring holds ~25 000). */
const EVENTS_PER_SERVICE = 2000;

export class CpuSession {
  readonly clock: SessionClock;
  readonly host: CpuHost;
  private readonly writer: RecordingWriter | undefined;
  private readonly recording: Recording | undefined;
  private next = 0;
  private readonly rings: InputRingWriter[];
  private parked = false;
  private parkWanted = false;
  /** Request waiting for the CPU to park (stop, step, run-to). */
  private pendingReply: number | undefined;
  private stepTarget: number | undefined;
  private naturalNext = 0;
  private readonly pollInterval: number;
  private finished = false;
  /** The replay stopped where the recorded run was stopped by its host. */
  private recordedStop = false;
  private cpu!: Cpu;

  constructor(
    private readonly task: SessionTask,
    private readonly control: ControlBlock,
    private readonly bus: BusRouter,
    private readonly shells: readonly DeviceShell[],
    inputRings: readonly SharedArrayBuffer[],
    inner: MachineClock,
  ) {
    this.rings = inputRings.map((r) => new InputRingWriter(r));
    this.pollInterval = inner.mode === 'virtual' ? 1 : 64;
    if (task.replay) {
      try {
        this.recording = parseRecording(task.replay.bytes, task.replay.name);
      } catch (err) {
        throw err instanceof RecordingError ? new ReplayMismatch(err.message) : err;
      }
      const reads = this.recording.reads;
      const name = task.replay.name;
      this.clock = sessionClock(inner, {
        take: (i) => {
          if (i < reads.length) return reads[i];
          if (this.finished) return reads[reads.length - 1] ?? 0;
          this.finished = true; // the run's closing reads (final flush, machine.stop) take the last value
          throw new ReplayMismatch(`${name}: the replay wants clock reading #${i + 1}, the recording has ${reads.length}: it does not belong to this machine and input, or it is damaged`);
        },
      });
      this.clock.beforeRead = (index) => {
        const e = this.recording!.events[this.next];
        if (e?.type === EventType.Stop && e.reads === index) {
          this.next++;
          this.recordedStop = true;
          throw new MachineStop('stop');
        }
      };
    } else {
      this.writer = task.record ? new RecordingWriter(task.record.path, task.record.header) : undefined;
      const w = this.writer;
      this.clock = sessionClock(inner, w ? { put: (v) => w.read(v) } : {});
    }
    this.host = {
      attention: (cpu, now) => this.attention(cpu, now),
      waitClock: this.clock.uncounted,
      // Replay: the recorded reads say when each halt ended; the host never waits.
      halted: this.recording ? () => {} : undefined,
    };
  }

  /** Before the guest starts. */
  bind(cpu: Cpu): void {
    this.cpu = cpu;
    if (this.task.breakAt !== undefined) cpu.breakAt = this.task.breakAt;
    this.keepPolling();
  }

  private get polling(): boolean {
    return this.recording !== undefined || this.stepTarget !== undefined || this.cpu.breakAt !== Infinity;
  }

  private keepPolling(): void {
    if (this.polling) Atomics.or(this.control.i32, C_ATTENTION, ATTENTION_HOST);
  }

  private attention(cpu: Cpu, t: number): void {
    const now = t === -Infinity ? this.clock.last : t; // an extra poll of `step` (clock.freezeAt)
    const mask = Atomics.exchange(this.control.i32, C_ATTENTION, 0) & ~ATTENTION_HOST;
    let service = this.recording ? this.replayEvents(cpu) : mask;
    service |= this.drain(cpu, now);
    if (service) this.bus.service(service, now);
    if (this.stepTarget !== undefined) this.stepPoll(cpu);
    if (now >= cpu.breakAt) {
      cpu.breakAt = Infinity;
      if (!this.task.monitor) throw new MachineStop('stop');
      this.parkWanted = true;
    }
    if (this.parkWanted) this.park(cpu, now);
    this.keepPolling();
  }

  /** Host messages: input batches (recorded) and monitor requests. Returns the devices to service. */
  private drain(cpu: Cpu, now: number): number {
    let mask = 0;
    for (;;) {
      const got = receiveMessageOnPort(this.task.hostPort);
      if (!got) return mask;
      const m = got.message as ToCpu;
      if (m.type === 'input') {
        if (this.recording) continue; // a replay takes its input from the recording only
        this.writer?.input(this.clock.reads, cpu.icount, m.device, m.events);
        this.writeRing(m.device, m.events, now);
        mask |= 1 << m.device;
      } else this.request(cpu, now, m.id, m.req);
    }
  }

  private writeRing(device: number, events: readonly QueuedInput[], now: number): void {
    for (let i = 0; i < events.length; i += EVENTS_PER_SERVICE) {
      if (i > 0) this.bus.service(1 << device, now);
      this.rings[device].pushAll(events.slice(i, i + EVENTS_PER_SERVICE));
    }
  }

  private replayEvents(cpu: Cpu): number {
    const key = this.clock.reads;
    const events = this.recording!.events;
    let mask = 0;
    for (;;) {
      const e = events[this.next];
      if (!e || e.type === EventType.End || e.reads > key) return mask;
      if (e.reads < key || e.icount !== cpu.icount) {
        this.finished = true;
        throw new ReplayMismatch(`${this.task.replay!.name}: the replay left the recorded run (an event recorded at instruction ${e.icount}, clock read ${e.reads}, came at instruction ${cpu.icount}, read ${key}): the recording does not belong to this machine, or it is damaged`);
      }
      this.next++;
      if (e.type === EventType.Input) {
        this.writeRing(e.device, e.events, this.clock.last);
        mask |= 1 << e.device;
      } else if (e.type === EventType.Stop) {
        this.recordedStop = true;
        throw new MachineStop('stop');
      }
      else if (e.type === EventType.Reset) throw new MachineReset('system_reset (monitor)');
    }
  }

  private reply(id: number, value: unknown, error?: string): void {
    const m: FromCpu = error === undefined ? { type: 'reply', id, ok: true, value } : { type: 'reply', id, ok: false, error };
    this.task.hostPort.postMessage(m);
  }

  private request(cpu: Cpu, now: number, id: number, req: MonitorRequest): void {
    switch (req.op) {
      case 'stop':
        if (this.parked) return this.reply(id, this.where(cpu, now, 'stopped'));
        this.pendingReply = id;
        this.parkWanted = true;
        return;
      case 'cont':
        this.parked = false;
        return this.reply(id, this.where(cpu, now, 'running'));
      case 'step':
        if (!this.parked) return this.reply(id, undefined, 'the CPU is running: "stop" it first');
        this.stepTarget = cpu.icount + req.n;
        this.naturalNext = cpu.icount + cpu.countdown;
        this.pendingReply = id;
        this.parked = false;
        this.stepPoll(cpu, true);
        return;
      case 'run-to':
        if (req.t <= now) return this.reply(id, undefined, `machine time is already ${now} ns`);
        cpu.breakAt = req.t;
        this.pendingReply = id;
        this.parked = false;
        return;
      case 'registers': return this.reply(id, registers(cpu, now));
      case 'idt': return this.reply(id, idt(cpu));
      case 'gdt': return this.reply(id, gdt(cpu));
      case 'tss': return this.reply(id, tss(cpu));
      case 'tlb': return this.reply(id, tlb(cpu));
      case 'status': return this.reply(id, this.where(cpu, now, this.parked ? 'stopped' : 'running'));
      case 'mem': return this.reply(id, readMemory(cpu, req.addr, Math.min(req.len, 1 << 16), req.virtual));
      case 'snapshot': {
        const shell = this.shells.find((s) => s.name === req.device);
        return this.reply(id, shell ? shell.core.snapshot() : undefined);
      }
      case 'reset':
        this.reply(id, this.where(cpu, now, 'reset'));
        this.writer?.mark(this.clock.reads, cpu.icount, EventType.Reset);
        this.parked = false;
        throw new MachineReset('system_reset (monitor)');
    }
  }

  /**
   * `step`: poll at every boundary until the target. Polls off the realtime cadence (every 64th
   * boundary) read the clock frozen and uncounted, so the machine sees the same reads as without them.
   */
  private stepPoll(cpu: Cpu, starting = false): void {
    if (!starting && cpu.icount === this.naturalNext) this.naturalNext += this.pollInterval;
    if (cpu.icount >= this.stepTarget!) {
      this.stepTarget = undefined;
      cpu.countdown = this.naturalNext - cpu.icount;
      this.parkWanted = true;
      return;
    }
    cpu.countdown = 1;
    if (cpu.icount + 1 !== this.naturalNext) this.clock.freezeAt(cpu.icount + 1, () => cpu.icount);
  }

  private where(cpu: Cpu, t: number, why: string): { t: number; icount: number; rip: number; why: string } {
    return { t, icount: cpu.icount, rip: cpu.rip, why };
  }

  /** The CPU holds at this boundary and answers the monitor until cont, step, run-to, reset or a stop. */
  private park(cpu: Cpu, now: number): void {
    this.parkWanted = false;
    this.parked = true;
    const here = this.where(cpu, now, this.pendingReply !== undefined ? 'stopped' : 'stop-at');
    // The screen as it is at this instant (not recording: a flush would add to the recorded trace).
    if (!this.writer) this.bus.flushAll(now);
    if (this.pendingReply !== undefined) this.reply(this.pendingReply, here);
    else this.task.hostPort.postMessage({ type: 'parked', ...here } satisfies FromCpu);
    this.pendingReply = undefined;
    const i32 = this.control.i32;
    this.clock.pause();
    try {
      while (this.parked) {
        const seen = Atomics.load(i32, C_CPU_WAKE);
        if (this.control.stopRequested) throw new MachineStop('stop');
        this.bus.service(this.drain(cpu, now), now);
        if (this.parked) Atomics.wait(i32, C_CPU_WAKE, seen, 1000);
      }
    } finally {
      this.clock.resume();
    }
  }

  /** The guest stopped on a host request (quit, --until, a signal): recorded where it happened. */
  stopped(): void {
    this.writer?.mark(this.clock.reads, this.cpu.icount, EventType.Stop);
  }

  /**
   * The run is over (after its last clock read): the recording is completed; a replay that ran
   * to its end must end where and as the recording did (else the message says how it differs).
   */
  finish(reason: string): string | undefined {
    const cpu = this.cpu;
    this.writer?.end(this.clock.reads, cpu.icount, reason);
    this.finished = true;
    const rec = this.recording;
    if (!rec || (reason === 'stop' && !this.recordedStop)) return undefined; // not a replay, or cut short by its host
    const end = rec.events.at(-1)!;
    if (end.type === EventType.End && (end.reads !== this.clock.reads || end.icount !== cpu.icount || end.reason !== reason)) {
      return `${this.task.replay!.name}: the replay ended at instruction ${cpu.icount} (${reason}), the recorded run at ${end.icount} (${end.reason}): it does not belong to this machine and its input, or it is damaged`;
    }
    return undefined;
  }

  get recordedBytes(): number { return this.writer?.bytesWritten ?? 0; }
}
