// `actorpc test [SUITE…]`: the kernel's own test suites, each booted in its own machine
// (config/test.yaml: no_reboot, isa-debug-exit at 0xf4, serial to stdout, headless, virtual
// time), as `cargo test` + bootimage run them under QEMU. Status 33 is a pass (bootimage's
// test-success-exit-code); a timeout, a triple fault (status 0 with no_reboot) or 35 is a fail.
import { projectPath } from '../paths.js';
import { KERNEL_MAINS } from '../../kernel/mains.js';
import { loadMachine } from '../config/load.js';
import { formatDuration } from '../config/units.js';
import { didYouMean } from '../config/suggest.js';
import { Machine } from '../machine.js';
import { EXIT_FAILURE, EXIT_OK, UsageError } from './usage.js';
import type { MachineRunSummary, MachineRunTask } from './matrix-task.js';

export const TEST_MACHINE = projectPath('config', 'test.yaml');
/** bootimage's test-timeout: 300 s (of machine time here). */
export const DEFAULT_TEST_TIMEOUT_NS = 300e9;
const SUCCESS_STATUS = 33;

export const SUITE_NAMES: readonly string[] = Object.keys(KERNEL_MAINS)
  .filter((k) => k.startsWith('test-'))
  .map((k) => k.slice(5));

export interface SuiteResult {
  readonly suite: string;
  readonly passed: boolean;
  readonly status: number;
  readonly why: string;
  readonly serial: string;
}

export interface SuiteOptions {
  readonly timeoutNs?: number;
  /** Echo serial output as it arrives. */
  readonly echo?: (text: string) => void;
  /** kernel.allocator for the suite's machine (e.g. bump, to watch many_boxes_long_lived fail). */
  readonly allocator?: string;
}

export async function runSuite(suite: string, options: SuiteOptions = {}): Promise<SuiteResult> {
  const { timeoutNs = DEFAULT_TEST_TIMEOUT_NS, echo, allocator } = options;
  const kernel = allocator ? { main: `test-${suite}`, allocator } : { main: `test-${suite}` };
  const spec = await loadMachine(TEST_MACHINE, { kernel } as Parameters<typeof loadMachine>[1]);
  const m = await Machine.start(spec, { stopAt: timeoutNs, stopReason: 'timeout' });
  const bytes: number[] = [];
  const decoder = new TextDecoder();
  m.events$.subscribe((e) => {
    if (e.channel !== 'tx') return;
    bytes.push(e.payload as number);
    echo?.(decoder.decode(new Uint8Array([e.payload as number]), { stream: true }));
  });
  m.idleForever$.subscribe(() => m.stop());
  const r = await m.result!;
  const serial = new TextDecoder().decode(new Uint8Array(bytes));
  return verdict(suite, timeoutNs, { reason: r.reason, status: r.status, serial, crash: r.crash ? `actor "${r.crash.actor}" crashed: ${r.crash.error}` : undefined });
}

/** How a suite's machine ended → pass or fail, and why (status 33 through isa-debug-exit is a pass). */
function verdict(suite: string, timeoutNs: number, r: { reason: string; status: number; serial: string; crash?: string }): SuiteResult {
  const serial = r.serial;
  if (r.reason === 'exit') {
    const passed = r.status === SUCCESS_STATUS;
    return { suite, passed, status: r.status, why: passed ? 'ok' : `exit status ${r.status}`, serial };
  }
  const why =
    r.reason === 'timeout' ? `Test timed out after ${formatDuration(timeoutNs)} of machine time`
      : r.reason === 'triple-fault' ? 'triple fault (no_reboot: the machine exited with status 0)'
        : r.crash ? r.crash
          : `the machine stopped without an exit status (${r.reason})`;
  return { suite, passed: false, status: r.status, why, serial };
}

export async function testCommand(suites: readonly string[], timeoutNs: number | undefined): Promise<number> {
  for (const s of suites) {
    if (!SUITE_NAMES.includes(s)) {
      throw new UsageError(`unknown test suite "${s}". ${didYouMean(s, SUITE_NAMES)}Suites: ${SUITE_NAMES.join(', ')}.`);
    }
  }
  const chosen = suites.length ? suites : SUITE_NAMES;
  const results: SuiteResult[] = [];
  // Each suite is one machine run on a pool sized to the cores (as actorpc matrix); transcripts are printed in order.
  const { machinePool } = await import('./matrix.js');
  const pool = machinePool();
  const limit = timeoutNs ?? DEFAULT_TEST_TIMEOUT_NS;
  try {
    const runs = chosen.map((suite) => {
      const task: MachineRunTask = { file: TEST_MACHINE, stopAt: limit, stopReason: 'timeout', overrides: { kernel: { main: `test-${suite}` } } as MachineRunTask['overrides'], serial: true };
      return (pool.run(task) as Promise<MachineRunSummary>).then(
        (s) => verdict(suite, limit, { reason: s.reason, status: s.status, serial: s.serial, crash: s.crash }),
        (err: unknown) => verdict(suite, limit, { reason: 'crash', status: 1, serial: '', crash: String(err) }),
      );
    });
    for (const [i, run] of runs.entries()) {
      process.stdout.write(`\n== ${chosen[i]}\n`);
      const r = await run;
      process.stdout.write(r.serial);
      if (!r.passed) process.stdout.write(`\n${r.why}\n`);
      results.push(r);
    }
  } finally {
    await pool.destroy();
  }
  process.stdout.write('\n');
  for (const r of results) process.stdout.write(`${r.passed ? 'ok    ' : 'FAILED'} ${r.suite} (${r.why})\n`);
  const failed = results.filter((r) => !r.passed).length;
  process.stdout.write(`${results.length - failed} passed, ${failed} failed\n`);
  return failed ? EXIT_FAILURE : EXIT_OK;
}
