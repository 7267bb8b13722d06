// The byte end of --log: a failure is one line, said once; close() always resolves, also when a
// FIFO's reader stops reading or never comes (bounded by the stall limit, here 100 ms).
import { spawn } from 'node:child_process';
import { closeSync, constants, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LogWriter } from '../../machine/log-writer.js';
import { hasOpen, makeFifo } from './fifo.js';
import { tempDirs } from '../support/temp.js';

const temp = tempDirs('actorpc-log-writer-');
const tmp = () => temp.make();

describe('LogWriter', () => {
  it('writes chunks in order, joins small ones, and hands buffers back once written', async () => {
    const file = join(tmp(), 'deep', 'er', 'out.txt');
    const reasons: string[] = [];
    const w = new LogWriter(file, (r) => reasons.push(r));
    const handedBack: number[] = [];
    for (let i = 0; i < 1000; i++) w.write(`line ${i}\n`);
    const big = new Uint8Array(300_000).fill(0x41);
    w.write(big, () => handedBack.push(1));
    w.write('end\n');
    await w.close();
    const expected = Array.from({ length: 1000 }, (_, i) => `line ${i}\n`).join('') + 'A'.repeat(300_000) + 'end\n';
    expect(readFileSync(file, 'utf8')).toBe(expected);
    expect(handedBack).toEqual([1]);
    expect(reasons).toEqual([]);
  });

  it('a path it cannot open is one reason, and close() resolves', async () => {
    const dir = tmp();
    const reasons: string[] = [];
    const w = new LogWriter(dir, (r) => reasons.push(r)); // a directory
    w.write('x\n');
    await w.close();
    expect(reasons).toEqual(['it is a directory (EISDIR)']);
    const file = join(dir, 'plain');
    writeFileSync(file, '');
    const w2 = new LogWriter(join(file, 'under', 'it.log'), (r) => reasons.push(r)); // a file in the way
    await w2.close();
    expect(reasons[1]).toMatch(/ENOTDIR|EEXIST/);
  });

  it('a FIFO whose reader stops reading: close() gives up after the stall limit and says so', async () => {
    const path = makeFifo(tmp());
    // The shell opens the FIFO for reading and then never reads.
    const reader = spawn('sh', ['-c', `exec sleep 60 < "${path}"`], { stdio: 'ignore' });
    try {
      const reasons: string[] = [];
      const w = new LogWriter(path, (r) => reasons.push(r), undefined, 100);
      w.write(new Uint8Array(1 << 20)); // more than the pipe holds
      await hasOpen(reader.pid!, path);
      await hasOpen(process.pid, path); // the writer has the FIFO open too: now only the stall is left
      await w.close();
      expect(reasons).toEqual(['the reader stopped reading: nothing could be written for 0.1 s']);
    } finally {
      reader.kill();
    }
  });

  it('asks its producer to pause while more than 32 MB wait, and lets it go on when that ends', async () => {
    const path = makeFifo(tmp());
    const reader = spawn('sh', ['-c', `exec sleep 60 < "${path}"`], { stdio: 'ignore' });
    try {
      const backlog: boolean[] = [];
      const reasons: string[] = [];
      const w = new LogWriter(path, (r) => reasons.push(r), (high) => backlog.push(high), 60_000);
      const chunk = new Uint8Array(1 << 20);
      for (let i = 0; i < 40; i++) w.write(chunk);
      expect(backlog).toEqual([true]);
      await hasOpen(reader.pid!, path);
      reader.kill(); // the reader goes away: the blocked write fails, the backlog is dropped
      await w.close();
      expect(backlog).toEqual([true, false]);
      expect(reasons).toEqual(['the reader of the FIFO went away (EPIPE)']);
    } finally {
      reader.kill();
    }
  });

  it('a FIFO nobody opens for reading: close() gives up after the stall limit and says so', async () => {
    const path = makeFifo(tmp());
    const reasons: string[] = [];
    const w = new LogWriter(path, (r) => reasons.push(r), undefined, 100);
    w.write('never read\n');
    await w.close();
    expect(reasons).toEqual(['nobody opened the FIFO for reading in 0.1 s']);
    // Let the writer's open (still waiting in the thread pool) complete, so nothing is left behind.
    closeSync(openSync(path, constants.O_RDONLY | constants.O_NONBLOCK));
  });
});

