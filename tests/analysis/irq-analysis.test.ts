// --stats and the Perfetto timeline from a real post-07 run in virtual time with typed keys: the
// report's numbers agree with the records, the timeline's structure is sound (every B has its E,
// flows pair up, ts never goes back on a track, counters are numbers), and a golden timeline is
// byte-stable. Regenerate the golden after a deliberate change (e.g. new machine-time costs):
//   UPDATE_GOLDEN=1 npx vitest run tests/analysis/irq-analysis.test.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TraceRecord } from '../../bus/trace.js';
import { IrqStats } from '../../machine/analysis/irq-stats.js';
import { statsText } from '../../machine/analysis/stats-text.js';
import { TimelineBuilder, timelineJson, type TraceEvent } from '../../machine/analysis/timeline.js';
import { typeText } from '../../machine/input/keymap.js';
import type { MachineSpec } from '../../machine/config/spec.js';
import { configPath, runMachine, virtual, type MachineRun } from '../support/machine.js';

const MS = 1e6;
const GOLDEN = fileURLToPath(new URL('../fixtures/timeline/post-07.json', import.meta.url));

async function post07(forNs: number, text: string): Promise<MachineRun> {
  return runMachine(configPath('posts/post-07.yaml'), {
    trace: true, spec: (s: MachineSpec) => virtual(s), stopAt: forNs, stopReason: 'for', keys: typeText(text).events,
  });
}

function timelineOf(records: readonly TraceRecord[]) {
  const b = new TimelineBuilder('post-07');
  for (const r of records) b.add(r);
  return b.finish();
}

/** The structural rules a viewer relies on; returns what breaks them. */
function structureProblems(events: readonly TraceEvent[]): string[] {
  const problems: string[] = [];
  const stacks = new Map<number, number>();
  const lastTs = new Map<number, number>();
  const flows = new Map<number, string[]>();
  for (const e of events) {
    if (e.ph === 'M') continue;
    if (typeof e.ts !== 'number' || !Number.isFinite(e.ts)) problems.push(`ts not a number: ${JSON.stringify(e)}`);
    const track = e.tid ?? -1;
    if (e.ph !== 'C' && (lastTs.get(track) ?? -Infinity) > e.ts) problems.push(`ts goes back on track ${track}: ${JSON.stringify(e)}`);
    if (e.ph !== 'C') lastTs.set(track, e.ts);
    if (e.ph === 'B') stacks.set(track, (stacks.get(track) ?? 0) + 1);
    if (e.ph === 'E') {
      const depth = (stacks.get(track) ?? 0) - 1;
      if (depth < 0) problems.push(`E without B on track ${track} at ${e.ts}`);
      stacks.set(track, Math.max(0, depth));
    }
    if (e.ph === 'C' && !Object.values(e.args ?? {}).every((v) => typeof v === 'number')) problems.push(`counter not numeric: ${JSON.stringify(e)}`);
    if (e.ph === 's' || e.ph === 't' || e.ph === 'f') flows.set(e.id!, [...(flows.get(e.id!) ?? []), e.ph]);
  }
  for (const [track, depth] of stacks) if (depth !== 0) problems.push(`${depth} B without E on track ${track}`);
  for (const [id, phs] of flows) if (phs[0] !== 's' || phs[phs.length - 1] !== 'f' || phs.filter((p) => p === 's' || p === 'f').length !== 2) problems.push(`flow ${id}: ${phs.join(',')}`);
  return problems;
}

