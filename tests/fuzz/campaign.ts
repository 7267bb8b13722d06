// A fuzz campaign against one device: fast-check runs of the property until a budget of operations
// is spent, in batches of BATCH_RUNS runs with seeds seed, seed+1, … so that a failing batch is
// replayed by its own seed (`--seed N` starts with that batch) and, at once, by fast-check's path.
import fc from 'fast-check';
import { performance } from 'node:perf_hooks';
import { FuzzViolation } from './lane.js';
import { formatOp } from './ops.js';
import { newStats, runCase } from './property.js';
import { caseArbitrary, DEFAULT_MAX_OPS, type FuzzCase, type FuzzTarget } from './target.js';

export const BATCH_RUNS = 100;

export interface CampaignOptions {
  /** Operations to apply (at least; whole runs are never cut). */
  readonly ops: number;
  readonly seed: number;
  /** fast-check replay path of a failure (runs that one case only). */
  readonly path?: string;
}

export interface Failure {
  /** Seed of the failing batch: `--seed` with it replays the failure first. */
  readonly seed: number;
  readonly path: string;
  readonly error: string;
  readonly shrinks: number;
  /** The shrunk case, one operation per line, with what the core answered. */
  readonly counterexample: string;
}

export interface CampaignResult {
  readonly device: string;
  readonly seed: number;
  readonly ops: number;
  readonly runs: number;
  readonly ms: number;
  /** Output level changes seen (IRQ edges: a sign the traffic reached interrupting states). */
  readonly changes: number;
  /** Trace kinds the device emitted (guest_error and unimplemented included), with counts. */
  readonly kinds: Readonly<Record<string, number>>;
  readonly failure?: Failure;
}

/** Next batch seed: stays a non-negative 31-bit integer, as fast-check takes it. */
export const nextSeed = (seed: number, batch: number): number => (seed + batch) % 0x8000_0000;

export function runCampaign(target: FuzzTarget, options: CampaignOptions): CampaignResult {
  const arb = caseArbitrary(target);
  const stats = newStats();
  const start = performance.now();
  let runs = 0;
  let failure: Failure | undefined;
  for (let batch = 0; stats.ops < options.ops || (options.path !== undefined && batch === 0); batch++) {
    const seed = nextSeed(options.seed, batch);
    // Fewer runs when the budget is nearly spent. Run i of a seed is the same case whatever
    // numRuns is, so `--seed` with the full batch size still meets a failure found here.
    const perRun = runs > 0 ? stats.ops / runs : (target.maxOps ?? DEFAULT_MAX_OPS) / 2;
    const numRuns = Math.max(1, Math.min(BATCH_RUNS, Math.ceil((options.ops - stats.ops) / perRun)));
    const details = fc.check(
      fc.property(arb, (c) => runCase(target, c, stats)),
      { seed, numRuns, ...(options.path !== undefined ? { path: options.path } : {}) },
    );
    runs += details.numRuns;
    if (details.failed) {
      failure = describeFailure(target, seed, details);
      break;
    }
    if (options.path !== undefined) break;
  }
  return {
    device: target.name,
    seed: options.seed,
    ops: stats.ops,
    runs,
    ms: performance.now() - start,
    changes: stats.changes,
    kinds: Object.fromEntries([...stats.kinds].sort((a, b) => b[1] - a[1])),
    ...(failure ? { failure } : {}),
  };
}

function describeFailure(target: FuzzTarget, seed: number, details: fc.RunDetails<[FuzzCase]>): Failure {
  const err = details.errorInstance;
  // A broken invariant is its message; a core's exception also says where in the core it came from.
  const error = err instanceof FuzzViolation
    ? `${err.message}${err.coreStack ? `\n${err.coreStack}` : ''}`
    : err instanceof Error ? (err.stack ?? err.message) : String(err ?? 'no counterexample (fast-check gave up)');
  const c = details.counterexample?.[0];
  return {
    seed,
    path: details.counterexamplePath ?? '',
    error,
    shrinks: details.numShrinks,
    counterexample: c ? replay(target, c) : '(none)',
  };
}

/** The case written out: options, then the transcript of a replay up to the failure. */
export function replay(target: FuzzTarget, c: FuzzCase): string {
  const inputs = target.module.inputs ?? [];
  const ops = [...c.prologue, ...c.ops];
  const head = [
    `   options ${JSON.stringify(c.options)}, created at t=${c.t0}, memory ${c.memory} bytes`,
    `   operations: ${ops.map((o) => formatOp(o, inputs)).join('; ') || '(none)'}`,
  ];
  const log: string[] = [];
  try {
    runCase(target, c, undefined, log);
    log.push('   (the replay passed: the failure depends on state outside the case — a fuzzer bug)');
  } catch (err) {
    log.push(`   ✗ ${err instanceof Error ? err.message : String(err)}`);
  }
  return [...head, '   replay:', ...log].join('\n');
}

// ---- report --------------------------------------------------------------------------------------

const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');

export function summaryLine(r: CampaignResult): string {
  const rate = r.ms > 0 ? (r.ops * 1000) / r.ms : 0;
  const errors = r.kinds.guest_error ?? 0;
  const unimpl = r.kinds.unimplemented ?? 0;
  const status = r.failure ? 'FAIL' : 'ok  ';
  return `${status} ${r.device.padEnd(14)} ${fmtInt(r.ops).padStart(11)} ops  ${fmtInt(r.runs).padStart(6)} runs  seed ${String(r.seed).padStart(10)}  ${(r.ms / 1000).toFixed(1).padStart(6)} s  ${fmtInt(rate).padStart(8)} ops/s  ${fmtInt(r.changes).padStart(9)} output changes  ${Object.keys(r.kinds).length} trace kinds (${fmtInt(errors)} guest_error, ${fmtInt(unimpl)} unimplemented)`;
}

export function failureReport(r: CampaignResult, command = 'npm run fuzz --'): string {
  const f = r.failure;
  if (!f) return '';
  return [
    `FAIL ${f.error.split('\n')[0]}`,
    `  shrunk counterexample (${f.shrinks} shrinks):`,
    f.counterexample,
    `  replay: ${command} --device ${r.device} --seed ${f.seed}`,
    `  or at once: ${command} --device ${r.device} --seed ${f.seed} --path ${f.path}`,
    ...f.error.split('\n').slice(1).map((line) => `  ${line}`),
  ].join('\n');
}
