// A 16550A UART (COM1 at 0x3F8 on a PC): registers, 16-byte FIFOs, interrupt identification and
// the IRQ level, modelled after the National PC16550D datasheet and QEMU's hw/char/serial.c.
//
// Choices (see device-models.md §1.5 for where v86 and QEMU differ):
// - Transmission is instantaneous, as QEMU with a chardev that accepts every byte: a THR write
//   sends the byte (ctx.emit('tx', byte)) and THR/TSR are empty again at once, so LSR always shows
//   THRE|TEMT. The THR-empty interrupt still drops on the write and rises again (a pulse on the
//   line), as on QEMU, so an edge-triggered PIC sees one interrupt per byte.
// - The IRQ output is a level: an interrupt is pending AND the OUT2 pin is active. On a PC the
//   ~OUT2 pin enables the IRQ driver; in loopback the datasheet forces the modem outputs inactive,
//   so no IRQ leaves the chip in loopback (QEMU gates on neither).
// - Modem inputs outside loopback: CTS, DSR and DCD asserted, RI not (QEMU's reset MSR 0xB0; the
//   uart_16550 crate waits for CTS). In loopback they follow MCR (CTS=RTS, DSR=DTR, RI=OUT1,
//   DCD=OUT2). Delta bits are set whenever these lines change (also in loopback, per the datasheet;
//   QEMU reports none there) and are cleared by reading MSR.
// - Receive: bytes arrive through rx() (tests, a future host serial-input adapter) or from the
//   transmitter in loopback. The RX FIFO keeps the first 16 bytes and drops later ones with OE
//   (datasheet and QEMU); without FIFOs a new byte overwrites RBR and sets OE.
// - Character timeout (FIFO mode): 4 character times at the programmed baud rate and frame after
//   the last byte received or read, with data in the FIFO. With data below the trigger level it is
//   the only receive interrupt; IIR reports it (0x0C) ahead of "data available" as QEMU does.
// - Line errors (PE, FE, BI, RX FIFO error) never occur: bytes come from the host intact.
// - Word length only changes the character time: bytes are passed through as 8 bits (QEMU too).
import type { AccessSize, DeviceContext, DeviceCore, DeviceState, InputEvent, Level } from '../../bus/device.js';
import { FIFO_SIZE, resetState, uartStateSchema, type UartState } from './state.js';

/** Register offsets in the 8-port region. */
export const REG = { DATA: 0, IER: 1, IIR_FCR: 2, LCR: 3, MCR: 4, LSR: 5, MSR: 6, SCR: 7 } as const;

export const IER = { RDA: 0x01, THRE: 0x02, RLS: 0x04, MS: 0x08 } as const;
export const IIR = { NONE: 0x01, MS: 0x00, THRE: 0x02, RDA: 0x04, RLS: 0x06, CTI: 0x0c, FIFO: 0xc0 } as const;
export const FCR = { ENABLE: 0x01, CLEAR_RX: 0x02, CLEAR_TX: 0x04, DMA: 0x08, STORED: 0xc9 } as const;
export const LCR = { DLAB: 0x80, BREAK: 0x40 } as const;
export const MCR = { DTR: 0x01, RTS: 0x02, OUT1: 0x04, OUT2: 0x08, LOOP: 0x10 } as const;
export const LSR = { DR: 0x01, OE: 0x02, THRE: 0x20, TEMT: 0x40 } as const;
export const MSR = { DCTS: 0x01, DDSR: 0x02, TERI: 0x04, DDCD: 0x08, CTS: 0x10, DSR: 0x20, RI: 0x40, DCD: 0x80 } as const;

/** Modem inputs outside loopback: CTS | DSR | DCD (a null-modem host that is always ready). */
export const EXTERNAL_LINES = MSR.CTS | MSR.DSR | MSR.DCD;
/** Bit rate for divisor 1: the PC's 1.8432 MHz crystal / 16. */
export const BAUD_BASE = 115_200;
/** Trigger levels for FCR bits 7-6. */
const TRIGGER = [1, 4, 8, 14] as const;

const READ_NAMES = ['RBR', 'IER', 'IIR', 'LCR', 'MCR', 'LSR', 'MSR', 'SCR'] as const;
const WRITE_NAMES = ['THR', 'IER', 'FCR', 'LCR', 'MCR', 'LSR', 'MSR', 'SCR'] as const;

