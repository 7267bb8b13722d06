// `run --stats` and `run --timeline FILE`: the analyses that read a live machine's trace records on
// the main thread (machine/analysis/*). Either one turns tracing on for the run, --log or not: the
// records are the only source of edges, INTAs, handler entries and returns. Text stats go to
// stderr after the run; --stats json goes to stdout in place of the final screen (which --screen
// FILE still writes), so tools read clean JSON.
import type { CpuExit } from '../actors/protocol.js';
import { writeFileSync } from 'node:fs';
import type { TraceRecord } from '../../bus/trace.js';
import type { TraceRingReader } from '../../bus/trace-ring.js';
import { IrqStats } from '../analysis/irq-stats.js';
import { statsText } from '../analysis/stats-text.js';
import { TimelineBuilder, timelineJson } from '../analysis/timeline.js';
import type { Machine } from '../machine.js';
import type { RunArgs } from './args.js';

export interface RunAnalysis {
  readonly stats: 'text' | 'json' | 'off';
  readonly timeline?: string;
  /** Records are needed. */
  readonly tracing: boolean;
}

/** What a run computes: --stats is on by default when headless (text), off otherwise. */
export function runAnalysis(args: RunArgs, headless: boolean): RunAnalysis {
  const stats = args.stats ?? (headless ? 'text' : 'off');
  return { stats, timeline: args.timeline, tracing: stats !== 'off' || args.timeline !== undefined };
}

export interface AttachedAnalysis {
  /** After the machine stopped (its trace drained): write the report and the timeline. */
  finish(title: string, exit?: CpuExit): void;
}

export function attachAnalysis(m: Machine, plan: RunAnalysis, machineName: string): AttachedAnalysis {
  const stats = plan.stats !== 'off' ? new IrqStats() : undefined;
  const timeline = plan.timeline !== undefined ? new TimelineBuilder(machineName) : undefined;
  if (stats || timeline) {
    m.hub.attach({
      record(rd: TraceRingReader) {
        const r = rd.decode() as TraceRecord;
        stats?.add(r);
        timeline?.add(r);
      },
    });
  }
  return {
    finish(title: string, exit?: CpuExit) {
      if (timeline) writeFileSync(plan.timeline!, timelineJson(timeline.finish()));
      if (!stats) return;
      const host = exit?.cpuHostMs !== undefined
        ? { cpuMs: exit.cpuHostMs, ...(exit.threadHostMs?.length ? { threadMs: exit.threadHostMs } : {}), devices: (exit.served ?? []).map((d) => ({ device: d.device, calls: d.calls, hostMs: d.hostMs })).sort((a, b) => a.device.localeCompare(b.device)) }
        : undefined;
      const report = { ...stats.report(), ...(host ? { host } : {}) };
      if (plan.stats === 'json') process.stdout.write(JSON.stringify({ machine: machineName, ...report }) + '\n');
      else process.stderr.write(statsText(report, title));
    },
  };
}
