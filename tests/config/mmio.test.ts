// YAML `mmio:`: a region's physical base, checked against RAM, the module and the other regions.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMachine } from '../../machine/config/load.js';
import { tempDirs } from '../support/temp.js';

const temp = tempDirs();
function machine(devices: string, memory = '128MiB'): string {
  const file = join(temp.make(), 'm.yaml');
  writeFileSync(file, `memory: ${memory}\nkernel: { main: post-03 }\ndevices:\n${devices}`);
  return file;
}

describe('mmio: in a machine file', () => {
  it('places the region at the given base, or at the module default', async () => {
    const spec = await loadMachine(machine('  lapic:\n    impl: lapic\n    mmio: { regs: 0xfee01000 }\n  ioapic:\n    impl: ioapic\n'));
    expect(spec.devices.map((d) => d.mmio)).toEqual([
      [{ region: 'regs', mmioIndex: 0, base: 0xfee01000, size: 0x1000 }],
      [{ region: 'regs', mmioIndex: 0, base: 0xfec00000, size: 0x20 }],
    ]);
  });

  it('refuses a region inside RAM, naming the fix', async () => {
    await expect(loadMachine(machine('  lapic:\n    impl: lapic\n    mmio: { regs: 0x100000 }\n'))).rejects.toThrow(/m\.yaml:6:\d+.*lies inside installed RAM.*lower memory/s);
  });

  it('refuses an unknown region name and two overlapping regions', async () => {
    await expect(loadMachine(machine('  lapic:\n    impl: lapic\n    mmio: { reg: 0xfee00000 }\n'))).rejects.toThrow(/has no memory-mapped region "reg".*Did you mean "regs"/s);
    await expect(loadMachine(machine('  lapic:\n    impl: lapic\n  ioapic:\n    impl: ioapic\n    mmio: { regs: 0xfee00010 }\n'))).rejects.toThrow(/overlaps 0xfee00000-0xfee00fff of lapic\.regs/);
  });
});
