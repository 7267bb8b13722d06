import { describe, expect, it } from 'vitest';
import { loadMachine } from '../../machine/config/load.js';
import { configPath, runMachine, virtual } from '../support/machine.js';

describe('actor placement', () => {
  it('a device on its own worker and the same device inline give the same screen and the same trace', async () => {
    const worker = await runMachine(configPath('posts/post-03.yaml'), { trace: true, spec: virtual, device: (d) => ({ ...d, placement: 'worker' }) });
    const inline = await runMachine(configPath('posts/post-03.yaml'), { trace: true, spec: virtual, device: (d) => ({ ...d, placement: 'inline' }) });
    expect(worker.result.status).toBe(0);
    expect(inline.result.status).toBe(0);
    expect(worker.screen.rowText(23).trimEnd()).toBe('Hello World!');
    expect(inline.screen.text()).toBe(worker.screen.text());
    expect(inline.traces).toEqual(worker.traces);
  });

  it('devices of one placement group share a worker and give the same screen and trace as inline', async () => {
    const chipset = new Set(['pic1', 'pic2', 'pit', 'kbd', 'com1']);
    const opts = { trace: true, spec: virtual, stopAt: 120e6, stopReason: 'for' as const };
    const grouped = await runMachine(configPath('posts/post-07.yaml'), {
      ...opts,
      device: (d) => (chipset.has(d.name) ? { ...d, placement: 'worker', worker: 'chipset' } : d),
    });
    const inline = await runMachine(configPath('posts/post-07.yaml'), { ...opts, device: (d) => ({ ...d, placement: 'inline' }) });
    expect(grouped.result.reason).toBe('for');
    expect(grouped.screen.text()).toContain('..'); // timer dots: IRQ0 went PIT → PIC → CPU through the group's worker
    expect(grouped.screen.text()).toBe(inline.screen.text());
    expect(grouped.traces).toEqual(inline.traces);
  });

  it('the default PC runs its chipset on the CPU thread and the VGA adapter on a worker of its own', async () => {
    const spec = await loadMachine(configPath('default.yaml'));
    const where = Object.fromEntries(spec.devices.map((d) => [d.name, d.placement === 'worker' ? `worker ${d.worker}` : 'inline']));
    expect(where).toEqual({ vga: 'worker vga', pic1: 'inline', pic2: 'inline', pit: 'inline', com1: 'inline', kbd: 'inline' });
  });

  it('virtual time is deterministic: two runs give the same trace, byte for byte', async () => {
    const a = await runMachine(configPath('posts/post-03.yaml'), { trace: true, spec: virtual, stopAt: 50e6, stopReason: 'for' });
    const b = await runMachine(configPath('posts/post-03.yaml'), { trace: true, spec: virtual, stopAt: 50e6, stopReason: 'for' });
    expect(JSON.stringify(b.traces)).toBe(JSON.stringify(a.traces));
    expect(a.traces.length).toBeGreaterThan(1);
  });

  it('the BIOS leaves the mode-3 blank, the bootloader zeroes the first 2000 bytes, the Writer colours its rows', async () => {
    const run = await runMachine(configPath('posts/post-03.yaml'), { spec: virtual });
    expect([run.screen.charAt(0, 0), run.screen.attrAt(0, 0)]).toEqual([0, 0]);
    // One newline scrolled everything up a row: the zeroed half-row 12 is now row 11.
    expect([run.screen.charAt(11, 39), run.screen.attrAt(11, 39)]).toEqual([0, 0]);
    expect([run.screen.charAt(11, 40), run.screen.attrAt(11, 40)]).toEqual([0x20, 0x07]);
    expect(run.screen.attrAt(23, 0)).toBe(0x0e);
    expect(run.screen.attrAt(24, 0)).toBe(0x0e);
  });
});
