// time.costs (docs/time.md): virtual time per instruction class. Defaults from real hardware,
// overridden key by key through extends and overrides; ns_per_instruction stays the older
// spelling of costs.instruction; a bad value is a ConfigError at its place (exit status 2).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TIME_COSTS } from '../../bus/clock.js';
import { loadMachine } from '../../machine/config/load.js';
import { actorpc } from '../support/cli.js';
import { errorText, FIXTURE_PC as pc, machineFiles } from '../support/config.js';

const { dir, machine } = machineFiles('actorpc-costs-');

describe('time.costs', () => {
  it('defaults: 1ns an instruction, 3ns a memory access, 1us a port access and an INTA, 100ns delivery and iretq', () => {
    expect(DEFAULT_TIME_COSTS).toEqual({ instruction: 1, memory: 3, io: 1000, inta: 1000, delivery: 100, iret: 100 });
  });

  it('a file overrides the classes it names, in their units; the rest keep the defaults', async () => {
    const spec = await loadMachine(machine('io', 'time:\n  costs:\n    io: 2us\n    memory: 5ns\n    iret: 0\n'));
    expect(spec.time.costs).toEqual({ ...DEFAULT_TIME_COSTS, instruction: 2, io: 2000, memory: 5, iret: 0 });
  });

  it('costs merge key by key through extends, and costs.instruction wins over ns_per_instruction', async () => {
    const base = machine('base', 'time:\n  costs:\n    io: 500ns\n    inta: 2us\n');
    writeFileSync(join(dir, 'top.yaml'), `extends: ${base}\ntime:\n  costs:\n    inta: 1.5us\n    instruction: 4ns\n`);
    const spec = await loadMachine(join(dir, 'top.yaml'));
    expect(spec.time.costs).toEqual({ ...DEFAULT_TIME_COSTS, instruction: 4, io: 500, inta: 1500 });
  });

  it('the overrides layer (the command line, the library) can set a cost', async () => {
    const spec = await loadMachine(pc, { time: { costs: { delivery: '250ns' } } });
    expect(spec.time.costs.delivery).toBe(250);
  });

  it('a cost above 1s or below 1ns resolution is an error at its place, with the fix', async () => {
    const long = await errorText(machine('long', 'time:\n  costs:\n    io: 2s\n'));
    expect(long).toMatch(/long\.yaml:4:9: time\.costs\.io: "2s" is more than 1s for one instruction\. Write a duration from 0 to 1s; the default is 1us\./);
    const fraction = await errorText(machine('fraction', 'time:\n  costs:\n    memory: 0.5ns\n'));
    expect(fraction).toContain('time.costs.memory: "0.5ns" is not a whole number of nanoseconds.');
    const negative = await errorText(machine('negative', 'time:\n  costs:\n    iret: -100ns\n'));
    expect(negative).toContain('time.costs.iret: "-100ns" is not a duration.');
  });

  it('actorpc check: a bad cost is one paragraph on stderr and exit status 2', () => {
    const r = actorpc(['check', 'tests/fixtures/broken/time-costs-unit.yaml']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('tests/fixtures/broken/time-costs-unit.yaml:7:9: time.costs.io: "1 microsecond": unknown unit "microsecond". Write 1us.');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});
