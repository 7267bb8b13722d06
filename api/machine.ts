// The machine as a library: `import { Machine } from 'actorpc'`. A thin, typed layer over the
// machine the CLI runs (machine/machine.ts): start it from a file, a bundled machine's name or a
// resolved spec, wait for the kernel, type, wait for text, and watch its wires and ports as RxJS
// streams. The bus stays synchronous: streams see records after the fact, in global order, and
// cost nothing while nobody subscribes (the machine's tracing flag is off then).
import { map, Observable, Subject, type Subscription } from 'rxjs';
import { TextDecoder } from 'node:util';
import type { TraceRecord } from '../bus/trace.js';
import { EXCEPTION_KINDS, type AnyRecord, type ExceptionRecord, type IoRecord, type IrqLevelRecord } from '../bus/trace-records.js';
import type { Frame } from '../devices/vga/frame.js';
import { ScreenModel } from '../devices/vga/screen.js';
import type { MachineSpec } from '../machine/config/spec.js';
import { createFrontEnd, type FrontEnd } from '../machine/frontends.js';
import { typeText } from '../machine/input/keymap.js';
import { Machine as Core, type DeviceEvent, type MachineResult } from '../machine/machine.js';
import { parseLogFilter } from '../machine/log-filter.js';
import { openTraceLog, type TraceLog } from '../machine/trace-log.js';
import { loadMachineFor, toNs, type Duration, type MachineOptions } from './load.js';
import { TraceTap } from './streams.js';

/** The VGA text screen at one machine time. */
export interface Screen {
  /** Machine time (ns) of the frame. */
  readonly t: number;
  /** 25 rows of 80 characters, trailing blanks trimmed, joined by "\n". */
  readonly text: string;
  readonly rows: readonly string[];
}

/** Why until() gave up: the machine time limit passed, or the machine stopped first. */
export class UntilError extends Error {
  constructor(message: string, readonly screen: Screen, readonly reason: 'timeout' | 'stopped') {
    super(message);
    this.name = 'UntilError';
  }
}

export class Machine {
  private readonly tap: TraceTap;
  private readonly model = new ScreenModel();
  private lastFrame = -1;
  private readonly screens = new Subject<Screen>();
  private readonly frontEnds: FrontEnd[] = [];
  private readonly log: TraceLog | undefined;
  private held = false;
  /** Held at an instant by runFor (the session's park), until resume(). */
  private paused = false;
  private readonly decoder = new Map<string, TextDecoder>();
  /** Settles when the kernel first waits for an interrupt with interrupts on (its first `hlt` with IF=1); rejects if the machine stops before. */
  readonly ready: Promise<number>;
  /** Settles when the machine has stopped (a --for time, stop(), the guest's isa-debug-exit, a crash) and every record was delivered. */
  readonly result: Promise<MachineResult>;

  private constructor(readonly core: Core, readonly spec: MachineSpec, options: MachineOptions) {
    this.result = core.result!.then(async (r) => {
      await this.log?.close();
      for (const fe of this.frontEnds) fe.close();
      this.screens.complete();
      return r;
    });
    this.tap = new TraceTap(core.hub, core.control, options.log !== undefined, this.result);
    this.log = options.log !== undefined ? openTraceLog(core.trace$, { file: options.log, pretty: false, filter: parseLogFilter([]) }) : undefined;
    if (options.frontEnds) {
      for (const d of spec.devices) {
        const fe = createFrontEnd(d.adapter === 'terminal' ? { ...d, adapter: 'headless' } : d, core.modules.get(d.name)!.kind, { machineName: spec.name }, core.modules.get(d.name));
        if (fe) this.frontEnds.push(fe);
      }
    }
    core.events$.subscribe((e) => {
      for (const fe of this.frontEnds) if (fe.device === e.device) fe.onEvent(e);
      if (e.channel !== 'frame') return;
      const frame = e.payload as Frame;
      this.model.apply(frame);
      this.lastFrame = frame.t;
      if (this.screens.observed) this.screens.next(this.snapshot());
    });
    // Nothing on the machine can change any more (IF=0 forever, a deadlock): stop it.
    core.idleForever$.subscribe(() => core.stop());
    this.ready = new Promise<number>((resolve, reject) => {
      core.ready$.subscribe({
        next: (t) => {
          this.held = true;
          resolve(t);
          // Whoever awaited `ready` runs first (type() queues its keys at this very machine time).
          setImmediate(() => this.release());
        },
        complete: () => reject(new Error(`${spec.name} stopped before its kernel was ready (it never waited for an interrupt with interrupts on)`)),
      });
    });
    this.ready.catch(() => undefined); // a caller who never asks is not told
  }

