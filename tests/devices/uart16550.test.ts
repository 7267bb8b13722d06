// The 16550 UART, one test per row of device-models.md §1.5, observed as a guest would: ports
// 0x3F8..0x3FF (offsets 0..7), the irq output, the `tx` events and the traces. Then the
// uart_16550 crate's init sequences (blog-os-behaviour.md §5.3) byte for byte.
import { describe, it, expect } from 'vitest';
import { uart16550 } from '../../devices/uart16550/module.js';
import { uart16550Options } from '../../devices/uart16550/options.js';
import { i8259 } from '../../devices/i8259/module.js';
import { busRig } from '../support/bus-rig.js';
import { Com, DATA, FCR, IER, IIR, LCR, LSR, MCR, MSR, SCR, init02, init06, write02, write06 } from './uart16550-harness.js';

describe('THR / RBR (+0)', () => {
  it('a THR write emits the byte on `tx` and traces serial.tx; THR and TSR are empty again at once', () => {
    const c = new Com().out(DATA, 0x41);
    expect(c.tx()).toEqual([0x41]);
    expect(c.ctx.tracesOf('serial.tx').map((r) => r.fields)).toEqual([{ byte: 0x41 }]);
    expect(c.in(LSR) & 0x60).toBe(0x60);
  });

  it('RBR returns received bytes in order, then 0 with the FIFO empty', () => {
    const c = new Com().out(FCR, 0x01).rx(0x61, 0x62);
    expect([c.in(DATA), c.in(DATA), c.in(DATA)]).toEqual([0x61, 0x62, 0]);
  });

  it('without FIFOs RBR holds one byte and keeps returning the last one', () => {
    const c = new Com().rx(0x31);
    expect([c.in(DATA), c.in(DATA)]).toEqual([0x31, 0x31]);
    expect(c.in(LSR) & 0x01).toBe(0);
  });
});

describe('IER (+1)', () => {
  it('keeps bits 0-3 only', () => {
    expect(new Com().out(IER, 0xff).in(IER)).toBe(0x0f);
  });

  it('enabling the THR-empty interrupt while THR is empty raises it at once', () => {
    const c = new Com().out(IER, 0x02);
    expect(c.irq()).toBe(1); // OUT2 is set after reset (QEMU MCR 0x08)
    expect(c.in(IIR)).toBe(0x02);
  });

  it("blog_os's IER 0x00 … 0x01 leaves no interrupt pending with nothing received", () => {
    const c = new Com().out(IER, 0x00).out(IER, 0x01);
    expect(c.in(IIR) & 0x0f).toBe(0x01);
    expect(c.irq()).toBe(0);
  });
});

describe('IIR (+2, read)', () => {
  it('reads 0x01 (no interrupt) after reset', () => {
    expect(new Com().in(IIR)).toBe(0x01);
  });

  it('reports the highest priority source: line status > RX data > THR empty > modem status', () => {
    const c = new Com().out(MCR, 0x10); // loopback: the modem lines change, MSR deltas pending
    c.out(MCR, 0x0b).out(IER, 0x0f);
    c.rx(1, 2); // 16450 mode: the second byte overruns the first
    expect(c.in(IIR)).toBe(0x06);
    c.in(LSR); // clears OE
    expect(c.in(IIR)).toBe(0x04);
    c.in(DATA);
    expect(c.in(IIR)).toBe(0x02); // reading it acknowledges THR empty…
    expect(c.in(IIR)).toBe(0x00); // …and modem status shows next
    c.in(MSR);
    expect(c.in(IIR)).toBe(0x01);
  });

  it('bits 7-6 read 0xC0 while the FIFOs are enabled', () => {
    const c = new Com().out(FCR, 0x01);
    expect(c.in(IIR)).toBe(0xc1);
    c.out(FCR, 0x00);
    expect(c.in(IIR)).toBe(0x01);
  });

  it('each THR write drops and raises the THR-empty interrupt: one edge per byte', () => {
    const c = new Com().out(IER, 0x02);
    c.out(DATA, 0x41).out(DATA, 0x42);
    expect(c.irqHistory()).toEqual([1, 0, 1, 0, 1]);
  });
});

