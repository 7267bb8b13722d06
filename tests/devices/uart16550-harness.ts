// Helpers for the 16550 tests: a core on a FakeContext driven through its ports as a guest would
// (offsets 0..7 of COM1), and the uart_16550 crate's init sequences written out byte for byte.
import { uart16550 } from '../../devices/uart16550/module.js';
import type { Uart16550 } from '../../devices/uart16550/core.js';
import { FakeContext } from '../support/fake-context.js';

export const DATA = 0, IER = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7;

export class Com {
  readonly ctx = new FakeContext('com1');
  readonly core = uart16550.create(this.ctx, {}) as Uart16550;
  /** Every port access as [offset, value, 'r' | 'w'], to compare with a crate's sequence. */
  readonly log: Array<[number, number, 'r' | 'w']> = [];

  out(offset: number, ...values: number[]): this {
    for (const v of values) {
      this.log.push([offset, v, 'w']);
      this.core.write(0, offset, 1, v);
    }
    return this;
  }
  in(offset: number): number {
    const v = this.core.read(0, offset, 1);
    this.log.push([offset, v, 'r']);
    return v;
  }
  /** Bytes emitted on the `tx` channel so far. */
  tx(): number[] {
    return this.ctx.events.filter((e) => e.channel === 'tx').map((e) => e.payload as number);
  }
  irq(): number { return this.ctx.level(0); }
  /** Levels the irq pin has been driven to, in order. */
  irqHistory(): number[] { return this.ctx.outputHistory.filter(([pin]) => pin === 0).map(([, level]) => level); }
  rx(...bytes: number[]): this { this.core.rx(bytes); return this; }
  /** Advance machine time by `dt` ns and serve a due deadline as the shell would. */
  wait(dt: number): this {
    this.ctx.t += dt;
    if (this.core.nextDeadline() <= this.ctx.t) this.core.advance();
    return this;
  }
  /** Read RBR while LSR.DR says a byte is there. */
  drain(): number[] {
    const out: number[] = [];
    for (let i = 0; i < 64 && this.in(LSR) & 0x01; i++) out.push(this.in(DATA));
    return out;
  }
  guestErrors(): number { return this.ctx.tracesOf('guest_error').length; }
}

const spin = (cond: () => boolean): void => {
  for (let i = 0; i < 1000; i++) if (cond()) return;
  throw new Error('spun 1000 times: the UART never became ready');
};

/** uart_16550 0.6: send raw bytes, waiting for THRE (and CTS outside loopback), up to 16 per check. */
function send06(c: Com, bytes: number[], loopback: boolean): void {
  for (let i = 0; i < bytes.length; ) {
    spin(() => (c.in(LSR) & 0x20) !== 0 && (loopback || (c.in(MSR) & 0x10) !== 0));
    for (let n = 0; n < 16 && i < bytes.length; n++) c.out(DATA, bytes[i++]);
  }
}

/** uart_16550 0.6 `Uart16550Tty::new_port(0x3F8, Config::default())` (blog-os-behaviour.md §5.3). Throws on the crate's errors. */
export function init06(c: Com): void {
  for (const probe of [0x42, 0x73]) {
    c.out(SCR, probe);
    if (c.in(SCR) !== probe) throw new Error('DeviceNotPresent');
  }
  c.out(IER, 0x00);
  c.out(LCR, 0x80).out(DATA, 0x0c).out(IER, 0x00).out(LCR, 0x00);
  c.out(LCR, 0x03);
  c.out(FCR, 0xc7);
  c.out(MCR, 0x0b);
  c.out(IER, 0x01);
  spin(() => (c.in(LSR) & 0x40) !== 0);
  // Loopback self-test.
  const mcr = c.in(MCR);
  c.out(MCR, 0x10);
  c.out(FCR, 0xc7);
  while (c.in(LSR) & 0x01) c.in(DATA);
  const echo = (b: number) => {
    send06(c, [b], true);
    spin(() => (c.in(LSR) & 0x01) !== 0);
    return c.in(DATA) === b;
  };
  if (!echo(0x42)) throw new Error('LoopbackFailed');
  for (const ch of 'hello world!1337') if (!echo(ch.charCodeAt(0))) throw new Error('LoopbackFailed');
  c.out(MCR, mcr);
}

/** uart_16550 0.6 TTY output: "\n" → "\r\n", 0x08/0x7F → BS SP BS. */
export function write06(c: Com, s: string): void {
  const out: number[] = [];
  for (const b of new TextEncoder().encode(s)) {
    if (b === 0x0a) out.push(0x0d, 0x0a);
    else if (b === 0x08 || b === 0x7f) out.push(0x08, 0x20, 0x08);
    else out.push(b);
  }
  send06(c, out, false);
}

/** uart_16550 0.2.x `SerialPort::new(0x3F8).init()`. */
export function init02(c: Com): void {
  c.out(IER, 0x00);
  c.out(LCR, 0x80).out(DATA, 0x03).out(IER, 0x00);
  c.out(LCR, 0x03);
  c.out(FCR, 0xc7);
  c.out(MCR, 0x0b);
  c.out(IER, 0x01);
}

/** uart_16550 0.2.x send: wait for LSR bit 5, write the byte ("\n" raw). */
export function write02(c: Com, s: string): void {
  for (const b of new TextEncoder().encode(s)) {
    spin(() => (c.in(LSR) & 0x20) !== 0);
    c.out(DATA, b);
  }
}
