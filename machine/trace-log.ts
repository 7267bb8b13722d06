// --log: trace records as NDJSON (one record per line, exactly the schema-v1 object, no extra
// keys). From a machine's trace$ the lines are made straight from the rings' binary records —
// no object, no JSON.stringify, no Subject per record — with --log-filter evaluated on the binary
// record too. --pretty is for people: "kind t=… seq=… src=… key=value…" per line, hardware values
// in hex (done here: pino-pretty took ≈12 µs a record; schema v2 names no field level or time, so
// pino-pretty on the NDJSON shows every field too).
//
// Write failures (a full disk, a FIFO whose reader went away) are reported once through onError;
// the log then stops writing and close() resolves at once.
import type { Observable, Subscription } from 'rxjs';
import type { TraceRecord } from '../bus/trace.js';
import { JsonOut, writeRecordJson } from '../bus/trace-json.js';
import type { TraceRingReader } from '../bus/trace-ring.js';
import { matchesRecord, type TraceFilter } from './log-filter.js';
import { LogWriter } from './log-writer.js';
import { showValue } from './analysis/numbers.js';
import { TraceStream } from './trace-hub.js';

export interface TraceLog {
  readonly written: () => number;
  close(): Promise<void>;
}

export interface TraceLogOptions {
  /** undefined: stderr. */
  file?: string;
  pretty: boolean;
  filter: TraceFilter;
  /** Called once, with a one-line reason, when writing fails; without it the reason goes to stderr. */
  onError?: (message: string) => void;
}

/** A buffer is handed to the writer when it holds this much, or every FLUSH_MS. */
const CHUNK_BYTES = 1 << 18;
/** Output buffers: a chunk and room for the record that crosses CHUNK_BYTES. */
const BUFFER_BYTES = CHUNK_BYTES + (CHUNK_BYTES >> 2);
const POOL = 64;
const FLUSH_MS = 200;

export function openTraceLog(trace$: Observable<TraceRecord>, opts: TraceLogOptions): TraceLog {
  let count = 0;
  let stopped = false;
  const hub = trace$ instanceof TraceStream ? trace$.hub : undefined;
  let holding = false;
  const backlog = (high: boolean) => {
    if (!hub || high === holding) return;
    holding = high;
    if (high) hub.hold();
    else hub.release();
  };
  const writer = new LogWriter(opts.file, (reason) => {
    stop();
    if (opts.onError) opts.onError(reason);
    else process.stderr.write(`actorpc: trace log ${opts.file ?? '(stderr)'}: ${reason}; no more records are written.\n`);
  }, backlog);

  let detach = () => {};
  let flush: () => void;
  if (hub && !opts.pretty) {
    // Buffers go back to a pool once written (fresh large buffers cost page faults).
    const pool: Uint8Array[] = [];
    const buffer = () => pool.pop() ?? new Uint8Array(BUFFER_BYTES);
    const out = new JsonOut(BUFFER_BYTES);
    const filter = opts.filter;
    flush = () => {
      if (out.pos === 0) return;
      const chunk = out.take(buffer());
      writer.write(chunk, () => {
        if (pool.length < POOL && chunk.buffer.byteLength === BUFFER_BYTES) pool.push(new Uint8Array(chunk.buffer));
      });
    };
    detach = hub.attach({
      record(rd: TraceRingReader) {
        if (!matchesRecord(filter, rd)) return;
        count++;
        writeRecordJson(rd, out);
        if (out.pos >= CHUNK_BYTES) flush();
      },
    });
  } else {
    // Objects: --pretty, or an Observable that is not a machine's trace$.
    const color = opts.pretty && opts.file === undefined && process.stderr.isTTY === true;
    const format = opts.pretty ? (r: TraceRecord) => prettyLine(r, color) : (r: TraceRecord) => JSON.stringify(r) + '\n';
    let pending: string[] = [];
    let size = 0;
    flush = () => {
      if (pending.length) writer.write(pending.join(''));
      pending = [];
      size = 0;
    };
    const sub: Subscription = trace$.subscribe((r) => {
      if (!opts.filter(r)) return;
      count++;
      const line = format(r);
      pending.push(line);
      size += line.length;
      if (size >= CHUNK_BYTES) flush();
    });
    detach = () => sub.unsubscribe();
  }
  const timer = setInterval(() => flush(), FLUSH_MS);
  timer.unref();

  function stop(): void {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    detach();
    backlog(false);
  }

  return {
    written: () => count,
    async close() {
      if (!writer.failedAlready) flush();
      stop();
      await writer.close();
    },
  };
}

/**
 * "kind t=… seq=… src=… key=value…": ports, vectors, addresses, error codes and register values
 * in hex (machine/analysis/numbers.ts), the rest in decimal; the kind in cyan and the rest in grey
 * on a terminal.
 */
export function prettyLine(r: TraceRecord, color: boolean): string {
  const { v: _v, kind, ...rest } = r;
  const text = Object.entries(rest).filter(([, value]) => value !== undefined).map(([k, value]) => `${k}=${showValue(k, value)}`).join(' ');
  return color ? `\x1b[36m${kind}\x1b[39m \x1b[90m${text}\x1b[39m\n` : `${kind} ${text}\n`;
}