describe('FCR (+2, write)', () => {
  it('0x02 clears the RX FIFO and 0x04 the TX side (THR empty interrupt again)', () => {
    const c = new Com().out(FCR, 0x01).rx(1, 2, 3).out(IER, 0x02);
    c.in(IIR); // acknowledge THR empty
    c.out(FCR, 0x03);
    expect(c.in(LSR) & 0x01).toBe(0);
    expect(c.in(IIR)).toBe(0xc1);
    c.out(FCR, 0x05);
    expect(c.in(IIR)).toBe(0xc2);
  });

  it('switching the FIFOs on or off flushes them', () => {
    const c = new Com().out(FCR, 0x01).rx(1, 2);
    c.out(FCR, 0x00);
    expect(c.in(LSR) & 0x01).toBe(0);
    c.rx(7).out(FCR, 0x01);
    expect(c.in(LSR) & 0x01).toBe(0);
  });

  it.each([[0x00, 1], [0x40, 4], [0x80, 8], [0xc0, 14]])('trigger bits %i: data-available interrupt at %i bytes', (bits, level) => {
    const c = new Com().out(FCR, 0x01 | bits).out(IER, 0x01);
    for (let i = 1; i < level; i++) c.rx(i);
    expect(c.in(IIR)).toBe(0xc1);
    c.rx(level);
    expect(c.in(IIR)).toBe(0xc4);
    expect(c.irq()).toBe(1);
  });

  it('the RX FIFO holds 16 bytes; a 17th is lost and sets OE', () => {
    const c = new Com().out(FCR, 0x01);
    c.rx(...Array.from({ length: 17 }, (_, i) => i + 1));
    expect(c.in(LSR) & 0x03).toBe(0x03);
    expect(c.drain()).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
  });

  it('character timeout: data below the trigger level and 4 character times without traffic give IIR 0xCC', () => {
    const c = new Com().out(LCR, 0x80, 0x03).out(DATA, 0x0c).out(IER, 0x00).out(LCR, 0x03); // 9600 8N1
    c.out(FCR, 0xc7).out(IER, 0x01).out(MCR, 0x0b);
    c.rx(0x61);
    const charNs = (10 * 12 * 1e9) / 115200;
    expect(c.core.nextDeadline()).toBe(Math.round(4 * charNs));
    c.wait(Math.round(4 * charNs) - 1);
    expect([c.in(IIR), c.irq()]).toEqual([0xc1, 0]);
    c.wait(1);
    expect([c.in(IIR), c.irq()]).toEqual([0xcc, 1]);
    expect(c.in(DATA)).toBe(0x61); // reading acknowledges it
    expect([c.in(IIR), c.irq(), c.core.nextDeadline()]).toEqual([0xc1, 0, Infinity]);
  });

  it('a new byte restarts the character timer', () => {
    const c = new Com().out(FCR, 0xc1).out(IER, 0x01); // divisor 12, LCR 0 (5N1: 7 bits a character)
    const timeout = Math.round((4 * 7 * 12 * 1e9) / 115200);
    c.rx(1).wait(timeout - 10).rx(2).wait(20);
    expect(c.in(IIR)).toBe(0xc1);
    c.wait(timeout);
    expect(c.in(IIR)).toBe(0xcc);
  });

  it('the DMA-mode bit (0x08) is accepted and changes nothing', () => {
    const c = new Com().out(FCR, 0x09).out(IER, 0x01).rx(5);
    expect(c.in(IIR)).toBe(0xc4);
    expect(c.guestErrors()).toBe(0);
  });
});

