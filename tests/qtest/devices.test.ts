// qtest against the PC's devices, through the real command (`actorpc qtest config/pc.yaml`: the
// PIC, PIT and 8042 inline in the driver's thread, the VGA on its own worker).
import { describe, expect, it, vi } from 'vitest';
import { loadMachine } from '../../machine/config/load.js';
import { configPath } from '../support/machine.js';
import { QtestSession, qtestSessions } from '../support/qtest.js';

/** One 8254 input clock: 1 s / 1 193 182 Hz. */
const CLOCK_NS = 1e9 / 1_193_182;
/** ICW1 (edge, cascade, ICW4), ICW2 = vector base 0x08, ICW3 = slave on IR2, ICW4 = 8086 mode. */
const INIT_MASTER = ['outb 0x20 0x11', 'outb 0x21 0x08', 'outb 0x21 0x04', 'outb 0x21 0x01'];
/** Channel 0, LSB then MSB, mode 2, count 0x1000. */
const PIT_MODE2 = ['outb 0x43 0x34', 'outb 0x40 0x00', 'outb 0x40 0x10'];

// Real processes and workers: readiness is their replies; this generous backstop is the only clock.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const open = qtestSessions();

/** clock_step until `line` appears among the IRQ lines; returns every IRQ line seen and the clock. */
async function stepUntil(s: QtestSession, line: string, maxSteps = 20): Promise<{ irqs: string[]; now: number }> {
  const irqs: string[] = [];
  for (let i = 0; i < maxSteps; i++) {
    const a = await s.cmd('clock_step');
    expect(a.reply).toMatch(/^OK \d+$/);
    irqs.push(...a.irqs);
    if (a.irqs.includes(line)) return { irqs, now: Number(a.reply.slice(3)) };
  }
  throw new Error(`no "${line}" after ${maxSteps} clock_steps (saw ${irqs.join(', ')})`);
}

describe('actorpc qtest: the 8259A pair', () => {
  it('ICW1-4 initialise the master; OCW1 sets IMR; OCW3 selects IRR or ISR for reads of 0x20', async () => {
    const s = open();
    expect(await s.send(...INIT_MASTER, 'outb 0x21 0xfb', 'inb 0x21')).toEqual(['OK', 'OK', 'OK', 'OK', 'OK', 'OK 0xfb']);
    expect(await s.send('outb 0x20 0x0a', 'inb 0x20', 'outb 0x20 0x0b', 'inb 0x20')).toEqual(['OK', 'OK 0x00', 'OK', 'OK 0x00']);
    // The slave at 0xa0 is programmed the same way; its IMR is its own.
    expect(await s.send('outb 0xa0 0x11', 'outb 0xa1 0x70', 'outb 0xa1 0x02', 'outb 0xa1 0x01', 'outb 0xa1 0xff', 'inb 0xa1', 'inb 0x21'))
      .toEqual(['OK', 'OK', 'OK', 'OK', 'OK', 'OK 0xff', 'OK 0xfb']);
  });

  it('set_irq_in drives an input: IRR shows the request, INT reaches cpu.intr', async () => {
    const s = open();
    await s.send(...INIT_MASTER, 'outb 0x21 0xf7', 'irq_intercept_in cpu');
    const a = await s.cmd('set_irq_in pic1 ir3 1');
    expect(a).toEqual({ reply: 'OK', irqs: ['IRQ raise 0'] });
    expect(await s.send('outb 0x20 0x0a', 'inb 0x20')).toEqual(['OK', 'OK 0x08']);
  });
});

describe('actorpc qtest: the 8254 and clock_step', () => {
  it('channel 0 in mode 2 counts down over clock_step: OUT0 pulses low for one clock, seen at pic1.ir0', async () => {
    const s = open();
    expect(await s.send('irq_intercept_in pic1', ...PIT_MODE2)).toEqual(['OK', 'OK', 'OK', 'OK']);
    const { irqs, now } = await stepUntil(s, 'IRQ raise 0');
    expect(irqs).toEqual(['IRQ lower 0', 'IRQ raise 0']);
    expect(Math.abs(now - 0x1001 * CLOCK_NS)).toBeLessThanOrEqual(1); // the low clock after 0x1000
    // The next period comes 0x1000 clocks later.
    const next = await stepUntil(s, 'IRQ raise 0');
    expect(Math.abs(next.now - now - 0x1000 * CLOCK_NS)).toBeLessThanOrEqual(1);
  });

  it('clock_set passes every deadline on the way in order: the PIC latched the edge, the counter moved on', async () => {
    const s = open();
    await s.send(...INIT_MASTER, 'outb 0x21 0xfe', ...PIT_MODE2);
    expect(await s.cmd('clock_set 10000000')).toEqual({ reply: 'OK 10000000', irqs: [] });
    expect(await s.send('outb 0x20 0x0a', 'inb 0x20')).toEqual(['OK', 'OK 0x01']);
    // 10 ms holds 11931 clocks: the first loads the count, 11930 decrement it.
    // 11930 mod 0x1000 = 0xe9a, so the counter reads 0x1000 - 0xe9a = 0x0166.
    expect(await s.send('outb 0x43 0x00', 'inb 0x40', 'inb 0x40')).toEqual(['OK', 'OK 0x66', 'OK 0x01']);
    expect(await s.cmd('clock_set 5')).toEqual({ reply: 'FAIL the clock is already at 10000000 ns and never goes back', irqs: [] });
    expect((await s.cmd('clock_step 250')).reply).toBe('OK 10000250');
  });

  it('irq_intercept_out pit reports its output pin; clock_step with no NS stops at the next deadline', async () => {
    const s = open();
    await s.send('irq_intercept_out pit', ...PIT_MODE2);
    const first = await s.cmd('clock_step');
    expect(first.irqs).toEqual(['IRQ lower 0']);
    const second = await s.cmd('clock_step');
    expect(second.irqs).toEqual(['IRQ raise 0']);
    expect(Number(second.reply.slice(3)) - Number(first.reply.slice(3))).toBeCloseTo(CLOCK_NS, -1);
  });

  it('irq_intercept_in * watches every wire, N being its index in the wire list', async () => {
    const s = open();
    await s.send(...INIT_MASTER, 'outb 0x21 0xfe');
    expect((await s.cmd('irq_intercept_in *')).reply).toBe('OK');
    await s.send(...PIT_MODE2);
    const wires = (await loadMachine(configPath('pc.yaml'))).wires.map((w) => `${w.from.device}.${w.from.pin} -> ${w.to.device}.${w.to.pin}`);
    const timer = wires.indexOf('pit.out0 -> pic1.ir0');
    const intr = wires.indexOf('pic1.int -> cpu.intr');
    const { irqs } = await stepUntil(s, `IRQ raise ${timer}`);
    expect(irqs).toEqual([`IRQ lower ${timer}`, `IRQ raise ${timer}`, `IRQ raise ${intr}`]);
    expect((await s.cmd('irq_intercept_in pic1')).reply).toMatch(/^FAIL IRQ intercept already enabled \(irq_intercept_in \*\)/);
    expect((await s.cmd('irq_intercept_in *')).reply).toBe('OK');
  });
});
