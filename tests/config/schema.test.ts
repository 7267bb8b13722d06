// config/schema.json is generated (npm run schema): it must match the zod schema as it is now.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { KERNEL_MAINS } from '../../machine/config/kernels.js';
import { machineFileSchema, machineJsonSchemaText } from '../../machine/config/schema.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

describe('config/schema.json', () => {
  it('is up to date (run npm run schema after changing machine/config/schema.ts or kernels.ts)', () => {
    expect(readFileSync(join(root, 'config/schema.json'), 'utf8')).toBe(machineJsonSchemaText());
  });

  it('describes the file for editors: strict keys, enums, patterns', () => {
    const schema = JSON.parse(machineJsonSchemaText());
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties)).toEqual(['name', 'extends', 'memory', 'time', 'watchdog', 'no_reboot', 'kernel', 'cpu', 'devices', 'wires']);
    expect(schema.properties.kernel.properties.main.enum).toEqual([...KERNEL_MAINS]);
    const device = schema.properties.devices.additionalProperties.anyOf[0];
    expect(device.additionalProperties).toBe(false);
    expect(device.properties.placement.anyOf[0].enum).toEqual(['worker', 'inline']);
    expect(device.properties.placement.anyOf[1].required).toEqual(['worker']); // { worker: GROUP }
    expect(new RegExp(schema.properties.devices.propertyNames.pattern).test('cpu')).toBe(false);
    expect(new RegExp(schema.properties.wires.items.pattern).test('pit.out0 -> pic1.ir0')).toBe(true);
  });

  it('accepts a file that only overrides (everything optional per file)', () => {
    expect(machineFileSchema().safeParse({ extends: 'pc.yaml', devices: { vga: null } }).success).toBe(true);
  });
});