describe('LCR (+3) and the divisor latch', () => {
  it('with DLAB set, offsets 0 and 1 are DLL and DLM (reset divisor 0x0C) and writing DLL sends nothing', () => {
    const c = new Com().out(LCR, 0x80);
    expect([c.in(DATA), c.in(IER)]).toEqual([0x0c, 0x00]);
    c.out(DATA, 0x03).out(IER, 0x01);
    expect([c.in(DATA), c.in(IER)]).toEqual([0x03, 0x01]);
    expect(c.tx()).toEqual([]);
    c.out(LCR, 0x03);
    expect([c.in(LCR), c.in(IER)]).toEqual([0x03, 0x00]);
  });

  it('traces name the register DLAB selects', () => {
    const c = new Com().out(LCR, 0x80).out(DATA, 3).out(LCR, 0x03).out(DATA, 0x41);
    expect(c.ctx.tracesOf('serial.write').map((r) => r.fields)).toEqual([
      { offset: 3, reg: 'LCR', value: 0x80 },
      { offset: 0, reg: 'DLL', value: 3 },
      { offset: 3, reg: 'LCR', value: 0x03 },
      { offset: 0, reg: 'THR', value: 0x41 },
    ]);
  });

  it('baud = 115200 / divisor, with the frame format, sets the character time (serial.params trace)', () => {
    const c = new Com().out(LCR, 0x80).out(DATA, 0x03).out(LCR, 0x1f); // 38400, 8E2
    expect(c.core.charTimeNs()).toBeCloseTo(((1 + 8 + 1 + 2) * 3 * 1e9) / 115200, 6);
    expect(c.ctx.tracesOf('serial.params').at(-1)?.fields).toEqual({ baud: 38400, parity: 'E', data: 8, stop: 2 });
  });
});

describe('MCR (+4) and loopback', () => {
  it('reads back bits 0-4; reset value 0x08 (OUT2) as QEMU', () => {
    const c = new Com();
    expect(c.in(MCR)).toBe(0x08);
    expect(c.out(MCR, 0xff).in(MCR)).toBe(0x1f);
  });

  it('loopback returns THR bytes through RBR and transmits nothing', () => {
    const c = new Com().out(FCR, 0x07).out(MCR, 0x10).out(DATA, 0x42);
    expect(c.in(LSR) & 0x01).toBe(0x01);
    expect(c.in(DATA)).toBe(0x42);
    expect(c.tx()).toEqual([]);
  });

  it('in loopback MSR follows MCR: CTS=RTS, DSR=DTR, RI=OUT1, DCD=OUT2', () => {
    const c = new Com();
    for (const [mcr, lines] of [[0x11, 0x20], [0x12, 0x10], [0x14, 0x40], [0x18, 0x80], [0x1f, 0xf0], [0x10, 0x00]]) {
      c.out(MCR, mcr);
      expect(c.in(MSR) & 0xf0).toBe(lines);
    }
  });

  it('host bytes are not received in loopback (SIN disconnected)', () => {
    const c = new Com().out(MCR, 0x10).rx(0x55);
    expect(c.in(LSR) & 0x01).toBe(0);
  });

  it('the IRQ line is an interrupt pending AND OUT2; in loopback the OUT2 pin is inactive', () => {
    const c = new Com().out(IER, 0x01).out(MCR, 0x18).out(DATA, 0x41); // loopback: received at once
    expect([c.in(IIR), c.irq()]).toEqual([0x04, 0]);
    c.out(MCR, 0x08);
    expect(c.irq()).toBe(1);
    c.out(MCR, 0x00);
    expect(c.irq()).toBe(0);
    c.out(MCR, 0x08);
    expect(c.irq()).toBe(1);
    c.in(DATA);
    expect(c.irq()).toBe(0);
  });
});

