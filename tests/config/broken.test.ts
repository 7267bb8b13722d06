// Every broken fixture (one mistake each) gives exactly one ConfigError, at the right place,
// naming the key and saying how to fix it.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigErrors, formatConfigError } from '../../machine/config/errors.js';
import { loadMachine } from '../../machine/config/load.js';
import { KERNEL_MAINS } from '../../machine/config/kernels.js';

const here = dirname(fileURLToPath(import.meta.url));
const broken = join(here, '../fixtures/broken');
const machines = join(here, '../fixtures/machines');

/** fixture → [line, column, key path, ...text the paragraph must contain]. */
const EXPECTED: Record<string, [number, number, string, ...string[]]> = {
  'unknown-key': [9, 5, 'devices.pic1.prots', 'unknown key "prots"', 'Did you mean "ports"?', 'Allowed keys here: impl, placement, on_crash, ports, mmio, adapter, options, limits.'],
  'unknown-top-key': [3, 1, 'memroy', 'unknown key "memroy"', 'Did you mean "memory"?'],
  'bad-enum': [11, 16, 'devices.pit.placement', '"workers"', 'Did you mean "worker"?', 'Allowed: worker, inline.'],
  'yaml-syntax': [6, 1, '', 'YAML syntax error', 'not closed'],
  'tab-indent': [5, 1, '', 'YAML syntax error', 'spaces, not tabs'],
  'duplicate-key': [11, 3, '', 'the key "pit" appears twice', 'merge the two entries'],
  'memory-unit': [3, 9, 'memory', 'unknown unit "MB"', 'Write 128MiB'],
  'memory-small': [3, 9, 'memory', 'less than 1MiB', '1MiB to 4GiB'],
  'memory-align': [3, 9, 'memory', 'not a whole number of 4KiB pages', 'Round it to 1998848 or 2002944'],
  'memory-type': [3, 9, 'memory', 'expected a size such as 128MiB', 'got the boolean true'],
  'no-reboot-type': [4, 12, 'no_reboot', 'expected true or false', 'Write no_reboot: true'],
  'ns-per-instruction': [6, 23, 'time.ns_per_instruction', 'must be more than 0', 'positive number'],
  'time-costs-unit': [7, 9, 'time.costs.io', 'unknown unit "microsecond"', 'Write 1us.'],
  'time-costs-number': [7, 13, 'time.costs.memory', 'expected a duration with a unit, e.g. 3ns', 'got the number 3', 'For example: memory: 3ns.'],
  'time-costs-key': [7, 5, 'time.costs.port', 'unknown key "port"', 'instruction, memory, io, inta, delivery, iret'],
  'time-mode': [5, 9, 'time.mode', '"virtul"', 'Did you mean "virtual"?', 'Allowed: realtime, virtual.'],
  'kernel-main': [5, 9, 'kernel.main', '"post-3"', 'Did you mean "post-03"?', `Allowed: ${KERNEL_MAINS.join(', ')}.`],
  'missing-memory': [3, 1, 'memory', 'no memory size given', 'memory: 128MiB'],
  'missing-impl': [9, 3, 'devices.pit', 'has no impl', 'Add impl:', 'vga'],
  'instance-name': [9, 3, 'devices.Pit', '"Pit" is not a valid instance name', 'Write "pit"'],
  'instance-cpu': [11, 3, 'devices.cpu', '"cpu" is reserved', 'Choose another name'],
  'remove-nothing': [11, 3, 'devices.vga', 'no device "vga" to remove', 'delete the line'],
  'unknown-impl': [10, 11, 'devices.pit.impl', 'unknown device "vgaa"', 'Did you mean "vga"?', 'Built-in devices: vga', './vgaa.mjs'],
  'missing-module': [10, 11, 'devices.pit.impl', `file not found: ${join(here, '../fixtures/devices/pitt.mjs')}`, 'relative to the folder'],
  'module-throws': [10, 11, 'devices.pit.impl', 'cannot load device module', 'fake module exploded on import', 'Fix the module'],
  'module-no-device': [10, 11, 'devices.pit.impl', 'does not export a device', 'export default defineDevice'],
  'port-out-of-range': [12, 11, 'devices.pit.ports.io', 'port 65536 (0x10000) is outside', '0..0xffff', 'Write a base port such as 0x40'],
  'port-past-end': [12, 11, 'devices.pit.ports.io', 'runs past 0xffff', 'at most 0xfffc'],
  'port-range-size': [12, 11, 'devices.pit.ports.io', 'covers 3 ports, but region io has 4', 'Write "0x40-0x43"'],
  'port-bad-form': [12, 11, 'devices.pit.ports.io', '"0x40..0x43" is not a port number or range', '"0x40-0x43"'],
  'unknown-region': [10, 7, 'devices.pic1.ports.elrc', 'no port region "elrc"', 'Did you mean "elcr"?', 'io (0x20-0x21, 2 ports), elcr (0x4d0, 1 port)'],
  'port-overlap': [12, 11, 'devices.pit.ports.io', 'ports 0x21-0x24 of pit.io overlap ports 0x20-0x21 of pic1.io', 'port-overlap.yaml:7:3', 'move one of them'],
  'adapter-unknown': [13, 14, 'devices.display.adapter', 'unknown adapter "termnal"', 'Did you mean "terminal"?', 'terminal, headless'],
  'adapter-none': [11, 14, 'devices.pit.adapter', 'has no front-end adapters', 'Remove the adapter'],
  'options-type': [12, 17, 'devices.pit.options.channels', 'expected a number, got the string "two"', 'Give channels a number'],
  'options-range': [12, 17, 'devices.pit.options.channels', 'must be at most 3, got 4', 'at most 3'],
  'options-unknown-key': [12, 7, 'devices.pit.options.chanels', 'unknown option "chanels"', 'Did you mean "channels"?', 'channels, speaker'],
  'options-strict-key': [9, 16, 'devices.pic1.options.rol', 'unknown key "rol"', 'Did you mean "role"?'],
  'options-enum': [10, 13, 'devices.pic1.options.role', '"slav"', 'Did you mean "slave"?', 'Allowed: master, slave.'],
  'options-missing': [7, 3, 'devices.rtc.options.century', 'missing: this key is required', 'Add a line "century: <value>"'],
  'options-none': [13, 5, 'devices.display.options', 'takes no options', 'Remove the options'],
  'wire-syntax': [12, 5, 'wires[0]', 'the arrow is written "->"', 'device.pin -> device.pin'],
  'wire-no-pin': [13, 5, 'wires[1]', '"cpu" is not "device.pin"', 'inputs intr'],
  'wire-unknown-device': [12, 5, 'wires[0]', 'unknown device "pci1"', 'Did you mean "pic1"?', 'Devices: cpu, pic1, pit.'],
  'wire-unknown-pin': [12, 5, 'wires[0]', 'pic1 has no pin "irq0"', 'Did you mean "ir0"?', 'inputs ir0, ir1', 'outputs int'],
  'wire-from-input': [12, 5, 'wires[0]', 'pic1.ir0 is an input', 'Swap the two sides: "pit.out0 -> pic1.ir0"'],
  'wire-to-output': [12, 5, 'wires[0]', 'pic1.int is an output', 'End it at an input of pic1: ir0'],
  'wire-driven-twice': [14, 5, 'wires[2]', 'input pic1.ir0 is driven twice', '"pit.out0 -> pic1.ir0" at tests/fixtures/broken/wire-driven-twice.yaml:12:5', 'free input of pic1: ir1'],
  'wire-to-nowhere': [13, 5, 'wires[1]', 'wire to nowhere', 'Name the input it drives'],
  'wire-removed-device': [7, 5, 'wires[0]', 'wire to nowhere: device "pit" was removed', 'wire-removed-device.yaml:5:3'],
  'extends-missing': [3, 10, 'extends', `file not found: ${join(machines, 'nope.yaml')}`, 'relative to this file'],
  'extends-self': [3, 10, 'extends', 'a cycle', 'cannot extend itself'],
  'overlap-with-base': [8, 11, 'devices.pic3.ports.io', 'of pic1.io', 'placed at tests/fixtures/machines/pc.yaml:11:3 (its default base)', 'ports: { io: 0x22 }'],
  'error-in-base': [8, 16, 'devices.pic1.placement', '"workr"', 'Did you mean "worker"?'],
  empty: [1, 1, '', 'the file is empty'],
  'not-a-map': [1, 1, '', 'a machine file is a map of keys', 'key: value lines'],
};

