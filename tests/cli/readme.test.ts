// The README shows what the commands do: its machine file example loads at the path it names, and
// its status-line sample is what the full-screen UI draws.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CpuState } from '../../bus/control.js';
import type { MachineSpec } from '../../machine/config/spec.js';
import type { Machine } from '../../machine/machine.js';
import { statusLine } from '../../machine/ui/status.js';
import { ROOT } from '../support/cli.js';
import { run } from './spawn.js';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const made: string[] = [];
afterAll(() => {
  for (const f of made) rmSync(f, { force: true });
});

describe('README', () => {
  it('the machine file example passes actorpc check at the path the README gives it', async () => {
    const named = /would be\s+`(config\/[^`]+\.yaml)`/.exec(README)?.[1];
    expect(named).toBe('config/posts/my-machine.yaml');
    const yaml = /## Machines[\s\S]*?```yaml\n([\s\S]*?)```/.exec(README)![1];
    // Same folder as the README names (relative paths resolve from there), a name no one uses.
    const file = join(ROOT, 'config', 'posts', `.readme-example-${process.pid}.yaml`);
    made.push(file);
    writeFileSync(file, yaml);
    const r = await run(['check', file]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('the status-line sample is the line the full-screen UI draws', () => {
    const sample = /\n( default │ t=[^\n]*)\n/.exec(README)![1];
    const vectorCounts = new Float64Array(256);
    vectorCounts[32] = 62;
    vectorCounts[33] = 28;
    const machine = { control: { now: 3.412e9, cpuState: CpuState.Halted, vectorCounts, coalesced: 0 } } as unknown as Machine;
    const spec = { name: 'default', time: { mode: 'realtime' } } as MachineSpec;
    expect(statusLine(machine, spec)).toBe(sample);
  });
});
