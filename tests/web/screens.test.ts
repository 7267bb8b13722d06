// Golden images: every post's machine, run 1 s of virtual time with --screenshot, must draw
// exactly the picture in tests/fixtures/screens/ (compared pixel by pixel; a failure names the
// character cells that differ). After an intended change, regenerate them all with
//   npm run build && ACTORPC_UPDATE_SCREENS=1 npx vitest run tests/web/screens.test.ts
// and look at the new PNGs before committing them.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodePng } from '../../machine/screenshot.js';
import { actorpc, ROOT } from '../support/cli.js';
import { describeDifference, differingCells } from './pixels.js';

const UPDATE = process.env.ACTORPC_UPDATE_SCREENS === '1';
const FIXTURES = join(ROOT, 'tests', 'fixtures', 'screens');
const POSTS = readdirSync(join(ROOT, 'config', 'posts')).filter((f) => /^post-\d+\.yaml$/.test(f)).sort();
const dir = mkdtempSync(join(tmpdir(), 'actorpc-screens-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The PNG `--screenshot` writes for a post after 1 s of virtual time. */
function shoot(post: string): Buffer {
  const file = join(dir, post.replace(/\.yaml$/, '.png'));
  const r = actorpc(['run', `config/posts/${post}`, '--headless', '--time', 'virtual', '--for', '1s', '--screenshot', file], 120_000);
  expect(r.stderr.split('\n').filter((l) => l.startsWith('actorpc:') && !/triple fault|machine reset/.test(l))).toEqual([]);
  return readFileSync(file);
}

describe('the final screen of every post as a PNG (golden images)', () => {
  it('finds the posts', () => {
    expect(POSTS.length).toBeGreaterThanOrEqual(9);
  });

  for (const post of POSTS) {
    const golden = join(FIXTURES, post.replace(/\.yaml$/, '.png'));
    it(`${post} after 1 s of virtual time looks exactly like ${golden.slice(ROOT.length)}`, () => {
      const png = shoot(post);
      if (UPDATE) {
        mkdirSync(FIXTURES, { recursive: true });
        writeFileSync(golden, png);
      }
      expect(existsSync(golden), `no golden image ${golden}: run ACTORPC_UPDATE_SCREENS=1 npx vitest run tests/web/screens.test.ts`).toBe(true);
      const image = decodePng(png);
      expect(describeDifference(differingCells(image, decodePng(readFileSync(golden)))), `${post} differs from its golden image`).toBe('the images match');
    }, 150_000);
  }

  it('writes the same PNG bytes for the same run twice (virtual time is deterministic)', () => {
    expect(shoot('post-09.yaml').equals(shoot('post-09.yaml'))).toBe(true);
  }, 150_000);
});
