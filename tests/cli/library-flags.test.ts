// Flags where people expect them (--no-reboot, --serial, --set, --version, run --help), serial
// input steps that name their UART, and `actorpc matrix`. Runs the compiled CLI: build first.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { actorpc } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'actorpc-flags-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('run flags', () => {
  it('run --help lists the run options, the new ones included, and nothing of other commands', () => {
    const r = actorpc(['run', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: actorpc run FILE/);
    for (const flag of ['--no-reboot', '--serial [UART=]OUT', '--set KEY=VALUE', '--for DURATION']) expect(r.stdout).toContain(flag);
    expect(r.stdout).not.toContain('qtest options');
  });

  it('--version prints the package version', () => {
    const r = actorpc(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`actorpc ${JSON.parse(readFileSync('package.json', 'utf8')).version}\n`);
  });

  it('--set is checked like the file: a bad value is a usage error naming --set and the key', () => {
    const r = actorpc(['check', 'config/posts/post-07.yaml', '--set', 'time.mode=virtul']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--set');
    expect(r.stderr).toContain('time.mode');
    expect(r.stderr).toContain('virtual');
    const bad = actorpc(['check', 'config/posts/post-07.yaml', '--set', 'nokey']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('KEY=VALUE');
  });

  it('--no-reboot and --set kernel.scenario: a triple fault ends the run with status 0 instead of a boot loop', () => {
    const r = actorpc(['run', 'config/posts/post-06.yaml', '--headless', '--time', 'virtual', '--for', '5s',
      '--set', 'kernel.scenario=stack-overflow-without-ist', '--no-reboot']);
    expect(r.stderr).toContain('triple fault: no_reboot is set');
    expect(r.status).toBe(0);
  });

  it('--serial com1=FILE sends the UART to a file; an unknown UART is a usage error naming the serial ports', () => {
    const file = join(dir, 'com1.log');
    const r = actorpc(['run', 'config/test.yaml', '--set', 'kernel.main=test-basic_boot', '--serial', `com1=${file}`, '--headless', '--timeout', '60s']);
    expect(r.status).toBe(33);
    expect(readFileSync(file, 'utf8')).toContain('basic_boot::test_println');
    const wrong = actorpc(['run', 'config/test.yaml', '--serial', 'com9=x.log', '--headless']);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain('com9');
    expect(wrong.stderr).toContain('Serial ports: com1');
  });

  it('a serial: input step may name its UART; a UART the machine lacks is a usage error', () => {
    const script = join(dir, 'serial.yaml');
    writeFileSync(script, '- at: 1ms\n  serial: "hi"\n  uart: com2\n');
    const r = actorpc(['run', 'config/posts/post-07.yaml', '--input', script, '--headless', '--time', 'virtual', '--for', '10ms']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('uart: com2');
    writeFileSync(script, '- at: 1ms\n  serial: "hi"\n  uart: com1\n');
    expect(actorpc(['run', 'config/posts/post-07.yaml', '--input', script, '--headless', '--time', 'virtual', '--for', '10ms']).status).toBe(0);
  });
});

describe('actorpc matrix', () => {
  it('runs machines in parallel in virtual time and prints one line each: exit, screen digest, interrupts per vector', () => {
    const args = ['matrix', 'config/posts/post-07.yaml', 'config/posts/post-05.yaml', '--for', '300ms', '--time', 'virtual', '--jobs', '2'];
    const r = actorpc(args, 120_000);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    // PIT channel 0 at 18.2 Hz: 5 ticks in 300 ms (the first at 54.9 ms); post-05 takes its int3 (vector 3).
    expect(lines[0]).toMatch(/^post-07 +exit 0 \(for\) +screen [0-9a-f]{12} +t=0\.300s +irqs v32:5$/);
    expect(lines[1]).toMatch(/^post-05 +exit 0 \(for\) +screen [0-9a-f]{12} +t=0\.300s +irqs v3:1$/);
    // Virtual time: the same machines give the same screens.
    expect(actorpc(args, 120_000).stdout).toBe(r.stdout);
  });

  it('checks every file before anything runs, and --jobs must be a count', () => {
    const r = actorpc(['matrix', 'config/posts/post-07.yaml', 'nope.yaml']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    const j = actorpc(['matrix', 'config/posts/post-07.yaml', '--jobs', '0']);
    expect(j.status).toBe(2);
    expect(j.stderr).toContain('--jobs');
  });
});
