// loadMachine on valid files, extends (merging, removal), errors found across files, overrides.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigErrors, formatConfigError } from '../../machine/config/errors.js';
import { loadMachine } from '../../machine/config/load.js';
import { DEFAULT_TIME_COSTS } from '../../bus/clock.js';
import type { MachineSpec } from '../../machine/config/spec.js';

const here = dirname(fileURLToPath(import.meta.url));
const machines = join(here, '../fixtures/machines');
const devices = join(here, '../fixtures/devices');
const pc = join(machines, 'pc.yaml');
const child = join(machines, 'child.yaml');
const at = (file: string, line: number, column: number) => ({ file, line, column });

async function errorsOf(promise: Promise<unknown>): Promise<ConfigErrors> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ConfigErrors) return err;
    throw err;
  }
  throw new Error('loaded without errors');
}

describe('loadMachine: a valid file', () => {
  it('resolves everything into a MachineSpec', async () => {
    const spec = await loadMachine(pc);
    const expected: MachineSpec = {
      file: pc,
      name: 'pc',
      memoryBytes: 32 * 1024 * 1024,
      time: { mode: 'virtual', idle: 'adaptive', costs: { ...DEFAULT_TIME_COSTS, instruction: 2 } },
      noReboot: false,
      watchdogMs: 10_000,
      kernel: { main: 'post-07', scenario: 'missing-eoi' },
      cpu: { threads: 0 },
      devices: [
        {
          name: 'pic1', impl: '../devices/pic.mjs', module: join(devices, 'pic.mjs'), placement: 'inline', onCrash: 'halt', limits: { memoryBytes: 512 * 2 ** 20 },
          ports: [{ region: 'io', regionIndex: 0, base: 0x20, size: 2 }, { region: 'elcr', regionIndex: 1, base: 0x4d0, size: 1 }],
          options: { role: 'master' }, pos: at(pc, 11, 3),
        },
        {
          name: 'pic2', impl: '../devices/pic.mjs', module: join(devices, 'pic.mjs'), placement: 'inline', onCrash: 'halt', limits: { memoryBytes: 512 * 2 ** 20 },
          ports: [{ region: 'io', regionIndex: 0, base: 0xa0, size: 2 }, { region: 'elcr', regionIndex: 1, base: 0x4d1, size: 1 }],
          options: { role: 'slave' }, pos: at(pc, 13, 3),
        },
        {
          name: 'pit', impl: '../devices/pit.mjs', module: join(devices, 'pit.mjs'), placement: 'inline', onCrash: 'restart',
          restart: { max: 5, withinNs: 1e9 }, limits: { memoryBytes: 512 * 2 ** 20 },
          ports: [{ region: 'io', regionIndex: 0, base: 0x40, size: 4 }],
          options: { channels: 2 }, pos: at(pc, 19, 3),
        },
        {
          name: 'display', impl: '../devices/display.mjs', module: join(devices, 'display.mjs'), placement: 'inline', onCrash: 'halt', limits: { memoryBytes: 512 * 2 ** 20 },
          ports: [{ region: 'crtc', regionIndex: 0, base: 0x3b4, size: 2 }, { region: 'status', regionIndex: 1, base: 0x3da, size: 1 }],
          adapter: 'headless', options: {}, pos: at(pc, 25, 3),
        },
      ],
      wires: [
        { from: { device: 'pit', pin: 'out0' }, to: { device: 'pic1', pin: 'ir0' }, pos: at(pc, 31, 5) },
        { from: { device: 'pic2', pin: 'int' }, to: { device: 'pic1', pin: 'ir2' }, pos: at(pc, 32, 5) },
        { from: { device: 'pic1', pin: 'int' }, to: { device: 'cpu', pin: 'intr' }, pos: at(pc, 33, 5) },
      ],
    };
    expect(spec).toEqual(expected);
  });

  it('accepts a relative path and applies defaults', async () => {
    const spec = await loadMachine(join('tests/fixtures/machines', 'pc.yaml'));
    expect(spec.file).toBe(pc);
    expect(spec.devices[0].placement).toBe('inline'); // the default: the CPU's thread
    expect(spec.watchdogMs).toBe(10_000);
    expect(spec.devices.find((d) => d.name === 'pit')!.options).toEqual({ channels: 2 });
  });

  it.runIf(existsSync(join(here, '../../devices/vga/module.ts')))('loads the built-in vga by name', async () => {
    const spec = await loadMachine(join(machines, 'vga.yaml'));
    const vga = spec.devices[0];
    expect(vga.module).toBe('vga');
    expect(vga.adapter).toBe('terminal');
    expect(vga.ports.find((p) => p.region === 'crtc')).toMatchObject({ base: 0x3d4, size: 2 });
    expect(spec.time).toEqual({ mode: 'realtime', idle: 'adaptive', costs: DEFAULT_TIME_COSTS });
  });
});

