// Guest threads on host threads (cpu/threads.ts, machine/actors/guest-threads.ts), driven by the
// bench-switch kernel: two guest threads hand the CPU back and forth; its scenarios make the
// second thread (on a worker host thread) do port I/O, keep the CPU, or triple-fault.
import { describe, expect, it } from 'vitest';
import type { TraceRecord } from '../../bus/trace.js';
import type { DeviceSpec, MachineSpec } from '../../machine/config/spec.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configPath, runMachine, virtual } from '../support/machine.js';
import { tempDirs } from '../support/temp.js';

const temp = tempDirs('actorpc-threads-');
const THROWING = fileURLToPath(new URL('../fixtures/devices/throwing.mjs', import.meta.url));

const SECOND = 1e9;

function spec(options: { scenario?: string; threads?: number; noReboot?: boolean; realtime?: boolean } = {}) {
  return (s: MachineSpec): MachineSpec => ({
    ...(options.realtime ? s : virtual(s)),
    kernel: { main: 'bench-switch', ...(options.scenario ? { scenario: options.scenario } : {}) },
    cpu: { threads: options.threads ?? 1 },
    noReboot: options.noReboot ?? true,
  });
}

async function boot(options: Parameters<typeof spec>[0] = {}, seconds = 5, device?: (d: DeviceSpec) => DeviceSpec) {
  const run = await runMachine(configPath('bench/switch.yaml'), { trace: true, spec: spec(options), stopAt: seconds * SECOND, stopReason: 'for', device });
  const of = (kind: string) => run.traces.filter((r) => r.kind === kind);
  return { ...run, text: run.screen.text(), of };
}

/** The trace with what differs between two identical runs only by host timing removed (none is expected). */
const comparable = (traces: TraceRecord[]) => traces.map((r) => JSON.stringify(r));

describe('guest threads: the CPU passed between host threads', () => {
  it('two threads switch 2000 times each way, every switch traced as cpu.switch from one host thread to the other', async () => {
    const run = await boot();
    expect(run.result.status).toBe(33);
    expect(run.text).toContain('bench-switch: 2000 switches out, 2000 back');
    const switches = run.of('cpu.switch');
    expect(switches).toHaveLength(4000);
    switches.forEach((r, i) => expect([r.from, r.to]).toEqual(i % 2 === 0 ? [0, 1] : [1, 0]));
    // Machine time moves on across the switches: each one is charged where it retires.
    for (let i = 1; i < switches.length; i++) expect(switches[i].t).toBeGreaterThan(switches[i - 1].t);
    // --stats' host section: the worker's guest thread ran for some host time of its own.
    expect(run.result.cpu?.threadHostMs).toHaveLength(1);
    expect(run.result.cpu!.threadHostMs![0]).toBeGreaterThan(0);
  });

  it('a virtual-time run is byte-identical when repeated, switches included', async () => {
    const a = await boot({ scenario: 'io' });
    const b = await boot({ scenario: 'io' });
    expect(a.result.status).toBe(33);
    expect(comparable(a.traces)).toEqual(comparable(b.traces));
  });

  it('port I/O from the thread on the worker reaches the device through the boot thread, in order', async () => {
    const run = await boot({ scenario: 'io' });
    const com1 = run.of('io.write').filter((r) => r.port === 0x3f8).map((r) => String.fromCharCode(Number(r.value)));
    expect(com1.join('')).toBe('12345678');
    // Each write lies between the switch to the worker and the switch back.
    const firstWrite = run.traces.findIndex((r) => r.kind === 'io.write' && r.port === 0x3f8);
    const before = run.traces.slice(0, firstWrite).filter((r) => r.kind === 'cpu.switch');
    expect(before.at(-1)).toMatchObject({ from: 0, to: 1 });
  });

  it('every device on a worker of its own: the same trace as inline, the thread on the worker reaching them through the boot thread', async () => {
    const inline = await boot({ scenario: 'io' });
    const workers = await boot({ scenario: 'io' }, 5, (d) => ({ ...d, placement: 'worker' }));
    expect(workers.result.status).toBe(33);
    expect(comparable(workers.traces)).toEqual(comparable(inline.traces));
  });

  it('a device that throws while serving the thread on the worker stops the machine naming it, as from the boot thread', async () => {
    const dir = temp.make();
    const file = join(dir, 'bug.yaml');
    // Its register at 0x3f8 is offset 1, whose write throws: the io scenario's first COM1 write.
    writeFileSync(file, `extends: ${configPath('bench/switch.yaml')}\ndevices:\n  com1: ~\n  bug:\n    impl: ${THROWING}\n    ports: { io: 0x3f7 }\n    options: { in: write }\n`);
    const run = await runMachine(file, { trace: true, spec: spec({ scenario: 'io' }), stopAt: 5 * SECOND, stopReason: 'for' });
    expect(run.result.reason).toBe('crash');
    expect(run.result.crash?.actor).toBe('bug');
    expect(run.result.crash?.error).toContain('model bug: counter underflow');
    // It happened on the worker's turn: after the switch to host thread 1 and before any back.
    const switches = run.traces.filter((r) => r.kind === 'cpu.switch');
    expect(switches.map((r) => [r.from, r.to])).toEqual([[0, 1]]);
  });

  it('the machine-time limit stops a run whose CPU is held by the thread on the worker', async () => {
    const run = await boot({ scenario: 'keep' }, 1);
    expect(run.result.reason).toBe('for');
    expect(run.of('cpu.switch')).toEqual([expect.objectContaining({ from: 0, to: 1 })]);
    expect(run.of('cpu.idle')).toHaveLength(1);
    expect(run.of('machine.stop')[0]).toMatchObject({ reason: 'for', t: SECOND });
  });

  it('a triple fault on the worker exits with no_reboot, and resets the machine without it; the worker is reused after each reset', async () => {
    const exit = await boot({ scenario: 'fault' });
    expect(exit.result.reason).toBe('triple-fault');
    expect(exit.of('cpu.triple_fault')).toHaveLength(1);

    const loop = await boot({ scenario: 'fault', noReboot: false });
    expect(loop.result.reason).toBe('boot-loop');
    const resets = loop.of('machine.reset').length;
    expect(resets).toBe(50);
    // Every boot created its second thread on host thread 1 again and switched to it.
    expect(loop.of('cpu.switch').filter((r) => r.from === 0 && r.to === 1)).toHaveLength(resets);
  });

  it('without cpu.threads the kernel cannot create a thread, and says how to give it one', async () => {
    const run = await boot({ threads: 0 }, 1);
    expect(run.text).toContain('no host thread for a second guest thread: set cpu.threads');
    expect(run.of('cpu.switch')).toEqual([]);
  });

  it('runs in realtime as in virtual time (the clock is shared across host threads: machine time never goes back)', async () => {
    const run = await boot({ realtime: true, scenario: 'io' }, 30);
    expect(run.result.status).toBe(33);
    const t = run.traces.map((r) => r.t);
    for (let i = 1; i < t.length; i++) expect(t[i]).toBeGreaterThanOrEqual(t[i - 1]);
  });
});
