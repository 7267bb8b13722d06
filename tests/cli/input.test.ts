// Host input never crashes and is never dropped, however much there is: what does not fit in the
// input ring waits on the main thread and goes in as the device takes it (bus/input-ring.ts).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run, tempDirs } from './spawn.js';

const temp = tempDirs();
afterAll(() => temp.cleanup());

// Lower-case letters only: post-12 echoes each as typed (Shift would print "LShift"), and its
// timer prints dots in between, so the screen is compared with the dots taken out.
const TAIL = 'theendxyzw';
const typedText = (chars: number) => 'abcdefghij'.repeat(chars / 10 - 1) + TAIL;
const shownText = (screen: string) => screen.split('\n').join('').replace(/\./g, '');

describe('large input', () => {
  it('--type of 20 000 characters (40 000 key events, more than the ring holds) is typed in full', async () => {
    const text = typedText(20_000);
    // One key event per ms of machine time: 40 s of typing.
    const r = await run(['run', 'config/default.yaml', '--headless', '--time', 'virtual', '--type', text, '--for', '45s', '--no-stats']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const shown = shownText(r.stdout);
    // The screen holds the last 24 rows: the typed text up to its very end, nothing lost on the way.
    expect(shown).toContain(text.slice(-1000));
  }, 120_000);

  it('an --input script of 30 000 key events is played in full, at its machine times', async () => {
    const dir = temp.make();
    const script = join(dir, 'keys.yaml');
    const text = typedText(15_000);
    writeFileSync(script, `- at: 1s\n  type: ${text}\n`);
    const r = await run(['run', 'config/default.yaml', '--headless', '--time', 'virtual', '--input', script, '--for', '35s', '--no-stats']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(shownText(r.stdout)).toContain(text.slice(-1000));
  }, 120_000);

  it('the same large --type gives the same screen in two runs (virtual time stays deterministic)', async () => {
    const text = typedText(12_000);
    const args = ['run', 'config/default.yaml', '--headless', '--time', 'virtual', '--type', text, '--for', '30s'];
    const [a, b] = [await run(args), await run(args)];
    expect(a.status).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(shownText(a.stdout)).toContain(TAIL);
  }, 120_000);
});

describe('--type with a kernel that never waits for input', () => {
  it('says that nothing was typed and why, and what to use instead', async () => {
    // Busy threads: the boot thread never halts with interrupts on, so the --type gate never opens.
    const r = await run(['run', 'config/preemption.yaml', '--headless', '--time', 'virtual', '--set', 'kernel.scenario=busy', '--type', 'hi', '--for', '100ms', '--no-stats']);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('--type: nothing was typed. Keys are held until the kernel first waits for input');
    expect(r.stderr).toContain('--input');
  });

  it('stays quiet when the keys were typed', async () => {
    const r = await run(['run', 'config/preemption.yaml', '--headless', '--time', 'virtual', '--type', 'hi', '--for', '200ms', '--no-stats']);
    expect(r.stderr).not.toContain('nothing was typed');
    expect(r.stdout).toContain('hi');
  });
});
