// The fuzz properties at test size: a few thousand random operations per device (the full campaign,
// 10^6 per device, is `npm run fuzz`). A failure prints the shrunk case and the command replaying it.
import { describe, it, expect } from 'vitest';
import { randomInt } from 'node:crypto';
import { failureReport, runCampaign } from './campaign.js';
import { TARGETS } from './devices.js';

const OPS_PER_DEVICE = 2_000;

describe('fuzz: random port traffic against every device core', () => {
  for (const target of TARGETS) {
    it(`${target.name}: never throws, reads stay in the access width, IRQ levels are 0/1, deadlines lie ahead after advance, snapshots restore faithfully`, () => {
      const result = runCampaign(target, { ops: OPS_PER_DEVICE, seed: randomInt(0x8000_0000) });
      expect(result.failure, failureReport(result, 'npm run fuzz --')).toBeUndefined();
      expect(result.ops).toBeGreaterThanOrEqual(OPS_PER_DEVICE);
    });
  }
});
