// cpu.threads (host threads for guest threads, cpu/threads.ts) and kernel.timeslice: read into the
// spec, bad values are errors at their place with the fix, and the run flags that cannot follow the
// CPU onto guest-thread workers are refused with exit status 2.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMachine } from '../../machine/config/load.js';
import { actorpc } from '../support/cli.js';
import { errorText, FIXTURE_PC as pc, machineFiles } from '../support/config.js';

const { dir, machine } = machineFiles('actorpc-threads-');

describe('cpu.threads and kernel.timeslice', () => {
  it('default to no guest-thread workers and no timeslice; a file sets them, extends and overrides layer them', async () => {
    const plain = await loadMachine(pc);
    expect(plain.cpu).toEqual({ threads: 0 });
    expect(plain.kernel.timesliceNs).toBeUndefined();
    const set = await loadMachine(machine('set', 'cpu:\n  threads: 3\nkernel:\n  main: post-07\n  timeslice: 4ms\n'));
    expect(set.cpu.threads).toBe(3);
    expect(set.kernel.timesliceNs).toBe(4e6);
    const child = join(dir, 'child.yaml');
    writeFileSync(child, `extends: set.yaml\ncpu:\n  threads: 5\n`);
    expect((await loadMachine(child)).cpu.threads).toBe(5);
    expect((await loadMachine(child, { cpu: { threads: 1 } })).cpu.threads).toBe(1);
  });

  it('a bad thread count or timeslice is an error at its place, with the fix', async () => {
    expect(await errorText(machine('negative', 'cpu:\n  threads: -1\n'))).toMatch(/negative\.yaml:3:12: cpu\.threads/);
    expect(await errorText(machine('many', 'cpu:\n  threads: 65\n'))).toMatch(/many\.yaml:3:12: cpu\.threads/);
    expect(await errorText(machine('typo', 'cpu:\n  thread: 2\n'))).toMatch(/typo\.yaml:3:3: cpu.*thread/);
    const slice = await errorText(machine('slice', 'kernel:\n  main: post-07\n  timeslice: 5s\n'));
    expect(slice).toContain('kernel.timeslice: must be between 100us and 1s, got 5s');
    expect(slice).toContain('Write e.g. timeslice: 10ms.');
  });

  it('--monitor, --record, --replay and --stop-at on a machine with guest threads: one paragraph, exit status 2', () => {
    for (const flags of [['--monitor', 'stdio'], ['--record', join(dir, 'r.rec')], ['--replay', join(dir, 'none.rec')], ['--stop-at', '1s']]) {
      const r = actorpc(['run', 'config/bench/switch.yaml', '--headless', '--for', '1s', ...flags]);
      expect(r.status, flags.join(' ')).toBe(2);
      expect(r.stderr).toContain(`${flags[0]} cannot be used with`);
      expect(r.stderr).toContain('guest threads (cpu.threads: 1)');
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