  /**
   * Boot a machine: a machine file's path, the name of a bundled one ("post-07", "default",
   * "test"), or a spec from loadMachine(). Machine time starts once the caller's code after
   * `await Machine.start(…)` has run to its next await: subscribe to the streams there and no
   * record is missed.
   */
  static async start(fileOrSpec: string | MachineSpec, options: MachineOptions = {}): Promise<Machine> {
    const spec = await loadMachineFor(fileOrSpec, options);
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const stopAt = options.for !== undefined ? toNs(options.for, 'for') : Infinity;
    // The monitor session behind runFor does not yet follow the CPU onto guest-thread workers (cpu.threads).
    const session = spec.cpu.threads > 0 ? undefined : { monitor: true };
    const core = await Core.start(spec, { stopAt, stopReason: 'for', trace: options.log !== undefined, holdForInput: true, startGate: gate, session });
    const m = new Machine(core, spec, options);
    setImmediate(open);
    return m;
  }

  /** Machine time now (ns). */
  get now(): number {
    return this.core.control.now;
  }

  /** Every trace record (docs/trace.md), typed by kind: narrow with ofKind() / isKind(). */
  get trace$(): Observable<AnyRecord> {
    return this.tap.stream([]);
  }

  /** Records of the named kinds or patterns (`irq.*`), as --log-filter kind= takes them. */
  records$(...kinds: readonly string[]): Observable<AnyRecord> {
    return this.tap.stream(kinds.length ? [`kind=${kinds.join(',')}`] : []);
  }

  /** Level changes of an IRQ wire, by its input's name ("pic1.ir0", "cpu.intr"; patterns such as "pic2.*" too). */
  irq$(line: string): Observable<IrqLevelRecord> {
    return this.tap.stream<IrqLevelRecord>(['kind=irq.level', `line=${line}`]);
  }

  /** Port reads and writes by the CPU: one port, a [first, last] range, or every port of a device ("pit"). */
  io$(target: number | readonly [number, number] | string): Observable<IoRecord> {
    if (typeof target === 'string') return this.tap.stream<IoRecord>(['kind=io.read,io.write'], (r) => r.device === target);
    const [lo, hi] = typeof target === 'number' ? [target, target] : target;
    return this.tap.stream<IoRecord>(['kind=io.read,io.write', `port=${lo}-${hi}`]);
  }

  /** Exceptions the CPU raised (cpu.exception), double and triple faults. */
  get exceptions$(): Observable<ExceptionRecord> {
    return this.tap.stream<ExceptionRecord>([`kind=${EXCEPTION_KINDS.join(',')}`]);
  }

  /** The screen at every VGA frame (60 Hz of machine time, when something changed). */
  get screen$(): Observable<Screen> {
    return this.screens.asObservable();
  }

  /** The screen now (the last frame). */
  screen(): Screen {
    return this.snapshot();
  }

  /** Text a UART transmits, as it arrives (UTF-8 decoded); `device` defaults to the first UART. */
  serial$(device?: string): Observable<string> {
    const name = device ?? this.spec.devices.find((d) => this.core.modules.get(d.name)?.kind === 'uart16550')?.name;
    if (name === undefined || !this.spec.devices.some((d) => d.name === name)) {
      throw new Error(`serial$(${device === undefined ? '' : JSON.stringify(device)}): ${this.spec.name} has no such serial port (devices: ${this.spec.devices.map((d) => d.name).join(', ')})`);
    }
    return this.events$(name, 'tx').pipe(map((e) => this.decode(name, e.payload as number)));
  }

  /** Events a device emits to its front-end (`ctx.emit(channel, payload)`): VGA frames, UART bytes, a user device's own. */
  events$(device: string, channel?: string): Observable<DeviceEvent> {
    return new Observable<DeviceEvent>((subscriber) => {
      const sub: Subscription = this.core.events$.subscribe({
        next: (e) => { if (e.device === device && (channel === undefined || e.channel === channel)) subscriber.next(e); },
        complete: () => subscriber.complete(),
      });
      return () => sub.unsubscribe();
    });
  }

