// `actorpc qtest` through the real command: time from process start to the first reply, and the
// rate of a piped session (a PIT latch + read, 20 000 commands) once the driver is up.
// Run alone: `npm run build && node dist/bench/qtest.js`.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { printTable, summarize, type BenchRow } from './stats.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RUNS = 7;
const COMMANDS = 20_000;

export async function qtestBench(file = 'config/pc.yaml'): Promise<BenchRow[]> {
  const first: number[] = [];
  const bare: number[] = [];
  const rates: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    first.push(await firstReply(file));
    bare.push(await bareNode());
    rates.push(await commandRate(file));
  }
  const f = summarize(first);
  const b = summarize(bare);
  const r = summarize(rates);
  return [
    {
      name: 'qtest: process start → first reply (outb 0x43 0x34)', unit: 'ms', median: f.median, p99: f.p99,
      baseline: { name: 'node -e 0 (process start+exit)', median: b.median }, target: '≤ 500 ms', met: f.median <= 500,
    },
    { name: `qtest: piped commands (${COMMANDS} outb 0x43 / inb 0x40)`, unit: 'cmd/s', median: r.median, target: '≥ 50 000 /s', met: r.median >= 50_000 },
  ];
}

interface Child {
  /** Resolves once `lines` reply lines have come. */
  lines(n: number): Promise<void>;
  write(text: string): void;
  end(): Promise<void>;
}

function start(file: string): Child {
  const child = spawn(process.execPath, ['bin/actorpc.js', 'qtest', file], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  let seen = 0;
  let want = Infinity;
  let wake = () => {};
  child.stdout.on('data', (chunk: Buffer) => {
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) seen++;
    if (seen >= want) wake();
  });
  const exited = new Promise<void>((resolve, reject) => child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`actorpc qtest exited with ${code}`)))));
  return {
    lines: (n) => {
      want = n;
      return seen >= n ? Promise.resolve() : Promise.race([new Promise<void>((resolve) => { wake = resolve; }), exited.then(() => { throw new Error(`actorpc qtest ended after ${seen} of ${n} replies`); })]);
    },
    write: (text) => { child.stdin.write(text); },
    end: () => { child.stdin.end(); return exited; },
  };
}

/** ms from spawning the process to its first reply line. */
async function firstReply(file: string): Promise<number> {
  const t0 = performance.now();
  const c = start(file);
  c.write('outb 0x43 0x34\n');
  await c.lines(1);
  const dt = performance.now() - t0;
  await c.end();
  return dt;
}

async function bareNode(): Promise<number> {
  const t0 = performance.now();
  await new Promise((resolve) => spawn(process.execPath, ['-e', '0']).on('exit', resolve));
  return performance.now() - t0;
}

/** Commands per second: COMMANDS sent at once to a driver that has answered once already. */
async function commandRate(file: string): Promise<number> {
  const c = start(file);
  c.write('endianness\n');
  await c.lines(1);
  let session = '';
  for (let i = 0; i < COMMANDS / 2; i++) session += 'outb 0x43 0x00\ninb 0x40\n';
  const t0 = performance.now();
  c.write(session);
  await c.lines(1 + COMMANDS);
  const dt = performance.now() - t0;
  await c.end();
  return COMMANDS / (dt / 1000);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printTable(await qtestBench());
