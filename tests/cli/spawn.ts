// The real `actorpc` command (compiled: build first) as a child process the test can talk to:
// wait for text on its output, then signal it, close its pipes or feed its stdin.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../support/cli.js';
import { reaped } from '../support/children.js';

export const BIN = join(ROOT, 'bin', 'actorpc.js');

export interface Running {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  /** Resolves once `text` has appeared on the stream (rejects if the process ends first). */
  waitFor(stream: 'stdout' | 'stderr', text: string | RegExp): Promise<void>;
  /** Exit status (or 128 + n when a signal killed it, as a shell reports it) and the signal. */
  readonly exited: Promise<{ status: number | null; signal: NodeJS.Signals | null }>;
}

export function start(args: readonly string[], options: { cwd?: string } = {}): Running {
  const child = reaped(spawn(process.execPath, [BIN, ...args], { cwd: options.cwd ?? ROOT, stdio: ['pipe', 'pipe', 'pipe'] }));
  const waiters: Array<{ stream: 'stdout' | 'stderr'; text: string | RegExp; resolve: () => void; reject: (e: Error) => void }> = [];
  const r: Running = {
    child,
    stdout: '',
    stderr: '',
    waitFor(stream, text) {
      return new Promise<void>((resolve, reject) => {
        waiters.push({ stream, text, resolve, reject });
        check();
      });
    },
    exited: new Promise((resolve) => child.on('close', (status, signal) => {
      for (const w of waiters.splice(0)) w.reject(new Error(`actorpc ended (status ${status}, signal ${signal}) before "${w.text}" appeared on ${w.stream}:\n${r.stderr}`));
      resolve({ status, signal });
    })),
  };
  const check = () => {
    for (const w of [...waiters]) {
      const s = r[w.stream];
      if (typeof w.text === 'string' ? s.includes(w.text) : w.text.test(s)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout!.setEncoding('utf8').on('data', (d: string) => { r.stdout += d; check(); });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { r.stderr += d; check(); });
  // A test that closes the child's stdout on purpose must not die of the pipe's errors itself.
  child.stdin!.on('error', () => {});
  child.stdout!.on('error', () => {});
  return r;
}

/** Run to the end: status, stdout, stderr. */
export async function run(args: readonly string[], options: { cwd?: string; stdin?: string } = {}) {
  const r = start(args, options);
  r.child.stdin!.end(options.stdin ?? '');
  const { status, signal } = await r.exited;
  return { status, signal, stdout: r.stdout, stderr: r.stderr };
}

/** Temporary folders named actorpc-*, all removed by cleanup() (call it in afterAll). */
export { tempDirs } from '../support/temp.js';
