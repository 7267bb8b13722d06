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

describe('README: preemptive multitasking', () => {
  it('the preemption sample (virtual time) is what the command prints', async () => {
    const block = /## Past the blog: preemptive multitasking[\s\S]*?```sh\n\$ npx actorpc (run [^\n]*)\n([\s\S]*?)\n\$ /.exec(README)!;
    const args = block[1].split(' ').map((a) => a.replace(/^"|"$/g, ''));
    const quoted = /--type "([^"]*)"/.exec(block[1])![1];
    const argv = args.slice(0, args.indexOf('--type') + 1).concat(quoted, args.slice(args.indexOf('--type') + 2));
    const r = await run(argv);
    expect(r.status).toBe(0);
    const printed = r.stdout.split('\n').filter((l) => l.trim() !== '');
    const sample = block[2].split('\n');
    expect(printed.slice(0, sample.length - 1)).toEqual(sample.slice(0, -1));
    expect(printed[sample.length - 1].startsWith(sample.at(-1)!.replace('…', ''))).toBe(true);
  });

  it('the issue\'s command, in realtime: A, B and C interleave and typed keys are echoed', async () => {
    const r = await run(['run', 'config/preemption.yaml', '--headless', '--for', '3s', '--type', 'hi', '--stats', 'off']);
    expect(r.status).toBe(0);
    const letters = r.stdout.split('\n').filter((l) => /^[ABChi]+$/.test(l)).join('');
    // The echo, wherever the letters fall between its two keys (their times are the host's here).
    expect(letters.replace(/[ABC]/g, '')).toBe('hi');
    const abc = letters.replace(/[hi]/g, '');
    expect(abc.length).toBeGreaterThan(30);
    // All three threads ran throughout (exact order is the virtual-time tests' business: a loaded
    // host can make a realtime tick late and wake two sleepers at once).
    for (const c of 'ABC') expect(abc.split(c).length - 1).toBeGreaterThan(10);
    expect(abc.slice(-30)).toMatch(/A/);
    expect(abc.slice(-30)).toMatch(/B/);
    expect(abc.slice(-30)).toMatch(/C/);
  });
});
