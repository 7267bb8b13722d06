// SIGINT, SIGTERM and SIGHUP stop a headless run the ordinary way: the machine is stopped, the
// final screen printed, the --log completed to its last record, exit status 128 + signo.
import { execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { start, tempDirs } from './spawn.js';

const temp = tempDirs();
afterAll(() => temp.cleanup());

// post-07 in virtual time without --for runs until someone stops it (timer dots forever).
const FOREVER = ['run', 'config/posts/post-07.yaml', '--headless', '--time', 'virtual'];

describe('signals stop a headless run', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)('%s stops the machine, prints the final screen and the last trace record, exit %i', async (sig, status) => {
    // --pretty writes each record to stderr as it comes. The second timer EOI is a PIT period
    // (55 ms of machine time) after interrupts came on, and "Hello World!" was printed before
    // that: the VGA scans at 60 Hz, so a frame showing it is on its way before the stop.
    const r = start([...FOREVER, '--pretty', '--log-filter', 'kind=machine.*,pic.eoi']);
    await r.waitFor('stderr', /pic\.eoi[\s\S]*pic\.eoi/);
    r.child.kill(sig);
    const end = await r.exited;
    expect(end).toEqual({ status, signal: null });
    const rows = r.stdout.split('\n');
    expect(rows).toHaveLength(26); // the final screen: 25 rows and the last newline
    expect(r.stdout).toContain('Hello World!');
    expect(r.stderr).toMatch(/machine\.stop[^\n]*reason[^\n]*stop/);
    expect(r.stderr).toContain(`actorpc: ${sig}: the machine was stopped at t=`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('the NDJSON --log ends with a complete machine.stop record after SIGINT (a FIFO read as it is written)', async () => {
    const fifo = join(temp.make(), 'trace.fifo');
    execFileSync('mkfifo', [fifo]);
    const r = start([...FOREVER, '--log', fifo]);
    let log = '';
    const reader = createReadStream(fifo, { encoding: 'utf8' });
    const firstData = new Promise<void>((resolve) => reader.once('data', () => resolve()));
    reader.on('data', (d) => { log += d; });
    const logEnded = new Promise<void>((resolve) => reader.on('end', () => resolve()));
    await firstData; // records are flowing: the machine runs
    r.child.kill('SIGINT');
    const end = await r.exited;
    await logEnded;
    expect(end.status).toBe(130);
    expect(log.endsWith('\n')).toBe(true);
    const lines = log.trimEnd().split('\n');
    const last = JSON.parse(lines[lines.length - 1]);
    expect(last).toMatchObject({ kind: 'machine.stop', reason: 'stop' });
    expect(lines.every((l) => JSON.parse(l).v === 2)).toBe(true);
  });
});
