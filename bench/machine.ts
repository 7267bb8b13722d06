// Machine-level figures through the real CLI: boot time (wall and CPU), peak RSS per placement,
// what an extra worker costs, and the CLI's start-up — each beside a baseline from the same run.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarize, type BenchRow } from './stats.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PRELOAD = fileURLToPath(new URL('./rusage-preload.js', import.meta.url));
const RUNS = 5;

interface Usage { wallMs: number; maxRssMiB: number; cpuMs: number }

/** One `actorpc …` process: wall time, peak RSS and CPU time (all threads). */
function measure(args: readonly string[], expectStatus = 0): Usage {
  const dir = mkdtempSync(join(tmpdir(), 'actorpc-bench-'));
  const file = join(dir, 'rusage.json');
  try {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ['--import', PRELOAD, 'bin/actorpc.js', ...args], {
      cwd: ROOT, encoding: 'utf8', env: { ...process.env, ACTORPC_RUSAGE: file },
    });
    const wallMs = performance.now() - t0;
    if (r.status !== expectStatus) throw new Error(`actorpc ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    const u = JSON.parse(readFileSync(file, 'utf8')) as { maxRssKiB: number; cpuMs: number };
    return { wallMs, maxRssMiB: u.maxRssKiB / 1024, cpuMs: u.cpuMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function medians(runs: Usage[]): Usage {
  const m = (k: keyof Usage) => summarize(runs.map((r) => r[k])).median;
  return { wallMs: m('wallMs'), maxRssMiB: m('maxRssMiB'), cpuMs: m('cpuMs') };
}

/** Boot a machine file until the executor has run ("async number: 42"), virtual time: the same work every run. */
function boot(file: string): Usage {
  const runs: Usage[] = [];
  for (let i = 0; i < RUNS; i++) {
    runs.push(measure(['run', file, '--headless', '--time', 'virtual', '--until', 'async number: 42', '--timeout', '30s']));
  }
  return medians(runs);
}

function nodeBaseline(): number {
  const t: number[] = [];
  for (let i = 0; i < 9; i++) {
    const t0 = performance.now();
    spawnSync(process.execPath, ['-e', '0']);
    t.push(performance.now() - t0);
  }
  return summarize(t).median;
}

function cli(args: readonly string[], expectStatus = 0): number {
  const t: number[] = [];
  for (let i = 0; i < 9; i++) t.push(measure(args, expectStatus).wallMs);
  return summarize(t).median;
}

export function machineBench(): BenchRow[] {
  const rows: BenchRow[] = [];
  const node = nodeBaseline();
  const help = cli(['--help']);
  rows.push({ name: 'actorpc --help (process start → exit)', unit: 'ms', median: help, baseline: { name: 'node -e 0', median: node }, target: '≤ 2× baseline', met: help <= 2 * node });
  const check = cli(['check', 'config/default.yaml']);
  rows.push({ name: 'actorpc check config/default.yaml', unit: 'ms', median: check, baseline: { name: 'node -e 0', median: node }, target: '≤ 3× baseline', met: check <= 3 * node });

  const dflt = boot('config/default.yaml');
  const workers = boot('config/bench/all-workers.yaml');
  const inline = boot('config/bench/all-inline.yaml');
  rows.push({
    name: 'default machine: peak RSS, boot to "async number: 42"', unit: 'MiB', median: dflt.maxRssMiB,
    baseline: { name: 'every device on a worker (the old default)', median: workers.maxRssMiB }, target: '≤ 150 MiB', met: dflt.maxRssMiB <= 150,
  });
  rows.push({ name: 'all-inline machine: peak RSS (reference)', unit: 'MiB', median: inline.maxRssMiB });
  rows.push({
    name: 'default machine: CPU time (all threads) to "async number: 42"', unit: 'ms', median: dflt.cpuMs,
    baseline: { name: 'every device on a worker', median: workers.cpuMs },
  });
  rows.push({
    name: 'default machine: wall time to "async number: 42" (process start → exit)', unit: 'ms', median: dflt.wallMs,
    baseline: { name: 'every device on a worker', median: workers.wallMs },
  });

  const extraInline = boot('config/bench/extra-inline.yaml');
  const extraWorkers = boot('config/bench/extra-workers.yaml');
  const extraGroup = boot('config/bench/extra-group.yaml');
  const per = (u: Usage, k: 'maxRssMiB' | 'cpuMs') => (u[k] - extraInline[k]) / 4;
  rows.push({
    name: 'per extra worker device: RSS (4 do-nothing devices, each its own worker, vs the same inline)', unit: 'MiB', median: per(extraWorkers, 'maxRssMiB'),
    target: '≤ 6 MiB', met: per(extraWorkers, 'maxRssMiB') <= 6,
  });
  rows.push({
    name: 'per extra worker device: CPU time at start', unit: 'ms', median: per(extraWorkers, 'cpuMs'), target: '≤ 60 ms', met: per(extraWorkers, 'cpuMs') <= 60,
  });
  rows.push({
    name: 'per extra device in a placement group (4 devices, one worker, vs inline): RSS', unit: 'MiB', median: per(extraGroup, 'maxRssMiB'),
    target: '≤ 6 MiB', met: per(extraGroup, 'maxRssMiB') <= 6,
  });
  rows.push({
    name: 'per extra device in a placement group: CPU time at start', unit: 'ms', median: per(extraGroup, 'cpuMs'), target: '≤ 60 ms', met: per(extraGroup, 'cpuMs') <= 60,
  });
  return rows;
}
