import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { actorpc } from '../support/cli.js';

const temps: string[] = [];
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});
/** A temporary folder, removed after the tests. */
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'actorpc-'));
  temps.push(dir);
  return dir;
}

describe('actorpc run (end to end, real workers)', () => {
  it('boots the default machine headless until "Hello World!" appears, exit 0, and prints the screen', () => {
    const r = actorpc(['run', 'config/default.yaml', '--headless', '--until', 'Hello World!', '--timeout', '10s', '--no-stats']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const rows = r.stdout.split('\n');
    expect(rows).toHaveLength(26); // 25 rows and the final newline
    // The run stops at the first scan showing the text: before or after the newline scrolled it.
    expect(rows.slice(23, 25)).toContain('Hello World!');
  });

  it('--screen writes the final screen text to a file', () => {
    const dir = tempDir();
    const file = join(dir, 'screen.txt');
    const r = actorpc(['run', 'config/posts/post-03.yaml', '--headless', '--time', 'virtual', '--for', '1s', '--screen', file]);
    expect(r.status).toBe(0);
    expect(readFileSync(file, 'utf8').split('\n')[23]).toBe('Hello World!');
  });

  it('--timeout in machine time exits 124 when TEXT has not appeared yet', () => {
    const r = actorpc(['run', 'config/default.yaml', '--headless', '--time', 'virtual', '--until', 'Hello World!', '--timeout', '1us']);
    expect(r.status).toBe(124);
    expect(r.stderr).toContain('timed out after 1us of machine time before "Hello World!" appeared');
  });

  it('--until TEXT that can never appear ends at once when the CPU idles for good, exit 1', () => {
    const r = actorpc(['run', 'config/posts/post-03.yaml', '--headless', '--time', 'virtual', '--until', 'Goodbye']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('"Goodbye" is not on the screen: it never will be');
  });

  it('--log writes schema-v1 NDJSON trace records', () => {
    const dir = tempDir();
    const log = join(dir, 'trace.ndjson');
    const r = actorpc(['run', 'config/posts/post-03.yaml', '--headless', '--time', 'virtual', '--for', '10ms', '--log', log]);
    expect(r.status).toBe(0);
    const records = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(records[0]).toEqual({ v: 2, t: 0, seq: 0, kind: 'machine.start', src: 'cpu', machine: 'post-03', kernel: 'post-03', clock: 'virtual' });
    expect(records.map((x) => x.kind)).toContain('cpu.idle');
    expect(records.every((x, i) => x.seq === i)).toBe(true);
  });

  it('--log-filter keeps only matching kinds', () => {
    const dir = tempDir();
    const log = join(dir, 'trace.ndjson');
    const r = actorpc(['run', 'config/posts/post-03.yaml', '--headless', '--time', 'virtual', '--log', log, '--log-filter', 'kind=cpu.idle,machine.*']);
    expect(r.status).toBe(0);
    const kinds = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l).kind);
    expect(kinds).toEqual(['machine.start', 'cpu.idle', 'machine.stop']);
  });

  it('a broken YAML gives status 2, file:line:column and the fix, and no stack trace', () => {
    const dir = tempDir();
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, 'memory: 128MiB\nkernel:\n  main: post-03\ndevices:\n  vga:\n    impl: vga\n    prots: {}\n');
    const r = actorpc(['run', file, '--headless']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('broken.yaml:7:5');
    expect(r.stderr).toContain('Did you mean "ports"?');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('bad flags give status 2 with the fix', () => {
    const r = actorpc(['run', 'config/default.yaml', '--time', 'fast']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('use --time realtime or --time virtual');
    const d = actorpc(['run', 'config/default.yaml', '--for', 'soon']);
    expect(d.status).toBe(2);
    expect(d.stderr).toContain('--for "soon"');
    const f = actorpc(['run', 'config/default.yaml', '--log-filter', 'knd=io.*']);
    expect(f.status).toBe(2);
    expect(f.stderr).toContain('Did you mean "kind"?');
  });

  it('actorpc check validates only', () => {
    const r = actorpc(['check', 'config/default.yaml']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('ok');
  });

  it('--print-config prints the resolved machine', () => {
    const r = actorpc(['run', 'config/default.yaml', '--print-config', '--headless']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('memoryBytes: 134217728');
    expect(r.stdout).toContain('main: post-12');
    expect(r.stdout).toContain('# kernel post-12: Async/Await');

  });
});

describe('supervision', () => {
  it('a user device that throws is reported with its name and error; the machine stops with status 1', () => {
    const r = actorpc(['run', 'tests/fixtures/machines/crashing-device.yaml', '--headless', '--time', 'virtual', '--for', '1s']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('device "buggy" crashed');
    expect(r.stderr).toContain('model bug: counter underflow');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('the same device placed inline is reported the same way', () => {
    const r = actorpc(['run', 'tests/fixtures/machines/crashing-device-inline.yaml', '--headless', '--time', 'virtual', '--for', '1s']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('device "buggy" crashed');
    expect(r.stderr).toContain('model bug: counter underflow');
  });
});

describe('actorpc test', () => {
  it('runs the named suites, prints their transcripts and a summary, exit 0 when all pass', () => {
    const r = actorpc(['test', 'basic_boot', 'should_panic']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Running 1 tests\r\nbasic_boot::test_println...\t[ok]');
    expect(r.stdout).toContain('should_panic::should_fail...\t[ok]');
    expect(r.stdout).toContain('2 passed, 0 failed');
  });

  it('an unknown suite is a usage error naming the suites', () => {
    const r = actorpc(['test', 'basic_boots']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('Did you mean "basic_boot"?');
  });

  it('a suite that needs longer than --timeout fails with "Test timed out", exit 1', () => {
    const r = actorpc(['test', 'lib', '--timeout', '1ms']);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('Test timed out after 1ms of machine time');
    expect(r.stdout).toContain('0 passed, 1 failed');
  });
});

describe('serial input from a script', () => {
  it('--input serial: steps reach COM1 at their machine time (serial.rx traces)', () => {
    const dir = tempDir();
    const steps = join(dir, 'serial.yaml');
    const log = join(dir, 'trace.ndjson');
    writeFileSync(steps, '- at: 10ms\n  serial: "hi"\n');
    const r = actorpc(['run', 'config/default.yaml', '--headless', '--time', 'virtual', '--for', '50ms', '--input', steps, '--log', log, '--log-filter', 'kind=serial.rx']);
    expect(r.status).toBe(0);
    const rx = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rx.map((x) => [x.t, x.src, x.byte])).toEqual([[10e6, 'com1', 0x68], [10e6, 'com1', 0x69]]);
  });
});
