// A whole machine (actors on worker threads, virtual time): the --log file written from the rings
// is the NDJSON of the records trace$ delivers, line for line, and two runs write the same bytes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TraceRecord } from '../../bus/trace.js';
import { loadMachine } from '../../machine/config/load.js';
import { parseLogFilter } from '../../machine/log-filter.js';
import { Machine } from '../../machine/machine.js';
import { openTraceLog } from '../../machine/trace-log.js';
import { configPath, virtual } from '../support/machine.js';
import { tempDirs } from '../support/temp.js';

async function run(file: string, filter: string[] = []): Promise<{ objects: TraceRecord[]; text: string; written: number }> {
  let spec = virtual(await loadMachine(configPath('posts/post-07.yaml')));
  spec = { ...spec, devices: spec.devices.map((d) => ({ ...d, adapter: d.adapter ? 'headless' : undefined })) };
  const m = await Machine.start(spec, { trace: true, stopAt: 300e6, stopReason: 'for' });
  const objects: TraceRecord[] = [];
  m.trace$.subscribe((r) => objects.push(r));
  const log = openTraceLog(m.trace$, { file, pretty: false, filter: parseLogFilter(filter) });
  const result = await m.result!;
  await log.close();
  expect(result.reason).toBe('for');
  return { objects, text: readFileSync(file, 'utf8'), written: log.written() };
}

const temp = tempDirs('actorpc-machine-log-');

describe('--log on a running machine', () => {
  it('writes the NDJSON of every record trace$ delivers, and the same bytes in a second run', async () => {
    const dir = temp.make();
    const a = await run(join(dir, 'a.ndjson'));
    expect(a.objects.length).toBeGreaterThan(100); // boot, then timer interrupts (18.2 Hz) for the rest of 300 ms
    expect(a.objects.some((r) => r.kind === 'cpu.int' && r.vector === 32)).toBe(true);
    expect(a.written).toBe(a.objects.length);
    expect(a.text).toBe(a.objects.map((r) => JSON.stringify(r) + '\n').join(''));
    const b = await run(join(dir, 'b.ndjson'));
    expect(b.text).toBe(a.text);
  });

  it('with --log-filter, writes the records the filter keeps', async () => {
    const dir = temp.make();
    const spec = ['kind=irq.*,pic.*,io.*', 'port=0x20-0x21,0x40-0x43'];
    const { objects, text } = await run(join(dir, 'f.ndjson'), spec);
    const filter = parseLogFilter(spec);
    const kept = objects.filter(filter);
    expect(kept.length).toBeGreaterThan(10);
    expect(text).toBe(kept.map((r) => JSON.stringify(r) + '\n').join(''));
  });
});
