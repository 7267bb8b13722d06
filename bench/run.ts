// npm run bench: speed targets, each figure beside a baseline measured in the same run.
// Ratios matter, not absolute times: these machines are noisy.
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ControlBlock, Tracer } from '../bus/control.js';
import { allocateMailbox, CLIENT_SPIN, LIFE_STOP, MailboxClient, SERVER_SPIN, setMailboxLife } from '../bus/mailbox.js';
import { PhysicalMemory } from '../bus/memory.js';
import { PortMap } from '../bus/ports.js';
import { BusRouter } from '../bus/router.js';
import { allocateRing } from '../bus/trace-ring.js';
import type { DeviceEndpoint } from '../bus/endpoint.js';
import { DeviceShell, InlineEndpoint } from '../machine/actors/device-shell.js';
import { echo } from './echo-device.js';
import { irqBench } from './irq.js';
import { keyboardBench } from './keyboard.js';
import { machineBench } from './machine.js';
import { memoryBench } from './memory.js';
import { qtestBench } from './qtest.js';
import { replayBench } from './replay.js';
import { pingPong, switchBench } from './switch.js';
import { printTable, summarize, writeResults, type BenchRow } from './stats.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WORKERS = new URL('./workers.js', import.meta.url);
const RT_SAMPLES = 20_000;
const WARMUP = 2_000;

function busWith(endpoint: DeviceEndpoint): BusRouter {
  const control = ControlBlock.allocate();
  const claims = [{ device: 'echo', region: 'io', regionIndex: 0, base: 0x500, size: 1, widths: [1 as const] }];
  return new BusRouter({ portMap: new PortMap(claims), claimEndpoint: [0], endpoints: [endpoint], routes: [[]], lineLevels: new Int32Array(1) }, new Tracer(control, allocateRing(1 << 12)));
}

/** CPU → device worker → CPU: an `inb` through the bus router and a mailbox. */
async function workerRoundTrip(): Promise<number[]> {
  const sab = allocateMailbox();
  const worker = new Worker(WORKERS, { workerData: { kind: 'device', sab } });
  const bus = busWith(new MailboxClient('echo', sab));
  bus.out(0x500, 1, 0x5a, 0); // first call waits for the worker to start
  const samples: number[] = [];
  for (let i = 0; i < WARMUP + RT_SAMPLES; i++) {
    const t0 = performance.now();
    bus.in(0x500, 1, i);
    const dt = performance.now() - t0;
    if (i >= WARMUP) samples.push(dt * 1e6);
  }
  setMailboxLife(sab, LIFE_STOP);
  await worker.terminate();
  return samples;
}

/** The same spin-then-wait ping-pong with nothing else (the mailbox's budgets): the floor for the transport. */
function barePingPong(): Promise<number[]> {
  return pingPong(CLIENT_SPIN, RT_SAMPLES, WARMUP, SERVER_SPIN);
}

/** placement: inline — the same `inb`, a direct call into the shell. Batched: per-call cost. */
function inlineRoundTrip(): { perCall: number[]; direct: number[] } {
  const control = ControlBlock.allocate();
  const shell = new DeviceShell('echo', echo, {}, PhysicalMemory.allocate(4096), new Tracer(control, allocateRing(1 << 12)), () => {});
  const bus = busWith(new InlineEndpoint(shell));
  const core = echo.create(shell, {});
  const perCall: number[] = [];
  const direct: number[] = [];
  const N = 100_000;
  let sink = 0;
  for (let round = 0; round < 30; round++) {
    let t0 = performance.now();
    for (let i = 0; i < N; i++) sink += bus.in(0x500, 1, i);
    perCall.push(((performance.now() - t0) * 1e6) / N);
    t0 = performance.now();
    for (let i = 0; i < N; i++) sink += core.read(0, 0, 1);
    direct.push(((performance.now() - t0) * 1e6) / N);
  }
  if (sink === -1) console.log(sink);
  return { perCall: perCall.slice(5), direct: direct.slice(5) };
}

