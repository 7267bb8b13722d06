import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigErrors } from '../../machine/config/errors.js';
import { loadMachine } from '../../machine/config/load.js';

const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

function machineFile(time: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'actorpc-idle-'));
  temps.push(dir);
  const file = join(dir, 'm.yaml');
  writeFileSync(file, `memory: 16MiB\ntime:\n${time}\nkernel:\n  main: post-03\ndevices: {}\n`);
  return file;
}

describe('time.idle', () => {
  it('defaults to adaptive and accepts sleep and poll (halt polling)', async () => {
    expect((await loadMachine(machineFile('  mode: realtime'))).time.idle).toBe('adaptive');
    expect((await loadMachine(machineFile('  idle: sleep'))).time.idle).toBe('sleep');
    expect((await loadMachine(machineFile('  idle: poll'))).time.idle).toBe('poll');
  });

  it('an unknown idle mode names the allowed ones at its line and column', async () => {
    const err = await loadMachine(machineFile('  idle: spin')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigErrors);
    const text = (err as ConfigErrors).message;
    expect(text).toMatch(/m\.yaml:3:9: time\.idle: .*"spin"/);
    expect(text).toContain('adaptive, sleep, poll');
  });
});
