// `actorpc qtest FILE [--socket PATH]`: the machine from FILE with the qtest driver in the CPU's
// place (no guest, virtual time), speaking QEMU's qtest protocol on stdin/stdout or to one client
// of a Unix socket. This thread only moves lines: each command line goes to the driver actor as a
// message, its replies and IRQ lines come back on Machine.qtest$ and are written out as they are.
// The session ends when the input ends (EOF, the client hangs up), a device exits or one fails.
import { existsSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { loadMachine } from '../config/load.js';
import type { MachineSpec } from '../config/spec.js';
import { Machine, type MachineResult } from '../machine.js';
import { openTraceLog, type TraceLog } from '../trace-log.js';
import type { RunArgs } from './args.js';
import { EXIT_FAILURE, EXIT_OK, UsageError } from './usage.js';

interface Session {
  close(): void;
}

/** Time is virtual whatever FILE says. (No front-ends are made: the protocol owns stdout.) */
export function qtestSpec(spec: MachineSpec): MachineSpec {
  return { ...spec, time: { ...spec.time, mode: 'virtual' } };
}

export async function qtestCommand(args: RunArgs): Promise<number> {
  const spec = qtestSpec(await loadMachine(args.file!));
  if (args.socket !== undefined && existsSync(args.socket)) {
    throw new UsageError(`--socket ${args.socket}: that path exists. Remove it (a socket left by an earlier session?) or choose another path.`);
  }
  const tracing = args.log !== undefined || args.pretty;
  const machine = await Machine.start(spec, { driver: 'qtest', trace: tracing });
  let log: TraceLog | undefined;
  let session: Session | undefined;
  try {
    if (tracing) log = openTraceLog(machine.trace$, { file: args.log, pretty: args.pretty, filter: args.logFilter });
    session = args.socket !== undefined ? await listen(machine, args.socket) : converse(machine, process.stdin, process.stdout);
    return exitStatus(await machine.result!);
  } finally {
    session?.close();
    await log?.close();
  }
}

/** Lines from `input` to the driver, its output to `output`; the end of the input ends the session. */
export function converse(machine: Machine, input: Readable, output: Writable): Session {
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    machine.endQtest();
  };
  const replies = machine.qtest$.subscribe((text) => output.write(text));
  const lines = createInterface({ input, crlfDelay: Infinity, terminal: false });
  lines.on('line', (line) => { if (!ended) machine.qtest(line); });
  lines.on('close', end);
  void machine.result!.then(() => { ended = true; });
  return {
    close() {
      ended = true;
      replies.unsubscribe();
      lines.close();
    },
  };
}

/** Serve the first client that connects to a Unix socket at `path` (removed again at the end). */
async function listen(machine: Machine, path: string): Promise<Session> {
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new UsageError(`--socket ${path}: cannot listen there: ${err.message}`)));
    server.listen(path, resolve);
  });
  process.stderr.write(`actorpc: qtest listening on ${path}\n`);
  let session: Session | undefined;
  server.once('connection', (socket) => {
    server.close(); // one client per session, as QEMU's qtest chardev
    socket.on('error', () => socket.destroy());
    session = converse(machine, socket, socket);
    void machine.result!.then(() => socket.end());
  });
  return {
    close() {
      session?.close();
      server.close();
      rmSync(path, { force: true });
    },
  };
}

function exitStatus(result: MachineResult): number {
  if (result.crash) {
    process.stderr.write(`actorpc: actor "${result.crash.actor}" crashed: ${result.crash.error}\nA device model threw (a bug in the model, not something the commands did); the session ended.\n`);
    return EXIT_FAILURE;
  }
  if (result.reason === 'exit') return result.status;
  return EXIT_OK;
}
