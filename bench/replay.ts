// Record and replay through the real command: a realtime post-12 session with typing (20 s of
// machine time) is recorded, then replayed; measured: how fast a replay runs (machine time per
// host second, process start included), and how large a recording grows per minute of machine
// time. Each replay's --log is checked byte-identical with the recording run's.
// Run alone: `npm run build && node dist/bench/replay.js`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printTable, summarize, type BenchRow } from './stats.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SECONDS = 20;
const REPLAYS = 3;

function run(args: string[]): number {
  const started = performance.now();
  const r = spawnSync(process.execPath, ['bin/actorpc.js', 'run', 'config/posts/post-12.yaml', '--headless', '--no-stats', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`actorpc ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return performance.now() - started;
}

export function replayBench(): BenchRow[] {
  const dir = mkdtempSync(join(tmpdir(), 'actorpc-bench-'));
  try {
    const script = join(dir, 'typing.yaml');
    const steps: string[] = [];
    for (let s = 2; s < SECONDS; s += 3) steps.push(`- at: ${s}s\n  type: "line ${s}"\n- at: ${s + 1}s\n  key: Return`);
    writeFileSync(script, steps.join('\n') + '\n');
    const rec = join(dir, 'session.rec');
    run(['--time', 'realtime', '--input', script, '--for', `${SECONDS}s`, '--record', rec, '--log', join(dir, 'a.ndjson')]);
    const recorded = readFileSync(join(dir, 'a.ndjson'));
    const speeds: number[] = [];
    for (let i = 0; i < REPLAYS; i++) {
      const ms = run(['--replay', rec, '--log', join(dir, 'b.ndjson')]);
      if (!readFileSync(join(dir, 'b.ndjson')).equals(recorded)) throw new Error('a replay\'s --log differs from the recorded run\'s');
      speeds.push(SECONDS / (ms / 1000));
    }
    const s = summarize(speeds);
    const perMinute = (statSync(rec).size / SECONDS) * 60 / 1024;
    return [
      {
        name: `replay of a ${SECONDS} s realtime post-12 session with typing (process start included)`, unit: '× realtime', median: s.median,
        baseline: { name: 'the recorded run (realtime)', median: 1 }, target: '> 1× (logs byte-identical)', met: s.median > 1,
      },
      { name: 'recording size per minute of machine time (same session)', unit: 'KiB/min', median: perMinute },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) printTable(replayBench());