describe('end-of-run IRQ statistics', () => {
  let run: MachineRun;
  beforeAll(async () => { run = await post07(1000 * MS, 'hello'); });

  it('count timer and keyboard interrupts, EOIs, latencies and handler times as the records show them', () => {
    const stats = new IrqStats();
    for (const r of run.traces) stats.add(r);
    const report = stats.report();
    const ints = (v: number) => run.traces.filter((r) => r.kind === 'cpu.int' && r.vector === v).length;
    const irets = (v: number) => run.traces.filter((r) => r.kind === 'cpu.iret' && r.vector === v);
    const timer = report.lines.find((l) => l.line === 'pic1.ir0')!;
    const keyboard = report.lines.find((l) => l.line === 'pic1.ir1')!;
    expect(timer.vector).toBe(0x20);
    expect(keyboard.vector).toBe(0x21);
    expect(timer.delivered).toBe(ints(0x20));
    expect(timer.delivered).toBeGreaterThanOrEqual(17);
    expect(keyboard.delivered).toBe(ints(0x21));
    expect(keyboard.delivered).toBeGreaterThanOrEqual(10); // 5 keys, make and break
    expect(timer.eois).toBe(timer.delivered);
    expect(timer.latency.count).toBe(timer.delivered);
    expect(timer.coalesced + report.coalescedTotal).toBe(0); // virtual time never coalesces
    const v32 = report.vectors.find((v) => v.vector === 0x20)!;
    expect(v32.handler).toBe('blog_os::interrupts::timer_interrupt_handler');
    expect(v32.handlerTime.count).toBe(irets(0x20).length);
    expect(v32.handlerTime.max).toBe(Math.max(...irets(0x20).map((r) => Number(r.duration))));
    expect(v32.handlerTime.p50).toBeGreaterThan(0);
    const text = statsText(report, 'post-07, virtual');
    expect(text).toMatch(/pic1\.ir0\s+0x20\s+\d+\s+\d+\s+0\s+\d+/);
    expect(text).toContain('blog_os::interrupts::keyboard_interrupt_handler');
  });
});

describe('the Perfetto timeline', () => {
  it('is sound: every B has its E, flows pair up, ts never goes back on a track, counters are numbers', async () => {
    const run = await post07(600 * MS, 'ab');
    const t = timelineOf(run.traces);
    expect(structureProblems(t.traceEvents)).toEqual([]);
    const names = t.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => e.args!.name);
    expect(names).toEqual(expect.arrayContaining(['cpu', 'pic1', 'pit', 'kbd']));
    const handlers = t.traceEvents.filter((e) => e.ph === 'B' && e.cat === 'handler').map((e) => e.name);
    expect(handlers).toContain('0x20 timer_interrupt_handler');
    expect(handlers).toContain('0x21 keyboard_interrupt_handler');
    // One arrow per delivered-and-acknowledged interrupt: edge → INTA → handler → EOI.
    const finished = t.traceEvents.filter((e) => e.ph === 'f').length;
    expect(finished).toBe(run.traces.filter((r) => r.kind === 'pic.eoi').length);
    expect(t.traceEvents.filter((e) => e.ph === 'C' && e.name === 'INTR').length).toBeGreaterThan(0);
  });

  it('draws each system call of a ring-3 program as a slice on the CPU track, syscall entry to sysretq', async () => {
    const run = await runMachine(configPath('userspace.yaml'), { trace: true, spec: virtual, stopAt: 300 * MS, stopReason: 'for' });
    const t = timelineOf(run.traces);
    expect(structureProblems(t.traceEvents)).toEqual([]);
    const slices = t.traceEvents.filter((e) => e.cat === 'syscall');
    const rets = run.traces.filter((r) => r.kind === 'cpu.sysret');
    expect(rets.length).toBeGreaterThanOrEqual(2); // each program's SYS_WRITE
    expect(slices.map((e) => [e.name, e.ph, e.ts + e.dur!])).toEqual(rets.map((r) => ['syscall 1', 'X', r.t / 1000]));
    expect(slices.map((e) => e.args!.result)).toEqual([19, 19]); // "Hello from ring 3!\n"
  });

  it('of post-07 in virtual time matches the golden file byte for byte', async () => {
    const run = await post07(300 * MS, 'a');
    const text = timelineJson(timelineOf(run.traces));
    if (process.env.UPDATE_GOLDEN) writeFileSync(GOLDEN, text);
    expect(text).toBe(readFileSync(GOLDEN, 'utf8'));
    expect(structureProblems((JSON.parse(text) as { traceEvents: TraceEvent[] }).traceEvents)).toEqual([]);
  });
});

