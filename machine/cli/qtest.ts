// `actorpc qtest FILE [--socket PATH]`: the machine from FILE with the qtest driver in the CPU's
// place (no guest, virtual time), speaking QEMU's qtest protocol on stdin/stdout or to one client
// of a Unix socket. This thread only moves lines: every complete line read so far goes to the
// driver actor as one batch message, and each batch's replies and IRQ lines come back on
// Machine.qtest$ as one chunk, written out as it is. The session ends when the input ends (EOF, the
// client hangs up), a device exits or one fails; SIGINT/SIGTERM/SIGHUP stop it at once.
import { lstatSync, rmSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { MAX_LINE } from '../actors/qtest-syntax.js';
import { loadMachine } from '../config/load.js';
import { FLAG_LABEL, flagOverrides } from './machine-flags.js';
import type { MachineSpec } from '../config/spec.js';
import { crashText, Machine, type MachineResult } from '../machine.js';
import type { TraceLog } from '../trace-log.js';
import type { RunArgs } from './args.js';
import { StopSignals } from './signals.js';
import { EXIT_FAILURE, EXIT_OK, UsageError } from './usage.js';

interface Session {
  close(): void;
}

/** Batches sent to the driver and not yet answered, at most: past it, reading pauses. */
const MAX_IN_FLIGHT = 4;

/** Time is virtual whatever FILE says. (No front-ends are made: the protocol owns stdout.) */
export function qtestSpec(spec: MachineSpec): MachineSpec {
  return { ...spec, time: { ...spec.time, mode: 'virtual' } };
}

export async function qtestCommand(args: RunArgs): Promise<number> {
  const spec = qtestSpec(await loadMachine(args.file!, flagOverrides(args), FLAG_LABEL));
  if (args.socket !== undefined) await claimSocketPath(args.socket);
  const tracing = args.log !== undefined || args.pretty;
  // Loaded before the machine starts: the log opens right after, before the hub's first drain.
  const traceLog = tracing ? await import('../trace-log.js') : undefined;
  const machine = await Machine.start(spec, { driver: 'qtest', trace: tracing });
  let log: TraceLog | undefined;
  let session: Session | undefined;
  // A signal stops the machine (a long clock_step is cut short between deadlines) and the normal
  // end below cleans up: status 128 + its number. A second one exits at once (listen's exit hook
  // still removes a socket nobody has connected to).
  const signals = new StopSignals(() => machine.stop()).install();
  try {
    if (traceLog) log = traceLog.openTraceLog(machine.trace$, { file: args.log, pretty: args.pretty, filter: args.logFilter });
    session = args.socket !== undefined ? await listen(machine, args.socket) : converse(machine, process.stdin, process.stdout);
    const result = await machine.result!;
    return signals.status ?? exitStatus(result);
  } finally {
    signals.uninstall();
    session?.close();
    await log?.close();
  }
}

/**
 * Lines from `input` to the driver, its output to `output`. The end of the input ends the
 * session once every line sent is answered (a piped session's output never depends on timing);
 * on a terminal, Ctrl-D also cuts a running command short, and so does losing the output.
 * `silentEnd`: an input that ends before sending a byte was no session (a probe): call it instead.
 */
export function converse(machine: Machine, input: Readable, output: Writable, silentEnd?: () => void): Session {
  const lines = new LineSplitter(MAX_LINE);
  let ended = false;
  let spoke = false;
  let inFlight = 0;
  const pace = () => {
    if (ended) return;
    if (inFlight >= MAX_IN_FLIGHT || output.writableNeedDrain) input.pause();
    else input.resume();
  };
  const send = (batch: string[]) => {
    if (ended || batch.length === 0) return;
    inFlight++;
    machine.qtest(batch.join('\n'));
    pace();
  };
  const end = (interrupt: boolean) => {
    if (!spoke && silentEnd) {
      session.close();
      silentEnd();
      return;
    }
    if (!ended) {
      send(lines.end());
      ended = true;
      machine.endQtest();
    }
    if (interrupt) machine.stop();
  };
  const replies = machine.qtest$.subscribe((text) => {
    inFlight--;
    if (text && output.writable) output.write(text);
    pace();
  });
  output.on('drain', pace);
  output.on('error', () => end(true)); // EPIPE: nobody reads the replies any more
  input.setEncoding('utf8');
  input.on('data', (chunk: string) => {
    spoke = true;
    send(lines.push(chunk));
  });
  input.on('end', () => end((input as { isTTY?: boolean }).isTTY === true));
  input.on('error', () => end(true));
  void machine.result!.then(() => { ended = true; });
  const session = {
    close() {
      ended = true;
      replies.unsubscribe();
      input.pause();
    },
  };
  return session;
}

/**
 * Splits text into lines (LF or CRLF). A line longer than `max` is cut to its first max + 1
 * characters, so the driver can refuse it without this thread holding an endless line.
 */
export class LineSplitter {
  private partial = '';
  private overlong = false;

  constructor(private readonly max: number) {}

  push(chunk: string): string[] {
    const out: string[] = [];
    let start = 0;
    for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', start)) {
      out.push(this.take(chunk.slice(start, nl)));
      start = nl + 1;
    }
    this.add(chunk.slice(start));
    return out;
  }

  /** The last line, if the input did not end with a newline. */
  end(): string[] {
    return this.partial === '' && !this.overlong ? [] : [this.take('')];
  }

  private add(text: string): void {
    if (this.overlong) return;
    this.partial += text;
    if (this.partial.length > this.max) {
      this.partial = this.partial.slice(0, this.max + 1);
      this.overlong = true;
    }
  }

  private take(rest: string): string {
    this.add(rest);
    const line = this.partial.endsWith('\r') ? this.partial.slice(0, -1) : this.partial;
    this.partial = '';
    this.overlong = false;
    return line;
  }
}

