// Child processes a test file starts: any still running when a test ends (it failed, or timed out
// waiting) is killed, so no stray actorpc outlives its test.
import type { ChildProcess } from 'node:child_process';
import { afterEach } from 'vitest';

const running = new Set<ChildProcess>();
afterEach(() => {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  running.clear();
});

/** Watch `child`: killed after the current test if it has not ended by then. */
export function reaped<T extends ChildProcess>(child: T): T {
  running.add(child);
  child.once('close', () => running.delete(child));
  return child;
}
