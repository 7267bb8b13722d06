// The qtest protocol itself through the real command: memory access, FAIL replies for whatever
// is malformed (and the session going on after them), a session piped from a file, and the
// command line. (The Unix socket and signals: socket.test.ts; the limits: limits.test.ts.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { QtestSession, qtestSessions, runActorpc, runQtest } from '../support/qtest.js';
import { tempDirs } from '../support/temp.js';

// Each test starts real processes and workers: readiness is their replies and exits, and only
// this generous backstop bounds a test on a loaded host.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const open = qtestSessions();

const temp = tempDirs('actorpc-qtest-');

describe('actorpc qtest: physical memory', () => {
  it('writeb/w/l/q and readb/w/l/q round-trip, little-endian', async () => {
    const s = open();
    expect(await s.send('writeq 0x1000 0x1122334455667788', 'readq 0x1000', 'readl 0x1000', 'readw 0x1006', 'readb 0x1007'))
      .toEqual(['OK', 'OK 0x1122334455667788', 'OK 0x55667788', 'OK 0x1122', 'OK 0x11']);
    expect(await s.send('writeb 0x2000 0xab', 'writew 0x2001 0xcdef', 'writel 0x2003 0x01020304', 'read 0x2000 7'))
      .toEqual(['OK', 'OK', 'OK', 'OK 0xabefcd04030201']);
  });

  it('read/write move bytes as hex (short data is zero-filled), b64read/b64write as base64, memset fills', async () => {
    const s = open();
    expect(await s.send('write 0x3000 6 0xdeadbeef', 'read 0x3000 6', 'b64read 0x3000 4')).toEqual(['OK', 'OK 0xdeadbeef0000', 'OK 3q2+7w==']);
    expect(await s.send('b64write 0x3000 3 AQID', 'read 0x3000 4')).toEqual(['OK', 'OK 0x010203ef']);
    expect(await s.send('memset 0x3001 2 0x55', 'read 0x3000 4', 'memset 0x3000 0 0x99', 'readb 0x3000')).toEqual(['OK', 'OK 0x015555ef', 'OK', 'OK 0x01']);
  });

  it('the VGA adapter on its worker sees the same memory', async () => {
    const s = open();
    // Text cell (0,0) at 0xb8000: a character and its attribute, then a scan at the next deadline.
    expect(await s.send('writew 0xb8000 0x1f41', 'readb 0xb8000', 'readb 0xb8001')).toEqual(['OK', 'OK 0x41', 'OK 0x1f']);
    expect((await s.cmd('clock_step')).reply).toMatch(/^OK \d+$/);
  });
});

