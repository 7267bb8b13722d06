// uart_16550 0.6: Uart16550Tty over port I/O. init() does the crate's exact register sequence —
// scratch test (0x42, 0x73), 9600 8N1 (divisor 12), FIFO 0xC7, MCR 0x0B, IER 0x01, wait for TEMT —
// then the loopback self-test ("hello world!1337"). Sending waits for THR empty and, outside
// loopback, CTS; the TTY layer turns "\n" into "\r\n" and 0x08/0x7F into BS SP BS.
import { inb, outb } from '../cpu/isa.js';

const DATA = 0;
const IER = 1;
const FCR = 2;
const LCR = 3;
const MCR = 4;
const LSR = 5;
const MSR = 6;
const SCRATCH = 7;
const LSR_DR = 0x01;
const LSR_THRE = 0x20;
const LSR_TEMT = 0x40;
const MSR_CTS = 0x10;
const MCR_LOOP = 0x10;
/** Bytes per THR-empty check in FIFO mode. */
const FIFO_BURST = 16;
const SELF_TEST = 'hello world!1337';

export type UartError = 'DeviceNotPresent' | 'LoopbackFailed';

export class Uart16550Tty {
  private loopback = false;

  constructor(readonly base: number) {}

  /** new_port + init: the crate's sequence. Returns an error name instead of panicking. */
  init(): UartError | undefined {
    const b = this.base;
    for (const probe of [0x42, 0x73]) {
      outb(b + SCRATCH, probe);
      if (inb(b + SCRATCH) !== probe) return 'DeviceNotPresent';
    }
    outb(b + IER, 0x00);
    outb(b + LCR, 0x80); // DLAB
    outb(b + DATA, 0x0c); // divisor 12: 9600 baud from 1.8432 MHz
    outb(b + IER, 0x00);
    outb(b + LCR, 0x00);
    outb(b + LCR, 0x03); // 8N1
    outb(b + FCR, 0xc7); // FIFO on, clear RX/TX, trigger 14
    outb(b + MCR, 0x0b); // DTR | RTS | OUT2
    outb(b + IER, 0x01); // data-ready interrupt (IRQ4 stays masked at the PIC)
    while ((inb(b + LSR) & LSR_TEMT) === 0);
    return this.selfTest();
  }

  private selfTest(): UartError | undefined {
    const b = this.base;
    const mcr = inb(b + MCR);
    outb(b + MCR, MCR_LOOP);
    this.loopback = true;
    outb(b + FCR, 0xc7);
    while (inb(b + LSR) & LSR_DR) inb(b + DATA);
    const echo = (byte: number): boolean => {
      this.sendRaw([byte]);
      while ((inb(b + LSR) & LSR_DR) === 0);
      return inb(b + DATA) === byte;
    };
    let ok = echo(0x42);
    for (const ch of SELF_TEST) ok = ok && echo(ch.charCodeAt(0));
    outb(b + MCR, mcr);
    this.loopback = false;
    return ok ? undefined : 'LoopbackFailed';
  }

  /** Raw bytes: wait for THR empty (and CTS outside loopback), then up to 16 bytes. */
  private sendRaw(bytes: number[]): void {
    const b = this.base;
    for (let i = 0; i < bytes.length; ) {
      while ((inb(b + LSR) & LSR_THRE) === 0 || (!this.loopback && (inb(b + MSR) & MSR_CTS) === 0));
      for (let n = 0; n < FIFO_BURST && i < bytes.length; n++) outb(b + DATA, bytes[i++]);
    }
  }

  /** TTY output: "\n" → "\r\n", backspace/delete → BS SP BS, everything else verbatim (UTF-8). */
  write_str(s: string): void {
    const out: number[] = [];
    for (const byte of new TextEncoder().encode(s)) {
      if (byte === 0x0a) out.push(0x0d, 0x0a);
      else if (byte === 0x08 || byte === 0x7f) out.push(0x08, 0x20, 0x08);
      else out.push(byte);
    }
    this.sendRaw(out);
  }
}
