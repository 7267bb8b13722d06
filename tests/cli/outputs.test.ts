// Output paths (--log, --screen, a serial port's log file) are checked before the machine starts:
// status 2, one paragraph naming the flag, the path, why and the fix; no stack, nothing started.
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';
import { run, start, tempDirs } from './spawn.js';

const temp = tempDirs();
afterAll(() => temp.cleanup());

const POST03 = ['run', 'config/posts/post-03.yaml', '--headless', '--time', 'virtual', '--for', '1s'];

function expectUsageError(r: { status: number | null; stdout: string; stderr: string }, ...parts: string[]): void {
  expect(r.status).toBe(2);
  for (const p of parts) expect(r.stderr).toContain(p);
  expect(r.stderr).not.toMatch(/\n\s+at |Unhandled|internal error/);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1); // one paragraph
  expect(r.stdout).toBe(''); // the machine never ran: no final screen
}

describe('output paths are checked before the machine starts', () => {
  it('--log naming a folder: status 2 naming the flag, the folder and a file to give instead', async () => {
    const dir = temp.make();
    const r = await run([...POST03, '--log', dir]);
    expectUsageError(r, `--log ${dir}: that is a folder, not a file`, `--log ${dir}/trace.ndjson`);
  });

  it('--screen naming a folder: status 2 before the run (not after it)', async () => {
    const dir = temp.make();
    const r = await run([...POST03, '--screen', dir]);
    expectUsageError(r, `--screen ${dir}: that is a folder, not a file`);
  });

  it('--screen or --log in a folder that does not exist: status 2 saying which folder and how to make it', async () => {
    const missing = join(temp.make(), 'no', 'such');
    const s = await run([...POST03, '--screen', join(missing, 'screen.txt')]);
    expectUsageError(s, `--screen ${missing}/screen.txt: the folder ${missing} does not exist`, `mkdir -p ${missing}`);
    const l = await run([...POST03, '--log', join(missing, 'trace.ndjson')]);
    expectUsageError(l, `--log ${missing}/trace.ndjson: the folder ${missing} does not exist`);
    expect(existsSync(missing)).toBe(false);
  });

  it('--log under a plain file (not a folder): status 2', async () => {
    const file = join(temp.make(), 'plain');
    writeFileSync(file, 'x');
    const r = await run([...POST03, '--log', join(file, 'trace.ndjson')]);
    expectUsageError(r, `--log ${file}/trace.ndjson: ${file} is not a folder`);
  });

  it('a serial log (adapter: file) that is a folder: status 2 naming the device and its options.file', async () => {
    const dir = temp.make();
    const yaml = join(dir, 'm.yaml');
    writeFileSync(yaml, `extends: ${join(ROOT, 'config', 'posts', 'post-03.yaml')}\ndevices:\n  com1:\n    adapter: file\n    options: { file: ${dir} }\n`);
    const r = await run(['run', yaml, '--headless', '--time', 'virtual', '--for', '1s']);
    expectUsageError(r, `the serial log of com1 (adapter: file) ${dir}: that is a folder, not a file`);
  });

  it('checking leaves no file behind when the run then fails for another reason', async () => {
    const dir = temp.make();
    const r = await run(['run', 'config/posts/post-03.yaml', '--headless', '--screen', join(dir, 'screen.txt'), '--type', '€']);
    expect(r.status).toBe(2);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('--log failing while the machine runs', () => {
  it('a --log FIFO whose reader goes away stops the run: status 1, one line naming --log and why', async () => {
    const fifo = join(temp.make(), 'trace.fifo');
    execFileSync('mkfifo', [fifo]);
    // post-07 in virtual time runs until something stops it.
    const r = start(['run', 'config/posts/post-07.yaml', '--headless', '--time', 'virtual', '--log', fifo, '--no-stats']);
    const reader = createReadStream(fifo);
    await new Promise<void>((resolve) => reader.once('data', () => resolve()));
    reader.destroy(); // the reader goes away while records keep coming
    const end = await r.exited;
    expect(end.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^actorpc: --log ${fifo}: [^\\n]+; the run was stopped\\.\\n$`));
  });
});
