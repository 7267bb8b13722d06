// Kernel state lives in simulated memory (docs/ARCHITECTURE.md, "Kernel state: one rule"): a
// reset reloads every static, so a lock held at the reset is free at the next boot; and post 12
// lives in its heap, so an allocator that fails every request stops it where the blog's stops.
import { describe, expect, it } from 'vitest';
import type { TraceRecord } from '../../bus/trace.js';
import type { MachineSpec } from '../../machine/config/spec.js';
import { configPath, runMachine, virtual } from '../support/machine.js';

const SECOND = 1e9;
const of = (traces: TraceRecord[], kind: string, pred: (r: TraceRecord) => boolean = () => true) =>
  traces.filter((r) => r.kind === kind && pred(r));

describe('a reset reinitialises kernel state', () => {
  it('reset while PICS is held (8042 reset line): the next boot\'s first EOI works and the dots continue', async () => {
    const spec = (s: MachineSpec): MachineSpec => ({ ...virtual(s), kernel: { main: 'post-07', scenario: 'reset-holding-pics' } });
    const run = await runMachine(configPath('posts/post-07.yaml'), { trace: true, spec, stopAt: 1 * SECOND, stopReason: 'for' });
    expect(run.result.reason).toBe('for');
    const resets = of(run.traces, 'machine.reset');
    expect(resets).toHaveLength(1);
    const resetAt = resets[0].t;
    // After the reset: timer interrupts, each acknowledged (no spin on a stale PICS lock).
    const ticks = of(run.traces, 'cpu.int', (r) => r.vector === 32 && r.t > resetAt).length;
    const eois = of(run.traces, 'pic.eoi', (r) => r.chip === 'pic1' && r.irq === 0 && r.t > resetAt).length;
    expect(ticks).toBeGreaterThanOrEqual(15);
    expect(eois).toBe(ticks);
    expect(of(run.traces, 'cpu.deadlock')).toEqual([]);
    expect(run.screen.text()).toContain('It did not crash!\n....');
  });
});

describe('post 12 lives in its heap', () => {
  it('with kernel.allocator: dummy (every allocation fails) it panics with the OOM message instead of "async number: 42"', async () => {
    const spec = (s: MachineSpec): MachineSpec => ({ ...virtual(s), kernel: { ...s.kernel, allocator: 'dummy' } });
    const run = await runMachine(configPath('posts/post-12.yaml'), { spec, stopAt: 0.3 * SECOND, stopReason: 'for' });
    const text = run.screen.text();
    expect(text).toContain('panicked at library/alloc/src/alloc.rs:435:13:\nmemory allocation of 1600 bytes failed');
    expect(text).not.toContain('async number');
  });

  it('with its own allocator it prints "async number: 42", as before (keys: tests/machine/keyboard.test.ts)', async () => {
    const run = await runMachine(configPath('posts/post-12.yaml'), { spec: virtual, stopAt: 0.3 * SECOND, stopReason: 'for' });
    expect(run.screen.text()).toContain('Hello World!');
    expect(run.screen.text()).toContain('async number: 42');
  });
});
