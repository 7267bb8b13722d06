// Context switches between guest threads (cpu/threads.ts): the bench-switch kernel hands the CPU
// back and forth between two guest threads on two host threads; a round trip is two switches.
// Baselines from the same run: two threads handing a word back and forth with Atomics.wait and
// notify only (every hop a futex wake), and with the mailbox's spin-then-wait (bench 'io').
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { CLIENT_SPIN } from '../bus/mailbox.js';
import { Machine } from '../api/machine.js';
import { summarize, type BenchRow } from './stats.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WORKERS = new URL('./workers.js', import.meta.url);
const ROUNDS = 3000;

/**
 * Round trips (ns) between this thread and a worker handing a word back and forth: each hop a
 * notify, then `spin` polls (the worker: `workerSpin`) before a sleep in Atomics.wait (0: every
 * hop a futex wake); `warmup` round trips are not counted.
 */
export async function pingPong(spin: number, rounds: number, warmup: number, workerSpin = spin): Promise<number[]> {
  const sab = new SharedArrayBuffer(16);
  const i32 = new Int32Array(sab);
  const worker = new Worker(WORKERS, { workerData: { kind: 'pingpong', sab, spin: workerSpin } });
  await new Promise((r) => worker.once('online', r));
  const samples: number[] = [];
  for (let i = 1; i <= warmup + rounds; i++) {
    const t0 = performance.now();
    Atomics.store(i32, 0, i);
    Atomics.notify(i32, 0);
    let spins = spin;
    while (Atomics.load(i32, 1) !== i) {
      if (--spins > 0) continue;
      Atomics.wait(i32, 1, Atomics.load(i32, 1), 1000);
    }
    if (i > warmup) samples.push((performance.now() - t0) * 1e6);
  }
  Atomics.store(i32, 2, 1);
  Atomics.notify(i32, 0);
  await worker.terminate();
  return samples;
}

/** Round trips of the bench-switch kernel in realtime: machine time between every second cpu.switch. */
async function machineRoundTrips(): Promise<number[]> {
  const m = await Machine.start(`${ROOT}config/bench/switch.yaml`, { for: '60s' });
  const t: number[] = [];
  m.records$('cpu.switch').subscribe((r) => t.push(r.t));
  const result = await m.result;
  if (result.status !== 33) throw new Error(`bench-switch exited ${result.status}, not 33 (${result.reason})`);
  const samples: number[] = [];
  for (let i = 200; i + 2 < t.length; i += 2) samples.push(t[i + 2] - t[i]);
  return samples;
}

export async function switchBench(): Promise<BenchRow[]> {
  const sleepy = summarize(await pingPong(0, ROUNDS, 200));
  const spinning = summarize(await pingPong(CLIENT_SPIN, ROUNDS, 200));
  const sw = summarize(await machineRoundTrips());
  return [
    {
      name: 'guest-thread switch round trip (2 switches, realtime)', unit: 'ns', median: sw.median, p99: sw.p99,
      baseline: { name: 'Atomics.wait/notify ping-pong round trip', median: sleepy.median }, target: '≤ 2× baseline', met: sw.median <= 2 * sleepy.median,
    },
    { name: 'Atomics.wait/notify ping-pong round trip (baseline)', unit: 'ns', median: sleepy.median, p99: sleepy.p99 },
    { name: 'spin-then-wait ping-pong round trip (for comparison)', unit: 'ns', median: spinning.median, p99: spinning.p99 },
  ];
}