describe('analysis of a machine on the APICs with guest threads (kernel.main: preemption, scenario busy)', () => {
  let run: MachineRun;
  beforeAll(async () => {
    // Busy threads: the timer preempts them on their own host threads. Keys at absolute machine times
    // (the boot thread never idles in hlt here, so the --type gate would not open).
    const keys = typeText('ab', 100 * MS).events.map((k) => ({ key: k.key, down: k.down, at: k.delay }));
    run = await runMachine(configPath('preemption.yaml'), {
      trace: true, spec: (s: MachineSpec) => ({ ...virtual(s), kernel: { ...s.kernel, scenario: 'busy' } }), stopAt: 300 * MS, stopReason: 'for', input: { kbd: keys },
    });
  });
  const count = (kind: string, pred: (r: TraceRecord) => boolean = () => true) => run.traces.filter((r) => r.kind === kind && pred(r)).length;

  it('--stats: the local APIC timer is a line of its own and the keyboard is its I/O APIC input, each with deliveries, EOIs and latencies', () => {
    const stats = new IrqStats();
    for (const r of run.traces) stats.add(r);
    const report = stats.report();
    const timer = report.lines.find((l) => l.line === 'lapic.timer')!;
    expect(timer.vector).toBe(0x20);
    expect(timer.raised).toBe(run.traces.filter((r) => r.kind === 'lapic.timer' && r.masked === 0).reduce((n, r) => n + Number(r.count), 0));
    expect(timer.delivered).toBe(count('cpu.int', (r) => r.vector === 0x20));
    expect(timer.eois).toBe(count('lapic.eoi', (r) => r.vector === 0x20));
    expect(timer.latency.count).toBe(timer.delivered);
    const keyboard = report.lines.find((l) => l.line === 'ioapic.intin1')!;
    expect(keyboard.vector).toBe(0x21);
    expect(keyboard.delivered).toBe(count('cpu.int', (r) => r.vector === 0x21));
    expect(keyboard.delivered).toBe(4); // two keys, make and break
    expect(keyboard.eois).toBe(keyboard.delivered);
    // The masked 8259 saw the keyboard's edges too, and delivered none of them.
    expect(report.lines.find((l) => l.line === 'pic1.ir1')!.delivered).toBe(0);
    expect(report.cpu.switches).toBe(count('cpu.switch'));
    expect(report.cpu.threads).toBe(4); // kernel_main and threads A, B, C
    expect(statsText(report, 'preemption, virtual')).toMatch(/\d+ context switches between 4 guest threads/);
  });

  it('the timeline puts each guest thread on a track of its own, with its handlers and the stretches it held the CPU', () => {
    const t = timelineOf(run.traces);
    expect(structureProblems(t.traceEvents)).toEqual([]);
    const names = t.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => e.args!.name);
    expect(names).toEqual(expect.arrayContaining(['cpu', 'cpu thread 1', 'cpu thread 2', 'cpu thread 3', 'lapic', 'ioapic']));
    const running = t.traceEvents.filter((e) => e.cat === 'thread' && e.name === 'running');
    expect(running.length).toBe(count('cpu.switch')); // each switch ends one stretch (the last is closed at the end)
    const trackOf = new Map(t.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => [e.args!.name as string, e.tid]));
    const timerOnWorkers = t.traceEvents.filter((e) => e.ph === 'B' && e.cat === 'handler' && e.name.startsWith('0x20') && e.tid !== trackOf.get('cpu'));
    expect(timerOnWorkers.length).toBeGreaterThan(0); // the timer preempted threads A, B, C on their own host threads
    // Every timer interrupt's arrow runs from the expiry to the local APIC's EOI.
    expect(t.traceEvents.filter((e) => e.ph === 'f').length).toBe(count('lapic.eoi'));
  });
});