describe('loadMachine: extends', () => {
  it('merges scalars, time/kernel key by key, devices per instance, and appends wires', async () => {
    const spec = await loadMachine(child);
    expect(spec.name).toBe('child'); // the name is per file
    expect(spec.memoryBytes).toBe(64 * 1024 * 1024);
    expect(spec.time).toEqual({ mode: 'realtime', idle: 'adaptive', costs: { ...DEFAULT_TIME_COSTS, instruction: 2 } });
    expect(spec.noReboot).toBe(true);
    expect(spec.kernel).toEqual({ main: 'post-07', scenario: 'missing-eoi' });
    expect(spec.devices.map((d) => d.name)).toEqual(['pic1', 'pic2', 'display', 'timer']);
    const pic2 = spec.devices.find((d) => d.name === 'pic2')!;
    expect(pic2.placement).toBe('inline'); // from child
    expect(pic2.ports[0].base).toBe(0xa0); // from base
    expect(pic2.pos).toEqual(at(pc, 13, 3)); // where its impl was written
    const timer = spec.devices.find((d) => d.name === 'timer')!;
    expect(timer.pos).toEqual(at(child, 12, 3));
    expect(timer.ports).toEqual([{ region: 'io', regionIndex: 0, base: 0x48, size: 4 }]);
  });

  it('removes an instance set to ~, with the wires it had in the base', async () => {
    const spec = await loadMachine(child);
    expect(spec.devices.some((d) => d.name === 'pit')).toBe(false);
    expect(spec.wires.map((w) => `${w.from.device}.${w.from.pin} -> ${w.to.device}.${w.to.pin}`)).toEqual([
      'pic2.int -> pic1.ir2',
      'pic1.int -> cpu.intr',
      'timer.out0 -> pic1.ir0',
    ]);
    expect(spec.wires[0].pos).toEqual(at(pc, 32, 5));
    expect(spec.wires[2].pos).toEqual(at(child, 17, 5));
  });

  it('reports an error written in the base file at its own file:line:column', async () => {
    const { errors } = await errorsOf(loadMachine(join(here, '../fixtures/broken/error-in-base.yaml')));
    expect(errors[0].pos).toEqual(at(join(machines, 'bad-base.yaml'), 8, 16));
  });

  it('reports a cycle through two files', async () => {
    const { errors } = await errorsOf(loadMachine(join(machines, 'cycle-a.yaml')));
    expect(errors).toHaveLength(1);
    expect(errors[0].pos).toEqual(at(join(machines, 'cycle-b.yaml'), 1, 10));
    expect(errors[0].message).toMatch(/cycle-a\.yaml extends .*cycle-b\.yaml extends .*cycle-a\.yaml/);
  });
});

