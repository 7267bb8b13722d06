// Posts 10 and 11 on the whole machine: the kernel maps its heap through its own page tables
// and its allocator keeps Box/Vec/Rc in simulated memory.
import { describe, expect, it } from 'vitest';
import type { MachineSpec } from '../../machine/config/spec.js';
import { configPath, runMachine, virtual } from '../support/machine.js';

const DEMO = 'heap_value at 0x444444440000\nvec at 0x444444440800\ncurrent reference count is 2\nreference count is 1 now\nIt did not crash!';

const withAllocator = (allocator?: string) => (s: MachineSpec): MachineSpec => ({ ...virtual(s), kernel: { ...s.kernel, ...(allocator ? { allocator } : {}) } });

describe('the heap (posts 10 and 11)', () => {
  it('post-10 prints the blog\'s addresses and reference counts', async () => {
    const run = await runMachine(configPath('posts/post-10.yaml'), { spec: virtual, stopAt: 0.1e9, stopReason: 'for' });
    expect(run.screen.text()).toContain(`Hello World!\n${DEMO}`);
  });

  it('post-11 prints the same with the fixed-size block allocator', async () => {
    const run = await runMachine(configPath('posts/post-11.yaml'), { spec: virtual, stopAt: 0.1e9, stopReason: 'for' });
    expect(run.screen.text()).toContain(DEMO);
  });

  it('kernel.allocator: buddy serves the same demo from the same heap', async () => {
    const run = await runMachine(configPath('posts/post-11.yaml'), { spec: withAllocator('buddy'), stopAt: 0.1e9, stopReason: 'for' });
    expect(run.screen.text()).toMatch(/heap_value at 0x4444444[0-9a-f]{5}\nvec at 0x4444444[0-9a-f]{5}\ncurrent reference count is 2\nreference count is 1 now\nIt did not crash!/);
  });

  it('init_heap maps the 25 heap pages (one invlpg each) and nothing faults', async () => {
    const run = await runMachine(configPath('posts/post-10.yaml'), { trace: true, spec: virtual, stopAt: 0.1e9, stopReason: 'for' });
    expect(run.traces.filter((r) => r.kind === 'cpu.exception')).toEqual([]);
    expect(run.traces.filter((r) => r.kind === 'cpu.tlb_flush' && r.cause === 'invlpg')).toHaveLength(25);
  });
});
