// A device's on_crash (halt | restart | { restart: N, within: DURATION }) and limits.memory:
// resolved with their defaults, and mistakes reported at file:line:column with a fix.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigErrors, formatConfigError } from '../../machine/config/errors.js';
import { loadMachine } from '../../machine/config/load.js';
import type { DeviceSpec } from '../../machine/config/spec.js';
import { tempDirs } from '../support/temp.js';

const THROWING = fileURLToPath(new URL('../fixtures/devices/throwing.mjs', import.meta.url));
const dir = tempDirs('actorpc-crash-policy-').make();
let n = 0;

/** A machine file whose one device has these extra lines (indented under it). */
function machine(lines: string): string {
  const file = join(dir, `m${++n}.yaml`);
  writeFileSync(file, `memory: 32MiB\nkernel:\n  main: post-07\ndevices:\n  faulty:\n    impl: ${THROWING}\n${lines.replace(/^/gm, '    ')}\n`);
  return file;
}

async function device(lines: string): Promise<DeviceSpec> {
  return (await loadMachine(machine(lines))).devices[0];
}

async function errors(lines: string): Promise<string[]> {
  const file = machine(lines);
  try {
    await loadMachine(file);
  } catch (err) {
    if (err instanceof ConfigErrors) return err.errors.map((e) => formatConfigError(e).replace(`${file}:`, 'FILE:'));
    throw err;
  }
  throw new Error('loaded without errors');
}

describe('on_crash and limits', () => {
  it('default: halt, and a memory limit of 512MiB', async () => {
    expect(await device('')).toMatchObject({ onCrash: 'halt', limits: { memoryBytes: 512 * 2 ** 20 } });
    expect((await device('')).restart).toBeUndefined();
  });

  it('restart alone allows 5 restarts within 1s of machine time; the map form sets the budget, within defaulting to 1s', async () => {
    expect(await device('on_crash: restart')).toMatchObject({ onCrash: 'restart', restart: { max: 5, withinNs: 1e9 } });
    expect(await device('on_crash: { restart: 3, within: 250ms }')).toMatchObject({ onCrash: 'restart', restart: { max: 3, withinNs: 250e6 } });
    expect(await device('on_crash: { restart: 2 }')).toMatchObject({ onCrash: 'restart', restart: { max: 2, withinNs: 1e9 } });
  });

  it('limits.memory takes a size with a binary unit, or bytes', async () => {
    expect((await device('limits: { memory: 64MiB }')).limits).toEqual({ memoryBytes: 64 * 2 ** 20 });
    expect((await device('limits:\n  memory: 2097152')).limits).toEqual({ memoryBytes: 2 * 2 ** 20 });
  });

  it.each([
    ['on_crash: restrat', 'FILE:7:15: devices.faulty.on_crash: expected halt, restart, or { restart: N, within: DURATION }; got the string "restrat". For example: on_crash: halt or restart or { restart: 5, within: 1s }.'],
    ['on_crash: { restart: 0 }', 'FILE:7:26: devices.faulty.on_crash.restart: must be at least 1, got 0. Use a value at least 1.'],
    ['on_crash: { restart: 2, within: soon }', 'FILE:7:37: devices.faulty.on_crash.within: "soon" is not a duration. Write a number followed by a unit (ns, us, ms, s, min, h), e.g. 5s or 250ms.'],
    ['on_crash: { restart: 2, within: 0s }', 'FILE:7:37: devices.faulty.on_crash.within: must be longer than 0, got "0s". Write e.g. within: 1s.'],
    ['limits: { memory: 64MB }', 'FILE:7:23: devices.faulty.limits.memory: "64MB": unknown unit "MB". Write 64MiB: sizes use the binary units B, KiB, MiB, GiB (1 MiB = 1024 KiB), so that there is no doubt between 1000 and 1024.'],
    ['limits: { memory: 100 }', 'FILE:7:23: devices.faulty.limits.memory: 100 is outside 1MiB..64GiB. Write e.g. memory: 512MiB.'],
    ['limits: { memroy: 64MiB }', 'FILE:7:15: devices.faulty.limits.memroy: unknown key "memroy". Did you mean "memory"? Allowed keys here: memory.'],
  ])('%s is reported where it is written, with a fix', async (lines, error) => {
    expect(await errors(lines)).toEqual([error]);
  });

  it('a module with more outputs than a response carries is refused at its impl', async () => {
    const many = join(dir, 'many-outputs.mjs');
    writeFileSync(many, `export default { kind: 'many', title: 'many outputs', regions: [{ name: 'io', size: 1, base: 0x2f0 }], outputs: Array.from({ length: 17 }, (_, i) => 'o' + i), create: () => ({}) };\n`);
    const file = join(dir, 'many.yaml');
    writeFileSync(file, `memory: 32MiB\nkernel:\n  main: post-07\ndevices:\n  many:\n    impl: ./many-outputs.mjs\n`);
    const e = await loadMachine(file).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ConfigErrors);
    expect(formatConfigError((e as ConfigErrors).errors[0])).toContain('6:11: devices.many.impl: module "./many-outputs.mjs" is malformed: it has 17 outputs; a device may have at most 16.');
  });
});