export class Uart16550 implements DeviceCore {
  private s: UartState = resetState();
  /** Level last driven on the irq pin (null: drive on the next update whatever it is). */
  private irq: Level | null = null;
  /** Line parameters last traced (serial.params), to trace only changes. */
  private params = '';

  constructor(private readonly ctx: DeviceContext) {
    // A reset core must lower a line its predecessor may have left high.
    this.updateIrq();
  }

  // ---- port access ---------------------------------------------------------------------------

  read(region: number, offset: number, _size: AccessSize): number {
    this.catchUp();
    if (region !== 0 || offset < 0 || offset > 7) {
      this.ctx.guestError('read outside the 16550 registers', { region, offset });
      return 0xff;
    }
    const reg = this.regName(offset, READ_NAMES);
    const value = this.readRegister(offset);
    this.ctx.trace('serial.read', { offset, reg, value });
    this.updateIrq();
    return value;
  }

  write(region: number, offset: number, _size: AccessSize, value: number): void {
    this.catchUp();
    const v = value & 0xff;
    if (region !== 0 || offset < 0 || offset > 7) {
      this.ctx.guestError('write outside the 16550 registers', { region, offset, value });
      return;
    }
    this.ctx.trace('serial.write', { offset, reg: this.regName(offset, WRITE_NAMES), value: v });
    this.writeRegister(offset, v);
    this.updateIrq();
  }

  private readRegister(offset: number): number {
    const s = this.s;
    const dlab = (s.lcr & LCR.DLAB) !== 0;
    switch (offset) {
      case REG.DATA: return dlab ? s.dll : this.readRbr();
      case REG.IER: return dlab ? s.dlm : s.ier;
      case REG.IIR_FCR: {
        const id = this.interruptId();
        // Reading IIR while it reports THR empty acknowledges that interrupt (datasheet, QEMU).
        if (id === IIR.THRE) s.thrPending = false;
        return id | (this.fifoEnabled() ? IIR.FIFO : 0);
      }
      case REG.LCR: return s.lcr;
      case REG.MCR: return s.mcr;
      case REG.LSR: {
        const lsr = (s.rx.length ? LSR.DR : 0) | (s.overrun ? LSR.OE : 0) | LSR.THRE | LSR.TEMT;
        s.overrun = false; // reading LSR clears OE (and BI, never set here)
        return lsr;
      }
      case REG.MSR: {
        const msr = this.modemLines() | s.msrDelta;
        s.msrDelta = 0;
        return msr;
      }
      default: return s.scr;
    }
  }

  private readRbr(): number {
    const s = this.s;
    if (!this.fifoEnabled()) {
      // 16450 mode: RBR keeps the last byte; reading it empties the holding register.
      s.rx = [];
      return s.rbr;
    }
    const byte = s.rx.shift();
    if (byte !== undefined) s.rbr = byte;
    // A read acknowledges a character timeout and restarts the timer while data remains.
    s.timeoutPending = false;
    this.armTimeout();
    return byte ?? 0;
  }

  private writeRegister(offset: number, v: number): void {
    const s = this.s;
    const dlab = (s.lcr & LCR.DLAB) !== 0;
    switch (offset) {
      case REG.DATA:
        if (dlab) { s.dll = v; this.traceParams(); } else this.transmit(v);
        return;
      case REG.IER:
        if (dlab) { s.dlm = v; this.traceParams(); } else this.writeIer(v);
        return;
      case REG.IIR_FCR: return this.writeFcr(v);
      case REG.LCR:
        if (v & LCR.BREAK && !(s.lcr & LCR.BREAK)) this.ctx.unimplemented('16550 break condition (LCR bit 6) is not sent', { value: v });
        s.lcr = v;
        this.traceParams();
        return;
      case REG.MCR: return this.writeMcr(v);
      case REG.LSR:
      case REG.MSR:
        // Factory-test / read-only registers: the datasheet says not to write them; QEMU ignores it.
        this.ctx.guestError(`write to the read-only 16550 ${WRITE_NAMES[offset]}`, { offset, value: v });
        return;
      default: s.scr = v;
    }
  }