describe('LSR (+5)', () => {
  it('resets to 0x60 (THRE | TEMT)', () => {
    expect(new Com().in(LSR)).toBe(0x60);
  });

  it('DR follows the received data', () => {
    const c = new Com().rx(1);
    expect(c.in(LSR)).toBe(0x61);
    c.in(DATA);
    expect(c.in(LSR)).toBe(0x60);
  });

  it('OE is set by an overrun, raises the line-status interrupt, and reading LSR clears it', () => {
    const c = new Com().out(IER, 0x04).rx(1, 2);
    expect(c.in(IIR)).toBe(0x06);
    expect(c.irq()).toBe(1);
    expect(c.in(LSR)).toBe(0x63);
    expect(c.in(LSR)).toBe(0x61);
    expect([c.in(IIR), c.irq()]).toEqual([0x01, 0]);
  });

  it('writing LSR or MSR is a guest error and changes nothing', () => {
    const c = new Com().out(LSR, 0xff).out(MSR, 0xff);
    expect(c.guestErrors()).toBe(2);
    expect([c.in(LSR), c.in(MSR)]).toEqual([0x60, 0xb0]);
  });
});

describe('MSR (+6)', () => {
  it('outside loopback CTS, DSR and DCD are asserted (QEMU reset 0xB0)', () => {
    expect(new Com().in(MSR)).toBe(0xb0);
  });

  it('delta bits record line changes (TERI on RI falling) and reading MSR clears them', () => {
    const c = new Com().out(MCR, 0x14); // loopback, OUT1: CTS/DSR/DCD fall, RI rises
    expect(c.in(MSR)).toBe(0x40 | 0x0b);
    expect(c.in(MSR)).toBe(0x40);
    c.out(MCR, 0x10); // RI falls: trailing edge
    expect(c.in(MSR)).toBe(0x04);
  });

  it('a delta raises the modem-status interrupt when IER enables it', () => {
    const c = new Com().out(IER, 0x08).out(MCR, 0x10).out(MCR, 0x0b);
    expect([c.in(IIR), c.irq()]).toEqual([0x00, 1]);
    c.in(MSR);
    expect([c.in(IIR), c.irq()]).toEqual([0x01, 0]);
  });
});

describe('scratch register (+7)', () => {
  it('reads back what was written', () => {
    const c = new Com();
    for (const v of [0x42, 0x73, 0x00, 0xff]) expect(c.out(SCR, v).in(SCR)).toBe(v);
  });
});

describe('IRQ and COM mapping', () => {
  it('COM1 by default: 8 ports at 0x3F8, byte-wide, one `irq` output', () => {
    const io = uart16550.regions[0];
    expect([io.name, io.base, io.size, io.widths]).toEqual(['io', 0x3f8, 8, [1]]);
    expect(uart16550.outputs).toEqual(['irq']);
    expect(uart16550Options.safeParse({ base: 1 }).success).toBe(false);
  });

  it('as COM2 at 0x2F8 on a bus with a real 8259A, each byte sent raises IRQ3 (vector 0x23)', () => {
    const rig = busRig(
      [{ name: 'com2', module: uart16550, ports: { io: 0x2f8 } }, { name: 'pic1', module: i8259 }],
      ['com2.irq -> pic1.ir3', 'pic1.int -> cpu.intr'],
    );
    let now = 1000;
    const out = (port: number, v: number) => rig.bus.out(port, 1, v, (now += 10));
    for (const [port, v] of [[0x20, 0x11], [0x21, 0x20], [0x21, 0x04], [0x21, 0x01], [0x21, 0xf7]]) out(port, v);
    out(0x2f9, 0x02); // IER: THR empty
    expect(rig.bus.intr).toBe(1);
    expect(rig.bus.acknowledge((now += 10))).toBe(0x23);
    out(0x2f8, 0x41); // the handler sends a byte: the line drops and rises
    out(0x20, 0x20);
    expect(rig.bus.intr).toBe(1);
    expect(rig.events).toEqual([{ device: 'com2', channel: 'tx', payload: 0x41 }]);
  });

  it('a character timeout reaches the guest through the bus deadlines', () => {
    const rig = busRig([{ name: 'com1', module: uart16550 }]);
    rig.bus.out(0x3fa, 1, 0xc7, 10);
    rig.bus.out(0x3fc, 1, 0x10, 20); // loopback
    rig.bus.out(0x3f8, 1, 0x33, 30); // received at t=30: timeout 4 characters of 7 bits (5N1) at 9600 baud later
    rig.bus.out(0x3f9, 1, 0x01, 40);
    const due = 30 + Math.round((4 * 7 * 12 * 1e9) / 115200);
    expect(rig.bus.nextDeadline).toBe(due);
    rig.bus.advanceThrough(due);
    expect(rig.bus.nextDeadline).toBe(Infinity);
    expect(rig.bus.in(0x3fa, 1, due + 10)).toBe(0xcc);
  });
});

