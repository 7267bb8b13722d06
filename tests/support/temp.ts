// Temporary folders for tests, removed when the file's tests are done (afterAll): no actorpc-*
// folder outlives a run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** Call at the top level of a test file: make() gives a fresh folder, all removed after the file's tests. */
export function tempDirs(prefix = 'actorpc-') {
  const made: string[] = [];
  const cleanup = (): void => {
    for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
  };
  afterAll(cleanup);
  return {
    make(): string {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      made.push(dir);
      return dir;
    },
    cleanup,
  };
}
