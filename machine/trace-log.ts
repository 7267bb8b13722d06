// --log: trace records as NDJSON through pino (one record per line, exactly the schema-v1
// object), or through pino-pretty for people (--pretty).
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
  let logger: Logger;
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
    logger = pino({ base: undefined, timestamp: false, messageKey: 'kind' }, stream);
    finish = () => new Promise((resolve) => { stream.end(); stream.once('finish', () => resolve()); setTimeout(resolve, 500); });
  } else {
    const dest = pino.destination({ dest: opts.file ?? 2, sync: false, minLength: 64 * 1024, mkdir: true });
    logger = pino({ base: undefined, timestamp: false, formatters: { level: () => ({}) } }, dest);
    finish = () => new Promise((resolve) => {
      dest.flushSync();
      dest.end();
      resolve();
    });
  }
  const sub: Subscription = trace$.pipe(filter(opts.filter)).subscribe((r) => {
    count++;
    logger.info(r);
  });
  return {
    written: () => count,
    async close() {
      sub.unsubscribe();
      await finish();
    },
  };
}
