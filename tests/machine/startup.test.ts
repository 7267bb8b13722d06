import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runMachine } from '../support/machine.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/machines/${name}`, import.meta.url));

describe('machine start-up', () => {
  it('realtime machine time starts once every device worker serves: a short --for still sees the booted screen', async () => {
    // The slow device's worker needs ≈2.5 s to load; were the clock running meanwhile, 2 s of
    // machine time would be gone before the first instruction and the screen would stay blank.
    const run = await runMachine(fixture('slow-worker.yaml'), { stopAt: 2e9, stopReason: 'for' });
    expect(run.screen.text()).toContain('Hello World!');
    expect(run.result.reason).toBe('stop'); // post-03 idles for good after printing: the run ends there, not at --for
  }, 60_000);
});