  private writeIer(v: number): void {
    const s = this.s;
    const changed = (s.ier ^ v) & 0x0f;
    s.ier = v & 0x0f;
    // Enabling the THR-empty interrupt while THR is empty (always, here) raises it at once.
    if (changed & IER.THRE) s.thrPending = (s.ier & IER.THRE) !== 0;
  }

  private writeFcr(value: number): void {
    const s = this.s;
    // Datasheet: the other bits are only programmed together with FE = 1.
    let v = value & FCR.ENABLE ? value : 0;
    // Switching between FIFO and 16450 mode empties both FIFOs.
    if ((v ^ s.fcr) & FCR.ENABLE) v |= FCR.CLEAR_RX | FCR.CLEAR_TX;
    if (v & FCR.CLEAR_RX) {
      s.rx = [];
      s.timeoutPending = false;
      s.timeoutAt = null;
    }
    // An emptied transmitter is "THR empty" again (QEMU sets thr_ipending).
    if (v & FCR.CLEAR_TX) s.thrPending = true;
    s.fcr = v & FCR.STORED;
  }

  private writeMcr(v: number): void {
    const s = this.s;
    const before = this.modemLines();
    s.mcr = v & 0x1f;
    const after = this.modemLines();
    const changed = before ^ after;
    if (changed & MSR.CTS) s.msrDelta |= MSR.DCTS;
    if (changed & MSR.DSR) s.msrDelta |= MSR.DDSR;
    if (before & MSR.RI && !(after & MSR.RI)) s.msrDelta |= MSR.TERI; // trailing edge only
    if (changed & MSR.DCD) s.msrDelta |= MSR.DDCD;
  }

  // ---- transmitter and receiver --------------------------------------------------------------

  private transmit(byte: number): void {
    const s = this.s;
    // The write fills THR: the THR-empty interrupt clears (the line may drop here)...
    s.thrPending = false;
    this.updateIrq();
    if (s.mcr & MCR.LOOP) {
      this.receive(byte);
    } else {
      this.ctx.trace('serial.tx', { byte });
      this.ctx.emit('tx', byte);
    }
    // ...and the byte leaves at once: THR is empty again.
    s.thrPending = true;
  }

  /**
   * Bytes arriving on the serial input (SIN) at ctx.now(). In loopback SIN is disconnected
   * (datasheet), so they are dropped.
   */
  rx(bytes: readonly number[]): void {
    this.catchUp();
    for (const b of bytes) {
      const byte = b & 0xff;
      if (this.s.mcr & MCR.LOOP) this.ctx.trace('serial.rx.drop', { byte, reason: 'loopback' });
      else this.receive(byte);
    }
    this.updateIrq();
  }

  private receive(byte: number): void {
    const s = this.s;
    this.ctx.trace('serial.rx', { byte });
    if (!this.fifoEnabled()) {
      if (s.rx.length) s.overrun = true; // the unread byte is overwritten
      s.rx = [byte];
      s.rbr = byte;
      return;
    }
    if (s.rx.length >= FIFO_SIZE) {
      s.overrun = true; // the FIFO keeps its contents; the new byte is lost
      this.ctx.trace('serial.rx.drop', { byte, reason: 'overrun' });
    } else {
      s.rx.push(byte);
    }
    // A signalled timeout stays until the CPU reads; otherwise each byte restarts the timer.
    if (!s.timeoutPending) this.armTimeout();
  }

  // ---- interrupts and time -------------------------------------------------------------------

  /** IIR bits 3-0: the highest-priority pending interrupt that IER enables. */
  private interruptId(): number {
    const s = this.s;
    if (s.ier & IER.RLS && s.overrun) return IIR.RLS;
    if (s.ier & IER.RDA) {
      if (s.timeoutPending) return IIR.CTI;
      if (s.rx.length && (!this.fifoEnabled() || s.rx.length >= this.triggerLevel())) return IIR.RDA;
    }
    if (s.ier & IER.THRE && s.thrPending) return IIR.THRE;
    if (s.ier & IER.MS && s.msrDelta) return IIR.MS;
    return IIR.NONE;
  }

  private updateIrq(): void {
    const gate = (this.s.mcr & (MCR.OUT2 | MCR.LOOP)) === MCR.OUT2;
    const level: Level = gate && this.interruptId() !== IIR.NONE ? 1 : 0;
    if (level === this.irq) return;
    this.irq = level;
    this.ctx.setOutput(0, level);
  }

