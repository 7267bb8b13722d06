// The actor harness on both placements: the same assertions for a device inline (a direct call)
// and on its own worker (the real actor task, shell and mailbox). Worker tests run the compiled
// actor task: build first (npm test does).
import { describe, expect, it } from 'vitest';
import type { Placement } from '../../machine/config/spec.js';
import { ROOT } from '../support/cli.js';
import { startDevice, startedDevices, type DeviceHarness } from '../support/harness.js';

const PLACEMENTS: readonly Placement[] = ['inline', 'worker'];
const MASTER = 'impl: i8259\noptions: { role: master }';
/** One 8254 input clock: 1 s / 1 193 182 Hz. */
const CLOCK_NS = 1e9 / 1_193_182;

const started = startedDevices();

function start(fragment: string, placement: Placement): Promise<DeviceHarness> {
  return started(fragment, { placement });
}

/** ICW1 (edge, cascade, ICW4), ICW2 vector base, ICW3, ICW4 (8086 mode), then OCW1. */
function initPic(h: DeviceHarness, base: number, icw3: number, mask: number): void {
  h.out(0x20, 1, 0x11);
  h.out(0x21, 1, base);
  h.out(0x21, 1, icw3);
  h.out(0x21, 1, 0x01);
  h.out(0x21, 1, mask);
}

const irr = (h: DeviceHarness) => (h.out(0x20, 1, 0x0a), h.in(0x20, 1));
const isr = (h: DeviceHarness) => (h.out(0x20, 1, 0x0b), h.in(0x20, 1));

describe.each(PLACEMENTS)('harness, placement %s', (placement) => {
  it('starts the device where asked, with a clock at 0', async () => {
    const h = await start(MASTER, placement);
    expect(h.placement).toBe(placement);
    expect(h.name).toBe('dut');
    expect(h.now).toBe(0);
  });

  it('i8259: an edge on ir0 raises INT; INTA gives the vector, ISR follows, EOI clears it', async () => {
    const h = await start(MASTER, placement);
    initPic(h, 0x08, 0x04, 0x00);
    expect(h.level('int')).toBe(0);
    expect([irr(h), isr(h)]).toEqual([0x00, 0x00]);

    h.setInput('ir0', 1);
    expect(h.level('int')).toBe(1);
    expect(irr(h)).toBe(0x01);
    expect(h.acknowledge()).toBe(0x08);
    expect(h.level('int')).toBe(0);
    expect([irr(h), isr(h)]).toEqual([0x00, 0x01]);

    h.out(0x20, 1, 0x20); // non-specific EOI
    expect(isr(h)).toBe(0x00);
    expect(h.history('int').map((c) => c.level)).toEqual([1, 0]);
    expect(h.tracesOf('pic.eoi')).toEqual([expect.objectContaining({ src: 'dut', irq: 0, mode: 'non-specific' })]);
    expect(h.tracesOf('io.write')[0]).toMatchObject({ port: 0x20, value: 0x11, reg: 'ICW1/OCW2/OCW3' });
  });

  it('i8259: a masked input stays in IRR and never reaches INT; IMR reads back', async () => {
    const h = await start(MASTER, placement);
    initPic(h, 0x20, 0x04, 0xfd);
    expect(h.in(0x21, 1)).toBe(0xfd);
    h.setInput(0, 1);
    expect(irr(h)).toBe(0x01);
    expect(h.level('int')).toBe(0);
    h.setInput('ir1', 1);
    expect(h.level('int')).toBe(1);
    expect(h.acknowledge()).toBe(0x21);
    expect(h.outputs).toHaveLength(2);
  });

  it('i8254: channel 0 in mode 2 pulses OUT0 low for one clock every COUNT clocks, deadline by deadline', async () => {
    const h = await start('impl: i8254', placement);
    expect(h.history('out0')).toEqual([{ pin: 0, name: 'out0', level: 1, t: 0 }]);
    h.out(0x43, 1, 0x34); // channel 0, LSB then MSB, mode 2
    h.out(0x40, 1, 100);
    h.out(0x40, 1, 0);
    expect(h.nextDeadline).toBeCloseTo(100 * CLOCK_NS, -1);

    h.runUntil(1e6);
    expect(h.now).toBe(1e6);
    const changes = h.history('out0').slice(1);
    const lows = changes.filter((c) => c.level === 0).map((c) => c.t);
    expect(lows).toHaveLength(11); // 11 × 83.8 µs fit in 1 ms
    expect(changes.map((c) => c.level)).toEqual(Array.from({ length: 22 }, (_, i) => (i % 2 ? 1 : 0)));
    lows.forEach((t, i) => expect(Math.abs(t - (i + 1) * 100 * CLOCK_NS)).toBeLessThanOrEqual(1));
    changes.forEach((c, i) => { if (c.level === 1) expect(Math.abs(c.t - changes[i - 1].t - CLOCK_NS)).toBeLessThanOrEqual(1); });

    h.out(0x43, 1, 0x00); // counter latch, channel 0
    expect([h.in(0x40, 1), h.in(0x40, 1)]).toEqual([8, 0]);
    h.step(100 * CLOCK_NS);
    expect(h.history('out0').filter((c) => c.level === 0)).toHaveLength(12);
  });

  it('i8254: snapshot() returns the core state', async () => {
    const h = await start('impl: i8254', placement);
    h.out(0x43, 1, 0x34);
    h.out(0x40, 1, 0x34);
    h.out(0x40, 1, 0x12);
    const snap = (await h.snapshot()) as unknown as { version: number; channels: Array<Record<string, unknown>> };
    expect(snap.version).toBe(1);
    expect(snap.channels[0]).toMatchObject({ modeBits: 2, cr: 0x1234 });
  });

  it('a user module by path is loaded where it runs; a core that throws fails startDevice with its error', async () => {
    const p = startDevice('impl: ./tests/fixtures/devices/crashes-on-advance.mjs', { placement, dir: ROOT });
    await expect(p).rejects.toThrow('model bug: counter underflow');
  });
});

describe('harness', () => {
  it('both placements give the same outputs and the same trace records', async () => {
    const run = async (placement: Placement) => {
      const pit = await start('impl: i8254', placement);
      pit.out(0x43, 1, 0x34);
      pit.out(0x40, 1, 50);
      pit.out(0x40, 1, 0);
      pit.step(300_000);
      const pic = await start(MASTER, placement);
      initPic(pic, 0x08, 0x04, 0x00);
      for (const c of pit.outputs) pic.setInput('ir0', c.level);
      pic.acknowledge();
      return { pit: [pit.outputs, pit.traces], pic: [pic.outputs, pic.traces] };
    };
    expect(await run('worker')).toEqual(await run('inline'));
  });

  it('reports mistakes in the fragment the way the machine loader does', async () => {
    await expect(startDevice('impl: i8259\noptions: { role: boss }')).rejects.toThrow(/harness fragment[\s\S]*role/);
    await expect(startDevice('impl: i8295')).rejects.toThrow('Did you mean "i8259"?');
    await expect(startDevice('- i8259')).rejects.toThrow('write the device as a YAML map');
    const h = await start(MASTER, 'inline');
    expect(() => h.setInput('ir8', 1)).toThrow('i8259 has no input pin "ir8" (inputs: ir0, ir1, ir2, ir3, ir4, ir5, ir6, ir7)');
    expect(() => h.runUntil(-1)).toThrow('never goes back');
  });
});