  /**
   * Type `text` on the keyboard (US layout), key after key as --type does. Called right after
   * `await m.ready`, the keys start at the machine time the kernel became ready (deterministic in
   * virtual time); later, from the CPU's next instruction boundary.
   */
  type(text: string): void {
    const keyboard = this.spec.devices.find((d) => this.core.modules.get(d.name)?.input === 'keyboard');
    if (!keyboard) throw new Error(`type(): ${this.spec.name} has no keyboard (a device with input: keyboard, e.g. i8042)`);
    const typed = typeText(text);
    if (typed.unknown.length) throw new Error(`type(): a US keyboard cannot type ${JSON.stringify(typed.unknown.join(''))}`);
    this.core.input(keyboard.name, typed.events);
    this.release();
    void this.resume();
  }

  /**
   * Wait until `text` is on the screen (or `predicate(screen)` holds), at most `timeout` of machine
   * time from now. Rejects with an UntilError when the time passes or the machine stops first.
   */
  until(target: string | ((screen: Screen) => boolean), timeout: Duration = Infinity): Promise<Screen> {
    const limit = this.now + (timeout === Infinity ? Infinity : toNs(timeout, 'timeout'));
    const test = typeof target === 'string' ? (s: Screen) => s.rows.some((row) => row.includes(target)) : target;
    const what = typeof target === 'string' ? JSON.stringify(target) : 'the predicate';
    void this.resume();
    return new Promise<Screen>((resolve, reject) => {
      const check = (): boolean => {
        const s = this.snapshot();
        if (test(s)) return finish(() => resolve(s));
        if (this.now >= limit) return finish(() => reject(new UntilError(`until(${what}): not on the screen after ${timeout} of machine time`, s, 'timeout')));
        return false;
      };
      const finish = (settle: () => void): true => {
        sub.unsubscribe();
        clearInterval(timer);
        settle();
        return true;
      };
      const sub = this.core.events$.subscribe({
        next: (e) => { if (e.channel === 'frame') check(); },
        complete: () => {
          if (!check()) finish(() => reject(new UntilError(`until(${what}): the machine stopped first`, this.snapshot(), 'stopped')));
        },
      });
      // Machine time passes without frames too (a halted CPU, a blank screen).
      const timer = setInterval(check, 5);
      check();
    });
  }

  /**
   * Run exactly `duration` more machine time, then hold the CPU there (Renode's RunFor, the
   * monitor's run-to): the screen, streams and `now` stay at that instant until type(), until(),
   * runFor() or stop(). Resolves with the machine time reached; earlier if the machine stops first.
   */
  async runFor(duration: Duration): Promise<number> {
    const ns = toNs(duration, 'runFor');
    const host = this.core.host;
    if (!host) throw new Error(`runFor needs the monitor, which does not yet support machines with guest threads (cpu.threads: ${this.spec.cpu.threads} in ${this.spec.file}); use until() or the 'for' start option instead`);
    this.release();
    const run = async (): Promise<number> => {
      // Hold first, so that "from now" is one exact instant, then run to it plus the duration.
      const here = (await host.request({ op: 'stop' })) as { t: number };
      this.paused = true;
      if (ns === 0) return here.t;
      const there = (await host.request({ op: 'run-to', t: here.t + ns })) as { t: number };
      return there.t;
    };
    const stopped = this.result.then(() => this.now);
    return Promise.race([run().catch(() => stopped), stopped]); // a machine that stops first: its last time
  }

  /** A CPU held by runFor goes on (type, until and runFor call this first). */
  private async resume(): Promise<void> {
    if (!this.paused) return;
    this.paused = false;
    await this.core.host!.request({ op: 'cont' }).catch(() => undefined); // a stopped machine: nothing to resume
  }

  /** Stop at the CPU's next instruction boundary; resolves with the result once everything is delivered. */
  stop(): Promise<MachineResult> {
    this.core.stop();
    return this.result;
  }

  private release(): void {
    if (!this.held) return;
    this.held = false;
    this.core.releaseInput();
  }

  private snapshot(): Screen {
    const rows = Array.from({ length: 25 }, (_, r) => this.model.rowText(r).replace(/ +$/, ''));
    return { t: Math.max(this.lastFrame, 0), text: this.model.text(), rows };
  }

  private decode(device: string, byte: number): string {
    let d = this.decoder.get(device);
    if (!d) this.decoder.set(device, (d = new TextDecoder()));
    return d.decode(new Uint8Array([byte]), { stream: true });
  }
}

export type { TraceRecord };
