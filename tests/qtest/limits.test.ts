// Every qtest command ends soon, whatever the client sends: clock_step / clock_set deliver at
// most MAX_DEADLINES deadlines and stop between deadlines when the session is ending; a line
// longer than MAX_LINE, an overlong word or number is answered with a short FAIL.
import { describe, expect, it, vi } from 'vitest';
import { MAX_DEADLINES } from '../../machine/actors/qtest-driver.js';
import { MAX_LINE, MAX_TRANSFER } from '../../machine/actors/qtest-syntax.js';
import { configPath } from '../support/machine.js';
import { inlineDriver, qtestSessions } from '../support/qtest.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const open = qtestSessions();
/** PIT channel 0 in mode 2 with count 2: OUT0 changes every 8254 clock, a deadline each time. */
const PIT_FULL_RATE = ['outb 0x43 0x34', 'outb 0x40 0x02', 'outb 0x40 0x00'];
const FAR = Number.MAX_SAFE_INTEGER;
/** One 8254 input clock: 1 s / 1 193 182 Hz. */
const CLOCK_NS = 1e9 / 1_193_182;

describe('actorpc qtest: clock_step and clock_set are bounded', () => {
  it(`clock_step past ${MAX_DEADLINES} deadlines stops at the last one delivered: ERR says where the clock is and how to go on`, async () => {
    const s = open();
    await s.send(...PIT_FULL_RATE);
    const { reply } = await s.cmd(`clock_step ${FAR}`);
    const m = new RegExp(`^ERR clock stopped at (\\d+) ns, short of ${FAR}: ${MAX_DEADLINES} device deadlines delivered, the most one command delivers\\. Go on with "clock_set ${FAR}" \\(again until it answers OK\\), or step in smaller pieces$`).exec(reply);
    expect(m, reply).not.toBeNull();
    const at = Number(m![1]);
    // One deadline per 8254 clock (a few more from the VGA's scan): about MAX_DEADLINES clocks.
    expect(at / CLOCK_NS).toBeGreaterThan(MAX_DEADLINES * 0.99);
    expect(at / CLOCK_NS).toBeLessThan(MAX_DEADLINES * 1.01);
    expect((await s.cmd('clock_step 0')).reply).toBe(`OK ${at}`); // the clock stayed there
    const next = at + 1_000_000;
    expect((await s.cmd(`clock_set ${next}`)).reply).toBe(`OK ${next}`); // and smaller pieces go on from there
    expect((await s.cmd(`clock_set ${FAR}`)).reply).toMatch(new RegExp(`^ERR clock stopped at \\d+ ns, short of ${FAR}: `));
    expect(await s.send('outb 0x21 0x5a', 'inb 0x21')).toEqual(['OK', 'OK 0x5a']);
  });

  it('a stop request cuts a long clock_step short between deadlines: ERR, the clock at the last deadline delivered', async () => {
    let asked = 0;
    const driver = await inlineDriver(configPath('pc.yaml'), () => ++asked >= 3);
    for (const line of PIT_FULL_RATE) expect(driver.execute(line)).toBe('OK\n');
    const out = driver.execute(`clock_step ${FAR}`);
    expect(out).toMatch(new RegExp(`^ERR clock stopped at ${driver.now} ns, short of ${FAR}: the session is ending\\n$`));
    expect(asked).toBe(3);
    // It looks every 256 deadlines: it stopped after 768 of them, one per 8254 clock.
    expect(Math.round(driver.now / CLOCK_NS)).toBeGreaterThan(760);
    expect(Math.round(driver.now / CLOCK_NS)).toBeLessThan(780);
  });
});

describe('actorpc qtest: long lines get short answers', () => {
  it('a 1 MB unknown command is answered with FAIL naming its first 40 characters, without a "did you mean"', async () => {
    const s = open();
    const { reply } = await s.cmd('outx' + 'y'.repeat(1 << 20));
    expect(reply).toMatch(new RegExp(`^FAIL unknown command "outx${'y'.repeat(33)}\\.\\.\\."\\. Commands: outb outw `));
    expect(reply.length).toBeLessThan(400);
    expect(await s.send('outb 0x21 0x5a', 'inb 0x21')).toEqual(['OK', 'OK 0x5a']);
  });

  it('an overlong number or device name is quoted by its first 40 characters', async () => {
    const s = open();
    const zeros = '0'.repeat(100);
    expect(await s.send(`outb 0x21 0x${zeros}1`, `irq_intercept_in ${'p'.repeat(5000)}`, `set_irq_in pic1 ${'i'.repeat(5000)} 1`)).toEqual([
      `FAIL VALUE "0x${zeros.slice(0, 35)}..." (103 characters) is too long for a number: at most 64`,
      `FAIL unknown device "${'p'.repeat(37)}...". Devices: vga, pic1, pic2, pit, com1, kbd, cpu, or * for every line`,
      `FAIL device "pic1" has no input pin "${'i'.repeat(37)}...". Inputs: ir0, ir1, ir2, ir3, ir4, ir5, ir6, ir7 (or their index)`,
    ]);
  });

  it(`a line longer than ${MAX_LINE} characters is refused by its first 40 and the limit; the next line is read as usual`, async () => {
    const s = open();
    const [tooLong, next] = await s.write(`outb ${'1'.repeat(MAX_LINE)}\ninb 0x21\n`, 2);
    expect(tooLong.reply).toBe(`FAIL command line "outb ${'1'.repeat(32)}..." is longer than ${MAX_LINE} characters, the most a line may hold (room for write with ${MAX_TRANSFER} bytes in hex)`);
    expect(next.reply).toBe('OK 0x00');
  });

  it(`the longest valid line, write with ${MAX_TRANSFER} bytes in hex, is accepted`, async () => {
    const s = open();
    const data = '0x' + '5a'.repeat(MAX_TRANSFER - 1) + 'a5';
    expect(await s.send(`write 0x100000 ${MAX_TRANSFER} ${data}`, `readb 0x100000`, `readw ${0x100000 + MAX_TRANSFER - 2}`)).toEqual(['OK', 'OK 0x5a', 'OK 0xa55a']);
  });
});
