// The fuzz properties at test size: a few thousand random operations per device (the full campaign,
// 10^6 per device with fresh seeds, is `npm run fuzz`). Here the seed is fixed, so `npm test` gives
// the same answer every run; FUZZ_SEED=random (or a number) explores. A failure prints the shrunk
// case and the command replaying it.
import { describe, it, expect } from 'vitest';
import { randomInt } from 'node:crypto';
import { failureReport, runCampaign } from './campaign.js';
import { TARGETS } from './devices.js';

const OPS_PER_DEVICE = 2_000;
const SEED = process.env.FUZZ_SEED === 'random' ? randomInt(0x8000_0000) : Number(process.env.FUZZ_SEED ?? 20261204);

describe('fuzz: random port traffic against every device core', () => {
  for (const target of TARGETS) {
    it(`${target.name}: never throws, reads stay in the access width, IRQ levels are 0/1, deadlines lie ahead after advance, snapshots restore faithfully`, () => {
      const result = runCampaign(target, { ops: OPS_PER_DEVICE, seed: SEED });
      expect(result.failure, failureReport(result, 'npm run fuzz --')).toBeUndefined();
      expect(result.ops).toBeGreaterThanOrEqual(OPS_PER_DEVICE);
    });
  }
});
