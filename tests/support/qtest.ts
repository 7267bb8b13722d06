// qtest clients for tests. QtestSession runs the real `actorpc qtest FILE` (compiled; build first)
// with piped stdin/stdout and converses with it a command at a time, as libqtest does; runQtest
// pipes a whole session and waits for the exit; inlineDriver hosts the interpreter on the test's
// thread (every device inline). Nothing here waits on a wall clock: a reply, a line on stderr or
// the process's exit is the readiness, and vitest's test timeout the only backstop.
import { afterEach, expect } from 'vitest';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { ControlBlock, Tracer } from '../../bus/control.js';
import { allocateInputRing } from '../../bus/input-ring.js';
import { allocateLineLevels } from '../../bus/irq.js';
import { PhysicalMemory } from '../../bus/memory.js';
import { allocateRing } from '../../bus/trace-ring.js';
import { assembleBus, planBus } from '../../machine/actors/bus-assembly.js';
import { QtestDriver } from '../../machine/actors/qtest-driver.js';
import { loadMachine } from '../../machine/config/load.js';
import { loadDeviceModule } from '../../machine/device-registry.js';
import { ROOT } from './cli.js';
import { reaped } from './children.js';

export interface Answer {
  /** The reply: "OK", "OK 0x01", "FAIL reason", "ERR reason". */
  readonly reply: string;
  /** Asynchronous IRQ lines that came before the reply. */
  readonly irqs: string[];
}

type Waiter = { resolve: (a: Answer) => void; reject: (e: Error) => void };

export class QtestSession {
  private readonly child: ChildProcessWithoutNullStreams;
  private pending = '';
  private irqs: string[] = [];
  /** Lines that came when no command was waiting (there should be none). */
  readonly unexpected: string[] = [];
  private waiting: Waiter[] = [];
  /** writeUntil's: takes replies no `cmd` waits for, until `last` says so. */
  private collector: { answers: Answer[]; last: (reply: string) => boolean; resolve: (a: Answer[]) => void; reject: (e: Error) => void } | undefined;
  private exitCode: number | null | undefined;
  /** The signal that killed the process, if one did (then the status is null). */
  signal: NodeJS.Signals | null = null;
  stderr = '';
  /** The exit status (null when a signal killed it). */
  readonly exited: Promise<number | null>;

