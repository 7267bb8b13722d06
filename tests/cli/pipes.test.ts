// `actorpc … | head -1`: once the reader of stdout has gone, actorpc ends quietly with status 141
// (what a shell shows for cat killed by SIGPIPE) — no EPIPE stack trace.
import { describe, expect, it } from 'vitest';
import { start } from './spawn.js';

describe('stdout closed by its reader (| head -1)', () => {
  it('actorpc qtest ends quietly with status 141 when stdout closes after the first reply', async () => {
    const r = start(['qtest', 'config/pc.yaml']);
    r.child.stdin!.write('outb 0x43 0x34\n');
    await r.waitFor('stdout', 'OK\n');
    r.child.stdout!.destroy(); // head -1 has its line and exits
    // The next replies are written to a pipe nobody reads.
    r.child.stdin!.write('clock_step\nclock_step\ninb 0x40\n');
    const end = await r.exited;
    expect(end).toEqual({ status: 141, signal: null });
    expect(r.stderr).toBe('');
  });

  it('actorpc test ends quietly with status 141 when its stdout is already closed (its first line hits EPIPE)', async () => {
    const r = start(['test', 'basic_boot']);
    r.child.stdout!.destroy(); // closed before anything is written: the outcome cannot depend on timing
    const end = await r.exited;
    expect(end).toEqual({ status: 141, signal: null });
    expect(r.stderr).toBe('');
  });
});
