// FIFOs for the log failure tests: made with mkfifo, and a readiness check on the reader.
import { spawnSync } from 'node:child_process';
import { readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

/** A FIFO in `dir` (a folder from tempDirs, removed with it). */
export function makeFifo(dir: string): string {
  const path = join(dir, 'log.fifo');
  const r = spawnSync('mkfifo', [path]);
  if (r.status !== 0) throw new Error(`mkfifo ${path} failed: ${r.stderr}`);
  return path;
}

/** Resolves once process `pid` has `path` open (its open of a FIFO returns when a writer opens the other end). */
export async function hasOpen(pid: number, path: string): Promise<void> {
  for (;;) {
    try {
      if (readdirSync(`/proc/${pid}/fd`).some((fd) => { try { return readlinkSync(`/proc/${pid}/fd/${fd}`) === path; } catch { return false; } })) return;
    } catch {
      // the process is not there yet
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
}