  constructor(args: readonly string[] = ['config/pc.yaml']) {
    this.child = reaped(spawn(process.execPath, ['bin/actorpc.js', 'qtest', ...args], { cwd: ROOT }));
    this.child.stdout.setEncoding('utf8').on('data', (chunk: string) => this.receive(chunk));
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => { this.stderr += chunk; });
    this.child.stdin.on('error', () => {}); // a session that ended already: its exit says why
    // 'close': stdout is read to its end, so every reply is in before waiters are failed.
    this.exited = new Promise((resolve) => this.child.on('close', (code, signal) => {
      this.exitCode = code;
      this.signal = signal;
      for (const w of this.waiting.splice(0)) w.reject(this.gone());
      this.collector?.reject(this.gone());
      resolve(this.exitCode);
    }));
  }

  /** Send one command line and wait for its reply (and the IRQ lines before it). */
  cmd(line: string): Promise<Answer> {
    const [answer] = this.expect(1);
    this.child.stdin.write(line + '\n');
    return answer;
  }

  /** Send commands in order and return their replies (the IRQ lines dropped). */
  async send(...lines: string[]): Promise<string[]> {
    const out: string[] = [];
    for (const l of lines) out.push((await this.cmd(l)).reply);
    return out;
  }

  /** Write `text` as it is (several lines at once, or part of one) and expect `replies` replies to it. */
  write(text: string, replies: number): Promise<Answer[]> {
    const answers = this.expect(replies);
    this.child.stdin.write(text);
    return Promise.all(answers);
  }

  /**
   * Write `text` as it is and collect every reply until one for which `last` is true (that one
   * included), however many there are: for checking that each line got exactly one.
   */
  writeUntil(text: string, last: (reply: string) => boolean): Promise<Answer[]> {
    const answers = new Promise<Answer[]>((resolve, reject) => {
      if (this.exitCode !== undefined) reject(this.gone());
      else this.collector = { answers: [], last, resolve, reject };
    });
    this.child.stdin.write(text);
    return answers;
  }

  /** Send a signal to the process. */
  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** End the input (EOF) and wait for the process to exit. */
  async close(): Promise<number | null> {
    this.child.stdin.end();
    return this.exited;
  }

  private expect(n: number): Array<Promise<Answer>> {
    return Array.from({ length: n }, () => new Promise<Answer>((resolve, reject) => {
      if (this.exitCode !== undefined) reject(this.gone());
      else this.waiting.push({ resolve, reject });
    }));
  }

  private gone(): Error {
    return new Error(`actorpc qtest exited (status ${this.exitCode}, signal ${this.signal}) before replying; stderr: ${this.stderr}`);
  }

  private receive(chunk: string): void {
    this.pending += chunk;
    let nl: number;
    while ((nl = this.pending.indexOf('\n')) >= 0) {
      const line = this.pending.slice(0, nl);
      this.pending = this.pending.slice(nl + 1);
      if (line.startsWith('IRQ ')) {
        this.irqs.push(line);
        continue;
      }
      const answer = { reply: line, irqs: this.irqs };
      this.irqs = [];
      const waiter = this.waiting.shift();
      const collector = this.collector;
      if (waiter) waiter.resolve(answer);
      else if (collector) {
        collector.answers.push(answer);
        if (collector.last(line)) {
          this.collector = undefined;
          collector.resolve(collector.answers);
        }
      } else this.unexpected.push(line);
    }
  }
}

/**
 * One qtest session per test: `open()` starts it, and after each test it is closed and must
 * have ended with status 0.
 */
export function qtestSessions(): (args?: readonly string[]) => QtestSession {
  let session: QtestSession | undefined;
  afterEach(async () => {
    if (session) expect(await session.close()).toBe(0);
    session = undefined;
  });
  return (args) => (session = new QtestSession(args));
}

export interface QtestRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `actorpc qtest ARGS` with `input` piped to it; resolves when it exits. */
export function runQtest(input: string, args: readonly string[] = ['config/pc.yaml']): Promise<QtestRun> {
  return runActorpc(['qtest', ...args], input);
}

/** `actorpc ARGS` (any command) with `input` on its stdin; resolves when it exits. */
export function runActorpc(args: readonly string[], input = ''): Promise<QtestRun> {
  const child = reaped(spawn(process.execPath, ['bin/actorpc.js', ...args], { cwd: ROOT }));
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  child.stdin.on('error', () => {});
  child.stdin.end(input);
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

/**
 * The interpreter on this thread over FILE's devices, all placed inline (no workers, no
 * process): `stopping` stands for the actor's stop request.
 */
export async function inlineDriver(file: string, stopping?: () => boolean): Promise<QtestDriver> {
  const loaded = await loadMachine(file);
  const spec = { ...loaded, devices: loaded.devices.map((d) => ({ ...d, placement: 'inline' as const })) };
  const modules = new Map(await Promise.all(spec.devices.map(async (d) => [d.name, await loadDeviceModule(d.module)] as const)));
  const tracer = new Tracer(ControlBlock.allocate(), allocateRing(1 << 12));
  const memory = new PhysicalMemory(new SharedArrayBuffer(spec.memoryBytes));
  const parts = {
    spec, ...planBus(spec, modules), mailboxes: spec.devices.map(() => null), inputRings: spec.devices.map(() => allocateInputRing(1024)),
    lineLevels: allocateLineLevels(spec.wires.length),
  };
  const { bus } = await assembleBus(parts, memory, tracer, () => {});
  const driver = new QtestDriver(bus, memory, spec.devices.map((d) => ({ name: d.name, module: modules.get(d.name)! })), tracer, stopping);
  driver.start();
  return driver;
}
