// `actorpc timeline LOG.ndjson -o FILE.json`: a --log of any run (schema v2) → the Chrome trace
// timeline `run --timeline` writes (machine/analysis/timeline.ts). Read line by line: a log of
// millions of records is never one string.
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { TRACE_SCHEMA_VERSION, type TraceRecord } from '../../bus/trace.js';
import { TimelineBuilder, timelineJson } from '../analysis/timeline.js';
import { writeFileSync } from 'node:fs';
import { UsageError } from './usage.js';

export async function timelineCommand(log: string, output: string): Promise<number> {
  if (!existsSync(log)) throw new UsageError(`timeline ${log}: no such file. Give the NDJSON a run wrote with --log FILE.`);
  let builder: TimelineBuilder | undefined;
  let n = 0;
  const lines = createInterface({ input: createReadStream(log), crlfDelay: Infinity });
  for await (const line of lines) {
    n++;
    if (line.trim() === '') continue;
    let r: TraceRecord;
    try {
      r = JSON.parse(line) as TraceRecord;
    } catch {
      throw new UsageError(`timeline ${log}:${n}: not a JSON line. The file must be the NDJSON of --log (not --pretty output).`);
    }
    if (r.v !== TRACE_SCHEMA_VERSION) {
      throw new UsageError(`timeline ${log}:${n}: trace schema v${String(r.v)}, this actorpc reads v${TRACE_SCHEMA_VERSION}. Record the log again with this version (docs/trace.md lists the changes).`);
    }
    builder ??= new TimelineBuilder(r.kind === 'machine.start' ? String(r.machine) : 'machine');
    builder.add(r);
  }
  if (!builder) throw new UsageError(`timeline ${log}: the file has no records. Record one with --log FILE.`);
  writeFileSync(output, timelineJson(builder.finish()));
  process.stderr.write(`actorpc: ${output}: ${n} records → open it in https://ui.perfetto.dev or chrome://tracing\n`);
  return 0;
}
