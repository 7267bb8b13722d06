// The cost model on the blog's post 07 in virtual time (docs/time.md): the timer's rate and the
// dots are the PIT's, unchanged; handler times and IRQ latencies are a PC's order of magnitude;
// nothing is ever coalesced (every deadline is served at its own time).
import { describe, expect, it } from 'vitest';
import type { TraceRecord } from '../../bus/trace.js';
import type { MachineSpec } from '../../machine/config/spec.js';
import { configPath, runMachine, virtual } from '../support/machine.js';

const SECOND = 1e9;
const post07 = (s: MachineSpec): MachineSpec => ({ ...virtual(s), kernel: { main: 'post-07' } });

describe('post 07 in virtual time with the cost model', () => {
  it('5 s: 91 ± 1 timer ticks and a dot each, no irq.coalesced, handler times ≈ 1 µs, latency ≈ INTA + delivery', async () => {
    const run = await runMachine(configPath('posts/post-07.yaml'), { trace: true, spec: post07, stopAt: 5 * SECOND, stopReason: 'for' });
    const of = (kind: string) => run.traces.filter((r: TraceRecord) => r.kind === kind);
    const ticks = of('cpu.int').filter((r) => r.vector === 32);
    expect(Math.abs(ticks.length - 91)).toBeLessThanOrEqual(1);
    expect(run.screen.text().split('').filter((c) => c === '.')).toHaveLength(ticks.length);
    expect(of('irq.coalesced')).toEqual([]);
    const irets = of('cpu.iret').filter((r) => r.vector === 32);
    expect(irets.length).toBeGreaterThanOrEqual(ticks.length - 1);
    for (const r of irets) {
      expect(r.depth).toBe(1);
      // The EOI (one ISA port write, 1 µs), a dot's VGA stores, iretq: a real PC's order, not 2 ns.
      expect(Number(r.duration)).toBeGreaterThan(1000);
      expect(Number(r.duration)).toBeLessThan(50_000); // a dot that scrolls the screen copies 4000 bytes: ≈ 13 µs
    }
    // Device edge → handler entry while the kernel sits in hlt: the INTA cycles and IDT delivery.
    const rises = run.traces.filter((r) => r.kind === 'irq.level' && r.line === 'pic1.ir0' && r.state === 1);
    const latency = ticks.slice(1, 10).map((int) => int.t - rises.filter((r) => r.t <= int.t).at(-1)!.t);
    for (const ns of latency) expect(ns).toBeGreaterThanOrEqual(1100);
    for (const ns of latency) expect(ns).toBeLessThan(5000);
  });
});
