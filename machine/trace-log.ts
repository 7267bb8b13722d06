// --log: trace records as NDJSON through pino's asynchronous destination (one record per line,
// exactly the schema-v1 object, no extra keys), or through a pino logger and pino-pretty for
// people (--pretty).
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { Observable, Subscription } from 'rxjs';
import { filter } from 'rxjs';
import type { TraceRecord } from '../bus/trace.js';
import type { TraceFilter } from './log-filter.js';

export interface TraceLog {
  readonly written: () => number;
  close(): Promise<void>;
}

export function openTraceLog(trace$: Observable<TraceRecord>, opts: { file?: string; pretty: boolean; filter: TraceFilter }): TraceLog {
  let count = 0;
  let write: (r: TraceRecord) => void;
  let flushPending = () => {};
  let finish: () => Promise<void>;
  if (opts.pretty) {
    const stream = pretty({
      destination: opts.file ?? 2,
      sync: true,
      colorize: !opts.file && process.stderr.isTTY,
      messageKey: 'kind',
      ignore: 'v,level,time',
      singleLine: true,
    });
    const logger: Logger = pino({ base: undefined, timestamp: false, messageKey: 'kind' }, stream);
    write = (r) => logger.info(r);
    finish = () => new Promise((resolve) => { stream.end(); stream.once('finish', () => resolve()); setTimeout(resolve, 500); });
  } else {
    const dest = pino.destination({ dest: opts.file ?? 2, sync: false, minLength: 8192, mkdir: true, append: false });
    // Batch lines: one destination write per 4096 records or 200 ms (a write per record costs ~2 µs).
    let pending: string[] = [];
    const timer = setInterval(() => flush(), 200);
    timer.unref();
    const flush = () => {
      if (pending.length) dest.write(pending.join(''));
      pending = [];
    };
    write = (r) => {
      pending.push(JSON.stringify(r), '\n');
      if (pending.length >= 8192) flush();
    };
    flushPending = flush;
    finish = () => new Promise((resolve) => {
      clearInterval(timer);
      flushPending();
      dest.flushSync();
      dest.end();
      resolve();
    });
  }
  const sub: Subscription = trace$.pipe(filter(opts.filter)).subscribe((r) => {
    count++;
    write(r);
  });
  return {
    written: () => count,
    async close() {
      sub.unsubscribe();
      await finish();
    },
  };
}