/** Files where the error is reported, when not the fixture itself. */
const ELSEWHERE: Record<string, string> = { 'error-in-base': join(machines, 'bad-base.yaml') };

async function errorsOf(file: string): Promise<ConfigErrors> {
  try {
    await loadMachine(file);
  } catch (err) {
    if (err instanceof ConfigErrors) return err;
    throw err;
  }
  throw new Error(`${file} loaded without errors`);
}

describe('broken fixtures', () => {
  const fixtures = readdirSync(broken).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5)).sort();

  it('every fixture has an expectation, and every expectation a fixture', () => {
    expect(fixtures).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const name of fixtures) {
    it(name, async () => {
      const file = join(broken, `${name}.yaml`);
      const { errors } = await errorsOf(file);
      const [line, column, keyPath, ...texts] = EXPECTED[name];
      const paragraph = formatConfigError(errors[0]);
      expect(errors, errors.map((e) => formatConfigError(e)).join('\n')).toHaveLength(1);
      const e = errors[0];
      expect({ file: e.file, line: e.line, column: e.column, keyPath: e.keyPath }).toEqual({ file: ELSEWHERE[name] ?? file, line, column, keyPath });
      expect(e.hint, 'a fix is suggested').toBeTruthy();
      for (const text of texts) expect(paragraph).toContain(text);
      expect(paragraph).not.toContain('\n');
      expect(paragraph.startsWith(`${e.file.replace(`${process.cwd()}/`, '')}:${line}:${column}: ${keyPath ? keyPath + ': ' : ''}`)).toBe(true);
    });
  }
});
