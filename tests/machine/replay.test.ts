// Record and replay: a realtime post-12 session with typing, recorded, replays to a byte-identical
// --log and screen; --stop-at on a replay shows the screen of that instant; a damaged or
// mismatched recording is a clear error (exit 2).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { actorpc } from '../support/cli.js';
import { tempDirs } from '../support/temp.js';

const temps = tempDirs();
const POST12 = 'config/posts/post-12.yaml';

describe('record and replay (--record, --replay, --stop-at)', () => {
  const dir = temps.make();
  const rec = join(dir, 'session.rec');
  const script = join(dir, 'typing.yaml');
  // Well after boot (≈0.3 s of realtime here): a loaded host still has the kernel ready by then.
  writeFileSync(script, '- at: 3s\n  type: abc\n- at: 4s\n  type: "xyz 42"\n');

  it('a realtime session with typing replays to a byte-identical --log and the same screen, and --stop-at shows the screen of that instant', () => {
    const recorded = actorpc(['run', POST12, '--headless', '--time', 'realtime', '--input', script, '--for', '4.5s', '--record', rec, '--log', join(dir, 'recorded.ndjson'), '--no-stats'], 60_000);
    expect(recorded.stderr).toBe('');
    expect(recorded.status).toBe(0);
    expect(recorded.stdout).toContain('abc');
    expect(recorded.stdout).toContain('xyz 42');
    const replayed = actorpc(['run', POST12, '--headless', '--replay', rec, '--log', join(dir, 'replayed.ndjson'), '--no-stats'], 60_000);
    expect(replayed.stderr).toBe('');
    expect(replayed.status).toBe(0);
    const a = readFileSync(join(dir, 'recorded.ndjson'));
    const b = readFileSync(join(dir, 'replayed.ndjson'));
    expect(a.length).toBeGreaterThan(10_000);
    expect(b.equals(a)).toBe(true);
    expect(replayed.stdout).toBe(recorded.stdout);

    // Between the two typed strings: the first is on the screen, the second not yet.
    const early = actorpc(['run', POST12, '--headless', '--replay', rec, '--stop-at', '3.5s', '--log', join(dir, 'early.ndjson'), '--no-stats'], 60_000);
    expect(early.status).toBe(0);
    expect(early.stdout).toContain('abc');
    expect(early.stdout).not.toContain('xyz');
    // …and the replay up to that instant is the recorded run's up to that instant.
    const before = (f: string) => readFileSync(join(dir, f), 'utf8').trimEnd().split('\n').filter((l) => (JSON.parse(l) as { t: number }).t < 3.5e9);
    expect(before('early.ndjson').length).toBeGreaterThan(200);
    expect(before('early.ndjson')).toEqual(before('recorded.ndjson'));
  }, 120_000);

  it('virtual time records and replays too (the recording then holds only the input)', () => {
    const vrec = join(dir, 'virtual.rec');
    const recorded = actorpc(['run', POST12, '--headless', '--time', 'virtual', '--type', 'hello 42', '--for', '1s', '--record', vrec, '--log', join(dir, 'v1.ndjson'), '--no-stats'], 60_000);
    expect(recorded.status).toBe(0);
    const replayed = actorpc(['run', POST12, '--headless', '--replay', vrec, '--log', join(dir, 'v2.ndjson'), '--no-stats'], 60_000);
    expect(replayed.status).toBe(0);
    expect(readFileSync(join(dir, 'v2.ndjson')).equals(readFileSync(join(dir, 'v1.ndjson')))).toBe(true);
    expect(replayed.stdout).toContain('hello 42');
  }, 120_000);

  it('a damaged, foreign or mismatched recording is a one-paragraph error with exit status 2', () => {
    const bytes = readFileSync(rec);
    const cut = join(dir, 'cut.rec');
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const r1 = actorpc(['run', POST12, '--headless', '--replay', cut, '--no-stats']);
    expect(r1.status).toBe(2);
    expect(r1.stderr).toMatch(/^actorpc: --replay .*cut\.rec: .*(damaged|cut short).*Record the run again with --record FILE\.\n$/);

    const r2 = actorpc(['run', 'config/posts/post-07.yaml', '--headless', '--replay', rec, '--no-stats']);
    expect(r2.status).toBe(2);
    expect(r2.stderr).toContain('it was recorded on another machine (config/posts/post-12.yaml, realtime time)');

    const notOne = join(dir, 'text.rec');
    writeFileSync(notOne, 'hello\n');
    const r3 = actorpc(['run', POST12, '--headless', '--replay', notOne, '--no-stats']);
    expect(r3.status).toBe(2);
    expect(r3.stderr).toContain('is not an actorpc recording');

    // A well-formed recording of this machine whose header promises a longer run than its body holds:
    // the replay leaves the recorded path and says so.
    const header = JSON.parse(bytes.subarray(0, bytes.indexOf(0x0a)).toString()) as Record<string, unknown>;
    const longer = join(dir, 'longer.rec');
    writeFileSync(longer, Buffer.concat([Buffer.from(JSON.stringify({ ...header, stopAt: 5e9 }) + '\n'), bytes.subarray(bytes.indexOf(0x0a) + 1)]));
    const r4 = actorpc(['run', POST12, '--headless', '--replay', longer, '--no-stats'], 60_000);
    expect(r4.status).toBe(2);
    expect(r4.stderr).toMatch(/^actorpc: --replay .*longer\.rec: the replay wants clock reading #\d+, the recording has \d+/);

    const r5 = actorpc(['run', POST12, '--headless', '--replay', rec, '--type', 'x']);
    expect(r5.status).toBe(2);
    expect(r5.stderr).toContain('--type cannot be used with --replay');
  }, 120_000);
});