describe('traces', () => {
  it('serial.read and serial.write carry offset, register name and value', () => {
    const c = new Com().out(SCR, 0x5a);
    c.in(SCR);
    expect(c.ctx.tracesOf('serial.write')[0].fields).toEqual({ offset: 7, reg: 'SCR', value: 0x5a });
    expect(c.ctx.tracesOf('serial.read')[0].fields).toEqual({ offset: 7, reg: 'SCR', value: 0x5a });
  });
});

describe('snapshot', () => {
  it('restore brings back registers, FIFO contents and the IRQ level', () => {
    const a = new Com().out(FCR, 0x01).out(IER, 0x01).rx(1, 2, 3).out(SCR, 9);
    const b = new Com();
    b.core.restore(a.core.snapshot());
    expect([b.in(SCR), b.in(IIR), b.irq()]).toEqual([9, 0xc4, 1]);
    expect(b.drain()).toEqual([1, 2, 3]);
    expect(() => b.core.restore({ version: 2 })).toThrow(/bad snapshot/);
  });
});

describe('uart_16550 init sequences (blog-os-behaviour.md §5.3)', () => {
  it('0.6 Uart16550Tty: scratch test, 9600 8N1, FIFO, loopback self-test pass; "ok\\n" goes out as "ok\\r\\n"', () => {
    const c = new Com();
    init06(c);
    expect(c.log.slice(0, 4)).toEqual([[7, 0x42, 'w'], [7, 0x42, 'r'], [7, 0x73, 'w'], [7, 0x73, 'r']]);
    expect(c.in(MCR)).toBe(0x0b);
    expect(c.tx()).toEqual([]); // the self-test stayed inside the chip
    write06(c, 'ok\n');
    expect(c.tx()).toEqual([0x6f, 0x6b, 0x0d, 0x0a]);
    expect(c.irq()).toBe(0); // IER 0x01 and nothing received
    expect(c.guestErrors()).toBe(0);
  });

  it('0.6 loopback self-test with all 16 bytes of "hello world!1337" written in one burst', () => {
    const c = new Com();
    init06(c);
    c.out(MCR, 0x10).out(FCR, 0xc7);
    const bytes = [...'hello world!1337'].map((ch) => ch.charCodeAt(0));
    c.out(DATA, ...bytes);
    expect(c.drain()).toEqual(bytes);
    expect(c.in(LSR) & 0x02).toBe(0);
  });

  it('0.2.x SerialPort::init at 38400 baud; "ok\\n" is sent raw', () => {
    const c = new Com();
    init02(c);
    write02(c, 'ok\n');
    expect(c.tx()).toEqual([0x6f, 0x6b, 0x0a]);
    c.out(LCR, 0x83);
    expect([c.in(DATA), c.in(IER)]).toEqual([0x03, 0x00]);
  });

  it('a kernel writing 0x0D 0x0A itself gets exactly those two bytes: the UART translates nothing', () => {
    const c = new Com();
    init02(c);
    c.out(DATA, 0x0d, 0x0a);
    expect(c.tx()).toEqual([0x0d, 0x0a]);
  });
});
