// Output files are checked before the machine starts: a run that can only fail at its end (or
// crash inside a stream) wastes the run. One paragraph naming the flag, the path, why, and the fix.
import { closeSync, openSync, statSync, unlinkSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from './usage.js';

const REASONS: Readonly<Record<string, string>> = {
  EACCES: 'you may not write there (permission denied)',
  EPERM: 'you may not write there (operation not permitted)',
  EROFS: 'it is on a read-only file system',
  ENOSPC: 'the disk is full',
  ENAMETOOLONG: 'the name is too long',
};

/**
 * Throw a UsageError unless `path` can be written: not a folder, its folder exists, permission.
 * `what` names where the path came from (`--log`, `--screen`, `devices.com1.options.file`).
 * A FIFO, a terminal or another special file is accepted as it is (opening a FIFO would block).
 */
export function checkOutputPath(what: string, path: string, example: string): void {
  const abs = resolve(path);
  const fail = (why: string, fix: string) => {
    throw new UsageError(`${what} ${path}: ${why}. ${fix}`);
  };
  const existing = statIfAny(abs);
  if (existing?.isDirectory()) fail('that is a folder, not a file', `Name a file in it, e.g. ${what} ${joinShown(path, example)}.`);
  if (existing && !existing.isFile()) return;
  const folder = dirname(abs);
  const parent = statIfAny(folder);
  if (!parent) fail(`the folder ${folder} does not exist`, `Create it first (mkdir -p ${folder}) or choose another path.`);
  if (!parent!.isDirectory()) fail(`${folder} is not a folder`, 'Choose a path inside a folder.');
  let fd: number | undefined;
  try {
    fd = openSync(abs, 'a');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    fail(REASONS[code] ?? `it cannot be written (${code || (err as Error).message})`, 'Choose a path you can write to.');
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  // The probe must leave no trace: a file that did not exist is removed again.
  if (!existing) unlinkSync(abs);
}

/** The file's status, or undefined when there is none (also when a part of the path is a file). */
function statIfAny(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}

function joinShown(folder: string, file: string): string {
  return folder.endsWith('/') ? `${folder}${file}` : `${folder}/${file}`;
}
