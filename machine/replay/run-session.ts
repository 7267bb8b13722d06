// `actorpc run` with --monitor, --record, --replay or --stop-at (or the full-screen UI, whose
// Ctrl-A C opens the monitor): what the run hands the machine, and the monitor's endpoints.
import type { StopReason } from '../../cpu/errors.js';
import type { RunArgs } from '../cli/args.js';
import { checkOutputPath } from '../cli/outputs.js';
import type { MachineSpec } from '../config/spec.js';
import { parseLogFilter, type TraceFilter } from '../log-filter.js';
import type { Machine, StartOptions } from '../machine.js';
import { Monitor } from '../monitor/monitor.js';
import { serveStdio, serveTcp, type MonitorEndpoint } from '../monitor/transport.js';
import { loadRecording, recordingHeader } from './recording.js';

export interface RunSession {
  readonly spec: MachineSpec;
  readonly stopAt: number;
  readonly stopReason: StopReason;
  /** For Machine.start (undefined: no session, the CPU runs without a host). */
  readonly start: StartOptions['session'];
  /** The --log filter, changeable by the monitor's log-filter. */
  liveFilter(initial: TraceFilter): TraceFilter;
  /** The monitor (once the machine runs): over --monitor, and for the terminal UI's Ctrl-A C. */
  attach(machine: Machine, deps: { screendump?: (file: string) => void; quit: () => void }): Promise<Monitor | undefined>;
  close(): void;
}

export function prepareSession(args: RunArgs, spec: MachineSpec, stopAt: number, stopReason: StopReason, withUi: boolean): RunSession {
  const flags = args.session ?? {};
  if (spec.cpu.threads > 0) {
    const flag = flags.replay !== undefined ? '--replay' : flags.record !== undefined ? '--record' : flags.monitor !== undefined ? '--monitor' : flags.stopAtNs !== undefined ? '--stop-at' : undefined;
    if (flag) {
      throw new UsageError(`${flag} cannot be used with ${args.file}: the machine has guest threads (cpu.threads: ${spec.cpu.threads}), and the monitor and record/replay do not yet follow the CPU onto their host threads. Run without ${flag}, or use a machine without cpu.threads.`);
    }
    withUi = false; // no monitor session: the terminal UI's Ctrl-A C says the monitor is unavailable
  }
  let runSpec = spec;
  let start: StartOptions['session'];
  if (flags.replay !== undefined) {
    if (args.forNs !== undefined || args.timeoutNs !== undefined) {
      throw new UsageError(`--${args.forNs !== undefined ? 'for' : 'timeout'} cannot be used with --replay: a replay ends where its recording did; use --stop-at TIME to stop earlier.`);
    }
    const rec = loadRecording(flags.replay, spec, args.file!);
    runSpec = rec.spec;
    stopAt = rec.header.stopAt ?? Infinity;
    stopReason = rec.header.stopReason as StopReason;
    start = { replay: { bytes: rec.bytes, name: flags.replay }, monitor: false };
  } else if (flags.record !== undefined) {
    checkOutputPath('--record', flags.record, 'session.rec');
    start = { record: { path: flags.record, header: recordingHeader(args.file!, spec, stopAt, stopReason) }, monitor: false };
  }
  const monitored = flags.monitor !== undefined || withUi;
  if (start || monitored || flags.stopAtNs !== undefined) {
    start = { ...(start ?? {}), monitor: monitored, breakAt: flags.stopAtNs };
  }
  let current: TraceFilter | undefined;
  const endpoints: MonitorEndpoint[] = [];
  return {
    spec: runSpec,
    stopAt,
    stopReason,
    start,
    liveFilter(initial) {
      current = initial;
      const live = ((r) => current!(r)) as TraceFilter;
      Object.defineProperty(live, 'tests', { get: () => current!.tests });
      return live;
    },
    async attach(machine, deps) {
      if (!start) return undefined;
      const monitor = new Monitor({
        machine,
        screendump: deps.screendump,
        setLogFilter: current ? (specs) => { current = parseLogFilter(specs); } : undefined,
        quit: deps.quit,
      });
      if (flags.monitor?.kind === 'stdio') endpoints.push(serveStdio(monitor));
      else if (flags.monitor?.kind === 'tcp') {
        const ep = await serveTcp(monitor, flags.monitor.host, flags.monitor.port);
        process.stderr.write(`actorpc: monitor on tcp:${flags.monitor.host}:${ep.port}\n`);
        endpoints.push(ep);
      }
      machine.host?.parked$.subscribe((p) => {
        for (const ep of endpoints) ep.notify(`stopped at t=${(p.t / 1e9).toFixed(9)}s icount=${p.icount} (--stop-at)`);
      });
      return monitor;
    },
    close() {
      for (const ep of endpoints) ep.close();
    },
  };
}

import { UsageError } from '../cli/usage.js';
