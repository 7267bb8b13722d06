// The userspace kernel (kernel.main: userspace) booted as a whole machine in virtual time: user
// programs at CPL 3, SYS_WRITE and SYS_EXIT through syscall/sysretq, and the scenarios where ring 3
// does what it may not (issue 13).
import { describe, expect, it } from 'vitest';
import type { TraceRecord } from '../../bus/trace.js';
import type { MachineSpec } from '../../machine/config/spec.js';
import { configPath, runMachine, virtual } from '../support/machine.js';

const SECOND = 1e9;
const KERNEL_DATA = { start: 0x300000, end: 0x400000 };

function kernel(scenario?: string) {
  return (s: MachineSpec): MachineSpec => ({ ...virtual(s), kernel: { main: 'userspace', ...(scenario ? { scenario } : {}) } });
}

async function boot(scenario: string | undefined, seconds: number) {
  const run = await runMachine(configPath('userspace.yaml'), { trace: true, spec: kernel(scenario), stopAt: seconds * SECOND, stopReason: 'for' });
  const text = run.screen.text();
  return {
    ...run,
    text,
    /** The screen without the timer's dots (they land between any two lines). */
    lines: text.replace(/\./g, '').split('\n').map((l) => l.trimEnd()).filter((l) => l !== ''),
    dots: text.split('').filter((c) => c === '.').length,
    of: (kind: string, pred: (r: TraceRecord) => boolean = () => true) => run.traces.filter((r) => r.kind === kind && pred(r)),
  };
}

/** Bytes written to COM1's data register, as text. */
function serialText(traces: TraceRecord[]): string {
  return traces.filter((r) => r.kind === 'io.write' && r.port === 0x3f8).map((r) => String.fromCharCode(Number(r.value))).join('');
}

describe('kernel.main: userspace', () => {
  it('runs two programs one after the other: "Hello from ring 3!" each, their exit statuses, then the timer dots', async () => {
    const run = await boot(undefined, 3);
    expect(run.lines).toEqual([
      'Hello World!',
      '[kernel] running hello in ring 3',
      'Hello from ring 3!',
      '[kernel] hello exited with status 0',
      '[kernel] running hello-again in ring 3',
      'Hello from ring 3!',
      '[kernel] hello-again exited with status 19', // the byte count its SYS_WRITE returned
      '[kernel] no program left; the timer goes on',
    ]);
    expect(Math.abs(run.dots - 55)).toBeLessThanOrEqual(2); // ≈18.2 Hz for 3 s
    expect(serialText(run.traces).replace(/\r/g, '')).toContain('Hello from ring 3!\nHello from ring 3!\n'); // COM1 gets CR LF
    expect(run.of('cpu.exception')).toEqual([]);
  });

  it('user-cli: cli in ring 3 is #GP(0); the kernel reports GENERAL PROTECTION FAULT and ends that program only', async () => {
    const run = await boot('user-cli', 2);
    expect(run.lines.slice(0, 6)).toEqual([
      'Hello World!',
      '[kernel] running user-cli in ring 3',
      'EXCEPTION: GENERAL PROTECTION FAULT',
      'Error Code: 0x0',
      expect.stringMatching(/^in ring 3 at 0x6[0-9a-f]{5}, user stack 0x67fff8$/),
      '[kernel] program ended by GENERAL PROTECTION FAULT',
    ]);
    expect(run.lines.slice(6, 9)).toEqual(['[kernel] running hello in ring 3', 'Hello from ring 3!', '[kernel] hello exited with status 0']);
    expect(run.of('cpu.exception').map((r) => [r.vector, r.error_code])).toEqual([[13, 0]]);
    expect(Math.abs(run.dots - 36)).toBeLessThanOrEqual(2);
  });

  it('user-reads-kernel: a load from kernel data is #PF PROTECTION_VIOLATION | USER_MODE; the program is ended', async () => {
    const run = await boot('user-reads-kernel', 2);
    expect(run.lines.slice(1, 7)).toEqual([
      '[kernel] running user-reads-kernel in ring 3',
      'EXCEPTION: PAGE FAULT',
      'Accessed Address: Ok(VirtAddr(0x300000))',
      'Error Code: PageFaultErrorCode(PROTECTION_VIOLATION | USER_MODE)',
      expect.stringMatching(/^in ring 3 at 0x7[0-9a-f]{5}, user stack 0x77fff8$/),
      '[kernel] program ended by PAGE FAULT',
    ]);
    expect(run.of('cpu.page_fault').map((r) => [r.addr, r.error_code])).toEqual([[0x300000, 0b101]]);
    expect(run.lines).toContain('[kernel] hello exited with status 0');
  });

  it('bad-pointer: SYS_WRITE with a kernel pointer, an unmapped one, one past its page and fd 2 returns error values; no fault, the machine carries on', async () => {
    const run = await boot('bad-pointer', 2);
    expect(run.lines.slice(1, 4)).toEqual([
      '[kernel] running bad-pointer in ring 3',
      'SYS_WRITE: -14 kernel pointer, -14 unmapped, -14 past its page, -9 fd 2',
      '[kernel] bad-pointer exited with status 0',
    ]);
    // The trace shows each system call: entry (nr = RAX) and its sysretq with the value RAX got.
    // SYS_EXIT (60) never returns: the program ends in the kernel.
    const calls = run.of('cpu.syscall', (r) => r.nr !== 60);
    const rets = run.of('cpu.sysret');
    expect(run.of('cpu.syscall', (r) => r.nr === 60).length).toBeGreaterThanOrEqual(2);
    expect(rets.length).toBe(calls.length);
    expect(rets.slice(0, 4).map((r) => [r.nr, r.result])).toEqual([[1, -14], [1, -14], [1, -14], [1, -9]]);
    expect(calls.every((c, i) => rets[i].t >= c.t && rets[i].duration === rets[i].t - c.t)).toBe(true);
    expect(run.of('cpu.exception')).toEqual([]);
    expect(run.lines).toContain('[kernel] hello exited with status 0');
    expect(Math.abs(run.dots - 36)).toBeLessThanOrEqual(2);
  });

  it('timer-in-ring-3: each tick taken while a program spins in ring 3 runs on the TSS.RSP0 stack and returns to ring 3', async () => {
    const run = await boot('timer-in-ring-3', 2);
    expect(run.lines.slice(-2)).toEqual(['[kernel] running spin in ring 3', 'spinning in ring 3']);
    const ticks = run.of('cpu.int', (r) => r.vector === 32);
    const spinning = ticks.slice(-20); // the program spins from well before the last second
    const frames = new Set(spinning.map((r) => r.rsp as number));
    // One frame address for all of them: every tick interrupted ring 3 and switched to the empty RSP0
    // stack (a tick taken in ring 0 pushes below the current RSP instead), in the kernel's statics.
    expect(frames.size).toBe(1);
    const [frame] = frames;
    expect(frame).toBeGreaterThanOrEqual(KERNEL_DATA.start);
    expect(frame).toBeLessThan(KERNEL_DATA.end);
    expect(frame % 16).toBe(8); // 40 bytes below a 16-aligned top
    expect(Math.abs(run.dots - 36)).toBeLessThanOrEqual(2);
    expect(run.dots).toBe(ticks.length);
  });
});