describe('actorpc qtest: FAIL, never a crash', () => {
  it('answers malformed commands with FAIL reason and carries on', async () => {
    const s = open();
    const fails = await s.send(
      'bogus 1 2', 'outx 0x20 1', 'outb 0x20', 'inb 0x20 0x21', 'inb zz', 'outb 0x20 1O', 'outb 0x10000 1', 'outb 0x20 0x100',
      'readq 0x7fffffc', 'read 0x1000 0', 'write 0x1000 2 0x123', 'write 0x1000 1 0x1234', 'b64write 0x1000 4 %%%%',
      'clock_step -5', 'clock_set soon', 'irq_intercept_in nosuch', 'irq_intercept_out vga', 'irq_intercept_out cpu',
      'set_irq_in pic1 ir9 1', 'set_irq_in pic1 ir0 2',
    );
    expect(fails.every((r) => r.startsWith('FAIL '))).toBe(true);
    expect(fails[0]).toMatch(/^FAIL unknown command "bogus"\. Commands: outb outw outl inb/);
    expect(fails[1]).toMatch(/^FAIL unknown command "outx"\. Did you mean "outb"\?/);
    expect(fails[2]).toBe('FAIL outb takes ADDR VALUE, got 1 argument: write "outb ADDR VALUE"');
    expect(fails[4]).toBe('FAIL port "zz" is not a number: write it in hex (0x20), decimal (32) or octal (040)');
    expect(fails[5]).toBe('FAIL VALUE "1O" is not a number: write it in hex (0x20), decimal (32) or octal (040)');
    expect(fails[6]).toBe('FAIL port 0x10000 is out of range: I/O ports are 0x0-0xffff');
    expect(fails[7]).toBe('FAIL VALUE 0x100 does not fit in a byte');
    expect(fails[8]).toBe('FAIL ADDR 0x7fffffc + 8 bytes lies outside memory (0x0-0x7ffffff)');
    expect(fails[15]).toMatch(/^FAIL unknown device "nosuch"\. Devices: vga, pic1, pic2, pit/);
    expect(fails[16]).toBe('FAIL device "vga" has no output pins');
    // The session is still good.
    expect(await s.send('outb 0x21 0x5a', 'inb 0x21', 'endianness')).toEqual(['OK', 'OK 0x5a', 'OK little']);
  });

  it('an unclaimed port reads as a floating bus; wide accesses are split as QEMU does', async () => {
    const s = open();
    expect(await s.send('inb 0x2f0', 'inw 0x2f0', 'inl 0x2f0')).toEqual(['OK 0xff', 'OK 0xffff', 'OK 0xffffffff']);
    // inw 0x20 = IRR (0x01: the PIT drove IRQ0 high at power-on) | IMR << 8.
    expect(await s.send('outb 0x21 0x12', 'inw 0x20')).toEqual(['OK', 'OK 0x1201']);
  });

  it('a device whose model throws at power-on ends the session before any reply: exit status 1, its name on stderr', async () => {
    const s = new QtestSession(['tests/fixtures/machines/crashing-device-inline.yaml']);
    expect(await s.close()).toBe(1);
    expect(s.stderr).toContain('actor "buggy" crashed: model bug: counter underflow');
  });
});

describe('actorpc qtest: the command', () => {
  it('runs a session piped from a file: replies in order, blank lines and # comments skipped, exit 0 at EOF', async () => {
    const r = await runQtest('# program the PIT\noutb 0x43 0x34\n\nclock_step\nclock_step 1000\n');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('OK');
    expect(lines[1]).toMatch(/^OK [1-9]\d*$/);
    expect(lines[2]).toBe(`OK ${Number(lines[1].slice(3)) + 1000}`);
    expect(lines.slice(3)).toEqual(['']);
  });

  it('--log FILE records each command (qtest.cmd) before the bus records it causes', async () => {
    const log = join(temp.make(), 'trace.ndjson');
    const r = await runQtest('outb 0x21 0xff\nclock_step 5\n', ['config/pc.yaml', '--log', log, '--log-filter', 'kind=qtest.*,io.*,machine.*']);
    expect(r.status).toBe(0);
    const records = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(records.map((x) => [x.kind, x.src, x.cmd ?? x.reg ?? x.reason])).toEqual([
      ['machine.start', 'qtest', undefined],
      ['qtest.cmd', 'qtest', 'outb 0x21 0xff'],
      ['io.write', 'cpu', 'ICW2-4/OCW1'],
      ['qtest.cmd', 'qtest', 'clock_step 5'],
      ['machine.stop', 'qtest', 'stop'],
    ]);
    expect(records.at(-1).t).toBe(5);
  });

  it('is in the usage text; flags that only make sense for run are refused with status 2', async () => {
    const help = await runActorpc(['help']);
    expect(help.stdout).toContain('qtest FILE');
    expect(help.stdout).toContain('--socket PATH');
    const bad = await runActorpc(['qtest', 'config/pc.yaml', '--for', '1s']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--for does not apply to "actorpc qtest"');
    const misplaced = await runActorpc(['run', 'config/pc.yaml', '--socket', '/tmp/x']);
    expect(misplaced.status).toBe(2);
    expect(misplaced.stderr).toContain('--socket applies to "actorpc qtest" only');
  });
});
