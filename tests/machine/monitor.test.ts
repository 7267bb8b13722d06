// The monitor against a running post-12 machine, over stdio and over TCP: stop, step (exactly N
// instructions), info registers / pic / idt / devices, x on the IDT, cont, quit. Replies are read
// prompt by prompt (readiness), never after a sleep.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';
import { reaped } from '../support/children.js';
import { tempDirs } from '../support/temp.js';

const PROMPT = '(actorpc) ';
const temps = tempDirs();

/** A line-oriented monitor session on a stream: send a command, get the text before the next prompt. */
class Session {
  private text = '';
  private waiters: Array<() => void> = [];
  constructor(private readonly input: NodeJS.WritableStream, output: NodeJS.ReadableStream) {
    output.on('data', (d: Buffer) => {
      this.text += d.toString();
      for (const w of this.waiters.splice(0)) w();
    });
  }
  /** Wait until `re` matches the output so far; returns the match and drops the text up to it. */
  async waitFor(re: RegExp): Promise<RegExpExecArray> {
    for (;;) {
      const m = re.exec(this.text);
      if (m) {
        this.text = this.text.slice(m.index + m[0].length);
        return m;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }
  async run(cmd: string): Promise<string> {
    this.input.write(`${cmd}\n`);
    const m = await this.waitFor(/([\s\S]*?)\n?\(actorpc\) /);
    return m[1].trim();
  }
}

function start(args: string[]): ChildProcessWithoutNullStreams {
  return reaped(spawn(process.execPath, ['bin/actorpc.js', 'run', ...args], { cwd: ROOT }));
}

function exited(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => child.once('close', (code) => resolve(code)));
}

const icountOf = (regs: string): number => Number(/icount=(\d+)/.exec(regs)![1]);
const idtBase = (regs: string): number => Number(/IDT=(0x[0-9a-f]+)/.exec(regs)![1]);

/** stop, step 10, info registers, info pic, x/4gx on the IDT (checked against info idt), cont, quit. */
async function inspect(s: Session, stopped: string): Promise<void> {
  const before = icountOf(stopped);
  const stepped = await s.run('step 10');
  expect(icountOf(stepped)).toBe(before + 10);
  const regs = await s.run('info registers');
  expect(regs).toMatch(/^RIP=0x[0-9a-f]{16} RSP=0x[0-9a-f]{16}/);
  expect(regs).toContain('CR3=0x0000000000001000');
  expect(icountOf(regs)).toBe(before + 10);
  const pic = await s.run('info pic');
  expect(pic).toMatch(/pic1 \(i8259, inline\)\n {2}IRR=0x[0-9a-f]{2} ISR=0x[0-9a-f]{2} IMR=0x[0-9a-f]{2} .*vectors 0x20-0x27 initialised/);
  expect(pic).toContain('vectors 0x28-0x2f');
  // The timer's gate (vector 32) read as raw memory through the page tables, decoded by hand.
  const gate = await s.run(`x/2gx 0x${(idtBase(regs) + 32 * 16).toString(16)}`);
  const [lo, hi] = gate.split(': ')[1].split(' ').map((v) => BigInt(v));
  const offset = (hi << 32n) | ((lo >> 32n) & 0xffff0000n) | (lo & 0xffffn);
  const idt = await s.run('info idt');
  expect(idt).toContain(` 32: 0x0008:0x${offset.toString(16).padStart(16, '0')} interrupt gate`);
  const four = await s.run(`x/4gx 0x${idtBase(regs).toString(16)}`);
  expect(four.split('\n')).toHaveLength(2); // two 8-byte values a line
  expect(four).toMatch(/^0x[0-9a-f]{16}: 0x[0-9a-f]{16} 0x[0-9a-f]{16}\n0x[0-9a-f]{16}: 0x[0-9a-f]{16} 0x[0-9a-f]{16}$/);
  expect(await s.run('cont')).toMatch(/^running at t=/);
  expect(await s.run('quit')).toBe('quitting');
}

describe('the monitor (--monitor stdio | tcp)', () => {
  it('over stdio, virtual time: --stop-at parks at exactly 500ms, step 10 adds exactly 10 instructions, the IDT reads back through x', async () => {
    const child = start(['config/posts/post-12.yaml', '--headless', '--time', 'virtual', '--monitor', 'stdio', '--stop-at', '500ms', '--no-stats']);
    const s = new Session(child.stdin, child.stdout);
    const parked = await s.waitFor(/stopped at t=(\S+) icount=(\d+) \(--stop-at\)\n\(actorpc\) /);
    expect(parked[1]).toBe('0.500000000s');
    const status = await s.run('info status');
    expect(status).toMatch(/^stopped at t=0\.500000000s icount=\d+/);
    // x reads through the page tables without filling the TLB: a page the kernel never touched,
    // through its physical-memory mapping, reads as xp reads the frame, and the TLB is unchanged.
    const tlbBefore = await s.run('info tlb');
    const offset = /0x(0000018000[0-9a-f]{6})/.exec(tlbBefore)![1];
    const base = BigInt(`0x${offset}`) & ~0x3fffffffn; // physical_memory_offset (the mapping of frame 0)
    const virt = await s.run(`x/2gx 0x${(base + 0x7000n).toString(16)}`);
    const phys = await s.run('xp/2gx 0x7000');
    expect(virt.split(': ')[1]).toBe(phys.split(': ')[1]);
    expect(await s.run('info tlb')).toBe(tlbBefore);
    await inspect(s, status);
    expect(await exited(child)).toBe(0);
  }, 60_000);

  it('over tcp, realtime: stop, step 10, info registers, info pic, x/4gx on the IDT, cont, quit', async () => {
    const child = start(['config/posts/post-12.yaml', '--headless', '--time', 'realtime', '--monitor', 'tcp:127.0.0.1:0', '--timeout', '120s', '--no-stats']);
    let err = '';
    const port = await new Promise<number>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        const m = /monitor on tcp:127\.0\.0\.1:(\d+)/.exec(err);
        if (m) resolve(Number(m[1]));
      });
    });
    const socket: Socket = connect(port, '127.0.0.1');
    const s = new Session(socket, socket);
    await s.waitFor(/\(actorpc\) /);
    // The kernel is up once the timer has ticked a few times (its handler's vector is counted).
    for (;;) {
      const irq = await s.run('info irq');
      if (/v32:([5-9]|\d\d)/.test(irq)) break;
    }
    const stopped = await s.run('stop');
    expect(stopped).toMatch(/^stopped at t=\S+ icount=\d+/);
    await inspect(s, stopped);
    socket.end();
    expect(await exited(child)).toBe(0);
  }, 120_000);

  it('sendkey on a replay is refused with a message: its keys come from the recording', async () => {
    const dir = temps.make();
    const rec = join(dir, 'session.rec');
    const record = start(['config/posts/post-12.yaml', '--headless', '--time', 'virtual', '--for', '300ms', '--record', rec, '--no-stats']);
    expect(await exited(record)).toBe(0);
    const child = start(['config/posts/post-12.yaml', '--headless', '--replay', rec, '--monitor', 'stdio', '--stop-at', '200ms', '--no-stats']);
    const s = new Session(child.stdin, child.stdout);
    await s.waitFor(/\(--stop-at\)\n\(actorpc\) /);
    expect(await s.run('sendkey a')).toMatch(/^error: this machine is replaying a recording: .*sendkey is refused/);
    expect(await s.run('quit')).toBe('quitting');
    expect(await exited(child)).toBe(0);
  }, 60_000);

  it('info devices shows each device by its describe(), a user device (the RTC example) too', async () => {
    const dir = temps.make();
    const file = join(dir, 'rtc.yaml');
    writeFileSync(file, [
      `extends: ${join(ROOT, 'config/posts/post-12.yaml')}`,
      'devices:',
      '  rtc:',
      `    impl: ${join(ROOT, 'dist/examples/devices/rtc/module.js')}`,
      '    options: { start: "2026-03-04T05:06:07Z" }',
      'wires:',
      '  - rtc.irq -> pic2.ir0',
      '',
    ].join('\n'));
    const child = start([file, '--headless', '--time', 'virtual', '--monitor', 'stdio', '--stop-at', '100ms', '--no-stats']);
    const s = new Session(child.stdin, child.stdout);
    await s.waitFor(/\(--stop-at\)\n\(actorpc\) /);
    const devices = await s.run('info devices');
    expect(devices).toMatch(/rtc \(mc146818, inline\)\n {2}clock 2026-03-04 05:06:07 A=0x26/);
    expect(devices).toMatch(/pit \(i8254, inline\)\n {2}ch0: mode 2 reload 65536 gate 1/);
    expect(devices).toMatch(/vga \(vga, worker vga\)\n {2}text mode, start address 0x0/);
    expect(await s.run('frobnicate')).toBe('error: unknown command "frobnicate"; "help" lists them');
    expect(await s.run('quit')).toBe('quitting');
    expect(await exited(child)).toBe(0);
  }, 60_000);
});