/**
 * Make sure `path` is free for a new socket: nothing there, or a socket left by a session that
 * ended without removing it (nobody answers on it), which is removed. Anything else: exit 2.
 */
async function claimSocketPath(path: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch {
    return; // nothing there
  }
  if (!isSocket) throw new UsageError(`--socket ${path}: that path exists and is not a socket. Remove it or choose another path.`);
  const listening = await new Promise<boolean | Error>((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => { probe.destroy(); resolve(true); });
    probe.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED' || err.code === 'ENOENT' ? false : err));
  });
  if (listening === true) {
    throw new UsageError(`--socket ${path}: something is listening on that socket (another actorpc qtest session?). Stop it, or choose another path.`);
  }
  if (listening instanceof Error) throw new UsageError(`--socket ${path}: cannot check the socket there: ${listening.message}`);
  rmSync(path, { force: true }); // stale: left by a session that was killed
}

/**
 * Serve one client on a Unix socket at `path`, which stays there until the session ends (so a
 * second session cannot take the path) and is removed on every way out. The client is the first
 * connection that sends something; one that hangs up silently (another session probing the path)
 * is forgotten, and connections while a client is served are refused.
 */
async function listen(machine: Machine, path: string): Promise<Session> {
  const server: Server = createServer({ allowHalfOpen: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new UsageError(`--socket ${path}: cannot listen there: ${err.message}`)));
    server.listen(path, resolve);
  });
  // Closing the server removes the file; an exit that skips that (process.exit) removes it here.
  let listening = true;
  const removeOnExit = () => { if (listening) rmSync(path, { force: true }); };
  const stopListening = () => {
    if (!listening) return;
    listening = false;
    server.close();
    process.off('exit', removeOnExit);
  };
  process.on('exit', removeOnExit);
  process.stderr.write(`actorpc: qtest listening on ${path}\n`);
  let session: Session | undefined;
  server.on('connection', (socket) => {
    socket.on('error', () => socket.destroy());
    if (session) {
      socket.destroy(); // one client per session, as QEMU's qtest chardev
      return;
    }
    // The client's end of input (a half-close) is EOF: every command is answered, then this end closes.
    session = converse(machine, socket, socket, () => {
      session = undefined;
      socket.destroy();
    });
    void machine.result!.then(() => socket.end());
  });
  return {
    close() {
      session?.close();
      stopListening();
    },
  };
}

function exitStatus(result: MachineResult): number {
  if (result.crash) {
    process.stderr.write(`actorpc: ${crashText(result.crash)}\nA device model threw (a bug in the model, not something the commands did); the session ended.\n`);
    return EXIT_FAILURE;
  }
  if (result.reason === 'exit') return result.status;
  return EXIT_OK;
}
