// Keyboard to screen on the whole machine (post 12, virtual time): 8042 → IRQ1 → ISR queue →
// waker → executor → print_keypresses → VGA.
import { describe, expect, it } from 'vitest';
import type { TraceRecord } from '../../bus/trace.js';
import { pressKey, typeText } from '../../machine/input/keymap.js';
import { configPath, runMachine, virtual } from '../support/machine.js';

const keys = (text: string, gap?: number) => typeText(text, 0, gap).events.map((e) => ({ key: e.key, down: e.down, delay: e.delay }));

describe('post 12: keyboard to screen', () => {
  it('boots to "Hello World!", "async number: 42", and timer dots', async () => {
    const run = await runMachine(configPath('posts/post-12.yaml'), { spec: virtual, stopAt: 0.5e9, stopReason: 'for' });
    expect(run.screen.text()).toMatch(/Hello World!\n\.*async number: 42\n?\.{8,}/);
  });

  it('typing "hello world 42" shows it on the bottom row', async () => {
    const run = await runMachine(configPath('posts/post-12.yaml'), { spec: virtual, keys: keys('hello world 42'), stopAt: 0.05e9, stopReason: 'for' });
    expect(run.screen.rowText(24).trimEnd()).toBe('hello world 42');
  });

  it('every scancode byte is one IRQ1 and one trip through the chain to the task', async () => {
    const run = await runMachine(configPath('posts/post-12.yaml'), { trace: true, spec: virtual, keys: keys('a'), stopAt: 0.05e9, stopReason: 'for' });
    const of = (kind: string, p: (r: TraceRecord) => boolean = () => true) => run.traces.filter((r) => r.kind === kind && p(r));
    expect(of('kbd.key').map((r) => [r.key, r.action, r.bytes])).toEqual([['A', 'make', '1e'], ['A', 'break', '9e']]);
    expect(of('cpu.int', (r) => r.vector === 33)).toHaveLength(2);
    expect(of('io.read', (r) => r.port === 0x60).map((r) => r.value).slice(-2)).toEqual([0x1e, 0x9e]); // after the BIOS's own reads
    expect(run.screen.rowText(24).trimEnd()).toBe('a');
  });

  it('Shift prints "LShift" as pc-keyboard 0.7 does, and the backslash key prints "Oem7"', async () => {
    const run = await runMachine(configPath('posts/post-12.yaml'), { spec: virtual, keys: [...keys('A\\')], stopAt: 0.05e9, stopReason: 'for' });
    expect(run.screen.rowText(24).trimEnd()).toBe('LShiftAOem7');
  });

  it('arrow keys arrive with their 0xE0 prefix and print their names', async () => {
    const events = pressKey('ArrowUp', 0, 1e6).map((e) => ({ key: e.key, down: e.down, delay: e.delay }));
    const run = await runMachine(configPath('posts/post-12.yaml'), { spec: virtual, keys: events, stopAt: 0.05e9, stopReason: 'for' });
    expect(run.screen.rowText(24).trimEnd()).toBe('ArrowUp');
  });

  it('a flood of keys faster than the task can run fills the queue: the warning, and the machine carries on', async () => {
    const flood = keys('abcdefghij'.repeat(30), 10); // a byte every 10 ns of machine time
    const later = keys('ok', 1e6).map((e) => ({ ...e, delay: e.delay + 0.2e9 }));
    // The queue fills when interrupts outpace the task. With a PC's costs an IRQ1 round trip is
    // ≈ 3 µs of ISA cycles while the task's work is memory-bound, so the keyboard's own buffer
    // overflows first: this run charges 1 ns an instruction, the model before time.costs
    // (docs/time.md), to reach the kernel's path.
    const fastBus = (s: Parameters<typeof virtual>[0]) => {
      const v = virtual(s);
      return { ...v, time: { ...v.time, costs: { instruction: 1, memory: 1, io: 1, inta: 0, delivery: 0, iret: 0 } } };
    };
    const run = await runMachine(configPath('posts/post-12.yaml'), { spec: fastBus, keys: [...flood, ...later], stopAt: 0.5e9, stopReason: 'for' });
    const text = run.screen.text();
    expect(text).toContain('WARNING: scancode queue full; dropping keyboard input');
    expect(run.screen.rowText(24)).toMatch(/ok/);
  });
});