describe('loadMachine: collecting errors', () => {
  it('reports every error of a file, in file order, then a count', async () => {
    const file = join(machines, 'many-errors.yaml');
    const err = await errorsOf(loadMachine(file));
    expect(err.errors.map((e) => [e.line, e.keyPath])).toEqual([
      [1, 'memory'],
      [5, 'devices.pic1.prots'],
      [8, 'devices.pit.placement'],
      [10, 'kernel.main'],
      [12, 'wires[0]'],
    ]);
    const lines = err.message.split('\n');
    expect(lines).toHaveLength(6);
    expect(lines[5]).toBe('5 errors in tests/fixtures/machines/many-errors.yaml');
    expect(lines[0]).toBe(formatConfigError(err.errors[0]));
  });

  it('reports every port overlap at the later claim, naming the earlier one', async () => {
    const file = join(machines, 'overlaps.yaml');
    const { errors } = await errorsOf(loadMachine(file));
    expect(errors.map((e) => [e.line, e.column, e.keyPath])).toEqual([
      [7, 3, 'devices.pic2.ports.io'],
      [7, 3, 'devices.pic2.ports.elcr'],
      [12, 11, 'devices.pit.ports.io'],
    ]);
    expect(errors[0].message).toContain('ports 0x20-0x21 of pic2.io (default base) overlap ports 0x20-0x21 of pic1.io (port 0x20), placed at tests/fixtures/machines/overlaps.yaml:5:3');
    expect(errors[1].message).toContain('port 0x4d0 of pic2.elcr (default base) overlaps port 0x4d0 of pic1.elcr');
    expect(errors[2].message).toContain('ports 0x4cf-0x4d2 of pit.io overlap port 0x4d0 of pic1.elcr');
    expect(errors[2].hint).toMatch(/move one of them, e\.g\. ports: \{ io: 0x[0-9a-f]+ \}/);
  });
});

describe('loadMachine: overrides and options', () => {
  it('applies an overrides layer last', async () => {
    const spec = await loadMachine(pc, { memory: '256MiB', time: { mode: 'realtime' }, devices: { pit: { placement: 'worker' } } });
    expect(spec.memoryBytes).toBe(256 * 1024 * 1024);
    expect(spec.time).toEqual({ mode: 'realtime', idle: 'adaptive', costs: { ...DEFAULT_TIME_COSTS, instruction: 2 } });
    expect(spec.devices.find((d) => d.name === 'pit')!.placement).toBe('worker');
    expect(spec.devices.find((d) => d.name === 'pit')!.worker).toBe('pit'); // a worker of its own
  });

  it('placement { worker: GROUP } puts devices on one shared worker', async () => {
    const spec = await loadMachine(pc, { devices: { pit: { placement: { worker: 'chipset' } }, pic1: { placement: { worker: 'chipset' } } } });
    const where = (name: string) => spec.devices.find((d) => d.name === name)!;
    expect([where('pit').placement, where('pit').worker]).toEqual(['worker', 'chipset']);
    expect([where('pic1').placement, where('pic1').worker]).toEqual(['worker', 'chipset']);
  });

  it('a mistyped placement gets the allowed words and a did-you-mean', async () => {
    const err = await errorsOf(loadMachine(pc, { devices: { pit: { placement: 'inlin' } } }));
    expect(err.message).toContain('Did you mean "inline"?');
    expect(err.message).toContain('Allowed: worker, inline.');
  });

  it('reports a bad override under its label', async () => {
    const { errors } = await errorsOf(loadMachine(pc, { memory: '256MB' }, { overridesLabel: '--memory' }));
    expect(formatConfigError(errors[0])).toBe(
      '--memory: memory: "256MB": unknown unit "MB". Write 256MiB: sizes use the binary units B, KiB, MiB, GiB (1 MiB = 1024 KiB), so that there is no doubt between 1000 and 1024.',
    );
  });

  it('checks kernel.main against the list it is given', async () => {
    const { errors } = await errorsOf(loadMachine(pc, undefined, { kernelMains: ['post-04', 'post-05'] }));
    expect(errors[0].keyPath).toBe('kernel.main');
    expect(errors[0].hint).toContain('Allowed: post-04, post-05.');
  });

  it('reports a missing file', async () => {
    const { errors } = await errorsOf(loadMachine(join(machines, 'nope.yaml')));
    expect(errors[0].message).toContain(`file not found: ${join(machines, 'nope.yaml')}`);
  });
});
