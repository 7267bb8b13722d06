// `actorpc matrix FILE...`: many machines at once on a piscina pool, one task per machine run
// (matrix-task.ts), the pool sized to the host's cores (--jobs N overrides). One line per machine,
// in the order given: exit, the final screen's digest, interrupts per vector.
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { Piscina } from 'piscina';
import { loadMachine } from '../config/load.js';
import { projectPath } from '../paths.js';
import type { RunArgs } from './args.js';
import { flagOverrides, FLAG_LABEL } from './machine-flags.js';
import type { MachineRunSummary, MachineRunTask } from './matrix-task.js';
import { EXIT_FAILURE, EXIT_OK } from './usage.js';

/** A pool for machine runs: `jobs` at once (default one per core). Each run's own actors are threads too. */
export function machinePool(jobs = availableParallelism()): Piscina {
  return new Piscina({
    filename: projectPath('dist', 'machine', 'cli', 'matrix-task.js'),
    minThreads: 0, maxThreads: jobs, concurrentTasksPerWorker: 1, idleTimeout: 1000, atomics: 'disabled',
    // Guest calls nest on the JS stack of whichever thread hosts the CPU (here: a thread of the machine's own pool).
    resourceLimits: { stackSizeMb: 16 },
  });
}

/** One machine's line: name, exit, screen digest, interrupts per vector. */
export function matrixLine(s: MachineRunSummary, width: number): string {
  const irqs = Object.entries(s.irqs).map(([v, n]) => `v${v}:${n}`).join(' ') || 'none';
  const exit = s.crash ? `crash (${s.crash})` : `exit ${s.status} (${s.reason})`;
  return `${s.name.padEnd(width)}  ${exit.padEnd(18)}  screen ${s.screen}  t=${(s.t / 1e9).toFixed(3)}s  irqs ${irqs}`;
}

export async function matrixCommand(args: RunArgs): Promise<number> {
  const files = (args.files ?? []).map((f) => resolve(f));
  const overrides = flagOverrides(args);
  // Every file is checked here first: a mistake is reported (status 2) before anything runs.
  const specs = await Promise.all(files.map((f) => loadMachine(f, overrides, FLAG_LABEL)));
  const width = Math.max(...specs.map((s) => s.name.length));
  const pool = machinePool(args.jobs);
  try {
    const runs = files.map((file) => {
      const task: MachineRunTask = { file, stopAt: args.forNs ?? 2e9, stopReason: 'for', time: args.time, overrides };
      return pool.run(task) as Promise<MachineRunSummary>;
    });
    let failed = 0;
    for (const [i, run] of runs.entries()) {
      let s: MachineRunSummary;
      try {
        s = await run;
      } catch (err) {
        s = { file: files[i], name: specs[i].name, reason: 'crash', status: 1, t: 0, screen: '-', irqs: {}, serial: '', crash: (err as Error).message };
      }
      if (s.crash || s.reason === 'crash' || s.reason === 'boot-loop') failed++;
      process.stdout.write(matrixLine(s, width) + '\n');
    }
    return failed ? EXIT_FAILURE : EXIT_OK;
  } finally {
    await pool.destroy();
  }
}