/** Process start → "Hello World!" on the screen, through the real CLI and real workers. */
function bootTimes(): { boot: number[]; bareNode: number[] } {
  const boot: number[] = [];
  const bareNode: number[] = [];
  for (let i = 0; i < 7; i++) {
    const r = spawnSync(process.execPath, ['bin/actorpc.js', 'run', 'config/default.yaml', '--headless', '--until', 'Hello World!', '--timeout', '20s'], {
      cwd: ROOT, encoding: 'utf8', env: { ...process.env, ACTORPC_TIMINGS: '1' },
    });
    const m = /on screen ([\d.]+) ms after process start/.exec(r.stderr);
    if (r.status !== 0 || !m) throw new Error(`boot run failed (status ${r.status}): ${r.stderr}`);
    boot.push(Number(m[1]));
    const t0 = performance.now();
    spawnSync(process.execPath, ['-e', '0']);
    bareNode.push(performance.now() - t0);
  }
  return { boot, bareNode };
}

/** `npm run bench -- irq memory`: only those sections (all when none is named). */
const SECTIONS = ['io', 'boot', 'machine', 'qtest', 'irq', 'keyboard', 'memory', 'replay', 'switch'] as const;
type Section = (typeof SECTIONS)[number];

function sections(argv: readonly string[]): Set<Section> {
  const bad = argv.filter((a) => !(SECTIONS as readonly string[]).includes(a));
  if (bad.length) {
    process.stderr.write(`bench: unknown section "${bad[0]}". Sections: ${SECTIONS.join(', ')} (none named: all).\n`);
    process.exit(2);
  }
  return new Set((argv.length ? argv : SECTIONS) as Section[]);
}

async function main(): Promise<void> {
  const want = sections(process.argv.slice(2));
  const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`load average before: ${load()} (${cpus().length} CPUs) — figures are only comparable with a quiet machine\n`);
  const rows: BenchRow[] = [];
  if (want.has('io')) {
    const bare = summarize(await barePingPong());
    const worker = summarize(await workerRoundTrip());
    rows.push({
      name: 'port I/O round trip, CPU → worker device → CPU', unit: 'ns', median: worker.median, p99: worker.p99,
      baseline: { name: 'bare spin-then-wait ping-pong', median: bare.median }, target: '≤ 2× baseline', met: worker.median <= 2 * bare.median,
    });
    rows.push({ name: 'bare spin-then-wait ping-pong (baseline)', unit: 'ns', median: bare.median, p99: bare.p99 });
    const inline = inlineRoundTrip();
    const inl = summarize(inline.perCall);
    const dir = summarize(inline.direct);
    rows.push({
      name: 'port I/O, placement inline (bus + shell + core)', unit: 'ns', median: inl.median, p99: inl.p99,
      baseline: { name: 'direct core.read call', median: dir.median }, target: '≤ 100 ns', met: inl.median <= 100,
    });
  }
  if (want.has('boot')) {
    const { boot, bareNode } = bootTimes();
    const b = summarize(boot);
    const n = summarize(bareNode);
    rows.push({
      name: 'process start → "Hello World!" on screen (default machine, realtime)', unit: 'ms', median: b.median, p99: b.p99,
      baseline: { name: 'node -e 0 (process start+exit)', median: n.median }, target: '≤ 1000 ms', met: b.median <= 1000,
    });
  }
  if (want.has('machine')) rows.push(...machineBench());
  if (want.has('qtest')) rows.push(...(await qtestBench()));
  if (want.has('irq')) rows.push(...(await irqBench()));
  if (want.has('keyboard')) rows.push(...(await keyboardBench()));
  if (want.has('memory')) rows.push(...memoryBench());
  if (want.has('replay')) rows.push(...replayBench());
  if (want.has('switch')) rows.push(...(await switchBench()));
  printTable(rows);
  console.log(`\nload average after: ${load()}`);
  console.log(`results: ${writeResults('bench', rows, { loadBefore: loadavg(), sections: [...want] })}`);
}

await main();
