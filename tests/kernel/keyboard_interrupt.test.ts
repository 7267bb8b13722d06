// The keyboard interrupt handler as it changes between post 07 (decode and print in the ISR,
// blog-os-behaviour.md §8.8) and post 12 (queue the byte for a task, §13.4), and the post-12
// kernel entry end to end — driven by a test keyboard controller on IRQ1 (vector 33) in virtual time.
import { describe, expect, it } from 'vitest';
import { MachineStop } from '../../cpu/errors.js';
import { setFeatures } from '../../kernel/features.js';
import { hlt_loop, init } from '../../kernel/lib.js';
import { NEWEST_KERNEL, KERNEL_MAINS } from '../../kernel/mains.js';
import { cpuRig, type CpuRig } from '../support/cpu-rig.js';
import { throwOnPanic } from '../support/kernel-panic.js';
import { kbcDevice, keystroke, type ScriptedByte } from '../support/test-kbc.js';

const screen = (rig: CpuRig, r: number) => rig.row(r).replace(/\0/g, ' ').trimEnd();

/** Bytes 10 µs apart from `at`. */
const bytes = (at: number, list: number[]): ScriptedByte[] => list.map((byte, i) => ({ at: at + i * 10_000, byte }));

function machine(script: ScriptedByte[], stopAt = 5e6) {
  const kbc = kbcDevice(script);
  const rig = cpuRig({ devices: kbc.devices, wires: kbc.wires, cpu: { stopAt } });
  throwOnPanic();
  return { rig, stats: kbc.stats };
}

describe('post 07: the ISR decodes with Keyboard<Us104Key, ScancodeSet1> and prints', () => {
  it('prints characters and RawKey names: Shift shows "LShift", backslash shows "Oem7", Enter starts a line', () => {
    const script = bytes(1e6, [0x2a, 0x1e, 0x9e, 0xaa, 0x1e, 0x9e, 0x2b, 0xab, 0x1c, 0x9c, 0x02, 0x82, 0xe0, 0x48, 0xe0, 0xc8]);
    const { rig, stats } = machine(script);
    setFeatures({ post: 7 });
    init();
    expect(() => hlt_loop()).toThrow(MachineStop);
    expect(screen(rig, 23)).toBe('LShiftAaOem7');
    expect(screen(rig, 24)).toBe('1ArrowUp');
    expect(stats.read).toEqual(script.map((s) => s.byte)); // every byte read once, in order
    expect(stats.eois).toBe(script.length);
  });

  it('a control key prints ■ through the VGA writer (Escape → 0xFE)', () => {
    const { rig } = machine(bytes(1e6, [0x01, 0x81]));
    setFeatures({ post: 7 });
    init();
    expect(() => hlt_loop()).toThrow(MachineStop);
    expect(rig.cell(24, 0).char).toBe(0xfe);
  });
});

describe('post 12: the ISR only queues the byte (task::keyboard::add_scancode)', () => {
  it('with no ScancodeStream yet, every byte is an "uninitialized" warning and nothing is decoded', () => {
    const { rig, stats } = machine(bytes(1e6, [0x1e, 0x9e]));
    setFeatures({ post: 12 });
    init();
    expect(() => hlt_loop()).toThrow(MachineStop);
    expect([screen(rig, 22), screen(rig, 23), screen(rig, 24)]).toEqual([
      'WARNING: scancode queue uninitialized', 'WARNING: scancode queue uninitialized', '',
    ]);
    expect(stats.eois).toBe(2);
  });
});

describe('the post-12 kernel entry', () => {
  it('is registered as the newest kernel', () => {
    expect(NEWEST_KERNEL).toBe('post-12');
    expect(KERNEL_MAINS['post-12'].title).toContain('Async/Await');
  });
  // The whole post-12 entry (heap from the BootInfo, executor, typed keys) boots on the real
  // machine in tests/machine/keyboard.test.ts; the exact queue warnings are in scancode_queue.test.ts.
});
