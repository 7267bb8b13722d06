// The input ring's overflow path: what does not fit waits on the writer's thread and reaches the
// reader within the same drain, in order — the reader on its own thread, as a device's shell is.
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { allocateInputRing, InputRingWriter, type QueuedInput } from '../../bus/input-ring.js';
import { ROOT } from '../support/cli.js';

const READER = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.module).then(({ InputRingReader }) => {
  const reader = new InputRingReader(workerData.sab);
  parentPort.on('message', () => parentPort.postMessage(reader.drain()));
  parentPort.postMessage('ready');
});`;

let worker: Worker | undefined;
afterEach(async () => {
  await worker?.terminate();
  worker = undefined;
});

function readerThread(sab: SharedArrayBuffer): Promise<{ drain(): Promise<QueuedInput[]> }> {
  const module = pathToFileURL(join(ROOT, 'dist', 'bus', 'input-ring.js')).href;
  const w = new Worker(READER, { eval: true, workerData: { sab, module } });
  worker = w;
  const next = () => new Promise<any>((resolve, reject) => { w.once('message', resolve); w.once('error', reject); });
  return next().then(() => ({ drain: () => { const p = next(); w.postMessage('drain'); return p; } }));
}

describe('input ring', () => {
  it('a writer given ten times what the ring holds never throws; one drain on the reader gets every event in order', async () => {
    const sab = allocateInputRing(4096);
    const reader = await readerThread(sab);
    const writer = new InputRingWriter(sab);
    const events: QueuedInput[] = Array.from({ length: 1000 }, (_, i) => ({ key: `K${i}`, down: i % 2 === 0, delay: i * 1000 }));
    for (const e of events) writer.push(e);
    expect(writer.pending).toBeGreaterThan(0); // it did not all fit
    const got = await reader.drain();
    expect(got.map((e) => e.key)).toEqual(events.map((e) => e.key));
    expect(got[999]).toEqual({ key: 'K999', down: false, at: undefined, delay: 999_000, bytes: undefined });
    expect(writer.pending).toBe(0);
  });

  it('serial input larger than the ring arrives whole, split into records of the same time', async () => {
    const sab = allocateInputRing(4096);
    const reader = await readerThread(sab);
    const writer = new InputRingWriter(sab);
    const bytes = Array.from({ length: 50_000 }, (_, i) => i & 0xff);
    writer.push({ key: '', down: true, at: 5e6, bytes });
    const got = await reader.drain();
    expect(got.every((e) => e.at === 5e6)).toBe(true);
    expect(got.flatMap((e) => e.bytes ?? [])).toEqual(bytes);
  });
});
