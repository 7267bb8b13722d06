// Runs a fault-injection machine (tests/fixtures/machines/faults-*.yaml) with its faulty device
// placed as asked and its YAML adjusted by an override layer (validated like the file), and
// collects the result and every trace record. A machine driven by qtest instead of the CPU
// answers port I/O sent by the test (the kernel never touches the faulty device's ports).
import { fileURLToPath } from 'node:url';
import type { TraceRecord } from '../../bus/trace.js';
import { loadMachine } from '../../machine/config/load.js';
import type { MachineFile } from '../../machine/config/schema.js';
import type { Placement, PlacementValue } from '../../machine/config/spec.js';
import { Machine, type MachineResult } from '../../machine/machine.js';

export const PLACEMENTS: readonly Placement[] = ['worker', 'inline'];
const MACHINES = fileURLToPath(new URL('../fixtures/machines/', import.meta.url));

export interface FaultRun {
  readonly result: MachineResult;
  readonly traces: TraceRecord[];
  /** qtest replies, one per command. */
  readonly replies: string[];
}

export interface FaultOptions {
  /** Keys of the faulty device's YAML to set (on_crash, options, limits…). */
  readonly device?: Record<string, unknown>;
  /** Keys to set on the machine's other devices, by name (e.g. to share a worker with the faulty one). */
  readonly others?: Record<string, Record<string, unknown>>;
  /** Machine time (ns) at which the run stops if nothing else stops it. */
  readonly stopAt?: number;
  /** Drive the bus with qtest commands instead of the CPU (then the machine ends after them). */
  readonly qtest?: readonly string[];
}

export async function runFault(machine: string, placement: PlacementValue, opts: FaultOptions = {}): Promise<FaultRun> {
  const overrides = { devices: { ...opts.others, faulty: { placement, ...opts.device } } } as MachineFile;
  const spec = await loadMachine(MACHINES + machine, overrides, { overridesLabel: 'test', overridesDir: MACHINES });
  const m = await Machine.start(spec, { trace: true, stopAt: opts.stopAt ?? 1e9, stopReason: 'for', driver: opts.qtest ? 'qtest' : 'cpu' });
  const traces: TraceRecord[] = [];
  m.trace$.subscribe((r) => traces.push(r));
  m.idleForever$.subscribe(() => m.stop());
  let output = '';
  m.qtest$.subscribe((text) => { output += text; });
  if (opts.qtest) {
    m.qtest(opts.qtest.join('\n'));
    m.endQtest();
  }
  const result = await m.result!;
  return { result, traces, replies: output.split('\n').filter((l) => l !== '' && !l.startsWith('IRQ')) };
}

export const ofKind = (run: FaultRun, kind: string): TraceRecord[] => run.traces.filter((r) => r.kind === kind);