  /** Machine time of one character (start + data + parity + stop bits) at the programmed rate. */
  charTimeNs(): number {
    const { lcr, dll, dlm } = this.s;
    const data = 5 + (lcr & 3);
    const parity = lcr & 0x08 ? 1 : 0;
    const stop = lcr & 0x04 ? (data === 5 ? 1.5 : 2) : 1;
    // Divisor 0 is undefined on the chip (QEMU ignores it); the 16-bit counter wraps, so 65536.
    const divisor = ((dlm << 8) | dll) || 0x1_0000;
    return ((1 + data + parity + stop) * divisor * 1e9) / BAUD_BASE;
  }

  private armTimeout(): void {
    const s = this.s;
    s.timeoutAt = this.fifoEnabled() && s.rx.length ? this.ctx.now() + Math.round(4 * this.charTimeNs()) : null;
  }

  /** Fold in a character timeout that has come due (before any access sees the state). */
  private catchUp(): void {
    const s = this.s;
    if (s.timeoutAt === null || this.ctx.now() < s.timeoutAt) return;
    s.timeoutAt = null;
    if (this.fifoEnabled() && s.rx.length) s.timeoutPending = true;
  }

  advance(): void {
    const due = this.s.pendingRx;
    while (due.length > 0 && due[0].at <= this.ctx.now()) this.rx(due.shift()!.bytes);
    this.catchUp();
    this.updateIrq();
  }

  nextDeadline(): number {
    const next = this.s.pendingRx.length ? this.s.pendingRx[0].at : Infinity;
    return Math.min(this.s.timeoutAt ?? Infinity, next);
  }

  /** Host serial input (an input script's `serial:` step): the bytes arrive on SIN at `event.at`. */
  input(event: InputEvent): void {
    const bytes = event.bytes;
    if (!bytes || bytes.length === 0) {
      this.ctx.unimplemented('key input sent to a serial port (it takes bytes)', { key: event.key });
      return;
    }
    if (event.at <= this.ctx.now()) {
      this.rx(bytes);
      return;
    }
    const q = this.s.pendingRx;
    let i = q.length;
    while (i > 0 && q[i - 1].at > event.at) i--;
    q.splice(i, 0, { at: event.at, bytes: [...bytes] });
  }

  // ---- helpers -------------------------------------------------------------------------------

  private fifoEnabled(): boolean {
    return (this.s.fcr & FCR.ENABLE) !== 0;
  }

  private triggerLevel(): number {
    return TRIGGER[this.s.fcr >> 6];
  }

  /** MSR bits 7-4: the modem inputs, from MCR in loopback. */
  private modemLines(): number {
    const mcr = this.s.mcr;
    if (!(mcr & MCR.LOOP)) return EXTERNAL_LINES;
    return ((mcr & (MCR.OUT1 | MCR.OUT2)) << 4) | ((mcr & MCR.RTS) << 3) | ((mcr & MCR.DTR) << 5);
  }

  private regName(offset: number, names: readonly string[]): string {
    if (this.s.lcr & LCR.DLAB && offset < 2) return offset === 0 ? 'DLL' : 'DLM';
    return names[offset];
  }

  /** QEMU's serial_update_parameters, traced when the rate or frame format changes. */
  private traceParams(): void {
    const { lcr, dll, dlm } = this.s;
    const divisor = (dlm << 8) | dll;
    const key = `${divisor}:${lcr & 0x3f}`;
    if (key === this.params) return;
    this.params = key;
    const parity = lcr & 0x08 ? (lcr & 0x10 ? 'E' : 'O') : 'N';
    this.ctx.trace('serial.params', { baud: divisor ? BAUD_BASE / divisor : 0, parity, data: 5 + (lcr & 3), stop: lcr & 0x04 ? 2 : 1 });
  }

  // ---- snapshot ------------------------------------------------------------------------------

  snapshot(): UartState {
    return structuredClone(this.s);
  }

  restore(state: DeviceState): void {
    const parsed = uartStateSchema.safeParse(state);
    if (!parsed.success) throw new Error(`uart16550: bad snapshot: ${parsed.error.message}`);
    this.s = structuredClone(parsed.data);
    this.params = '';
    this.irq = null;
    this.updateIrq();
  }
}
