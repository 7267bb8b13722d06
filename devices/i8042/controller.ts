// The Intel 8042 keyboard controller (ports 0x60/0x64) with a PS/2 keyboard on its first port.
//
// Behaviour follows the 8042 datasheet / IBM AT technical reference and, where they leave room,
// QEMU's pckbd.c with its "extended state" (a one-byte output buffer, controller replies in their
// own slot ahead of device data). Where v86 differs we follow QEMU/datasheet ("v86:" notes).
// Writes are instantaneous: IBF, the timeout and parity bits are never set. No aux device (mouse)
// is attached.
import type { AccessSize, DeviceContext, DeviceCore, DeviceState, InputEvent, Level } from '../../bus/device.js';
import { Ps2Keyboard } from './keyboard.js';
import { BREAK_PREFIX, TRANSLATION } from './scancodes.js';
import { controllerPowerOn, i8042StateSchema, type HostEvent, type I8042State, type OutputByte } from './state.js';

/** Region indices, in the order the module declares them. */
export const REGION_DATA = 0;
export const REGION_COMMAND = 1;

/** Output pins. */
export const PIN_IRQ1 = 0;
export const PIN_IRQ12 = 1;

/** Status register (read 0x64). */
export const STATUS = {
  OBF: 0x01,
  IBF: 0x02, // never set: the controller takes every write at once
  SYS: 0x04,
  CMD: 0x08,
  UNLOCKED: 0x10,
  AUX_OBF: 0x20,
} as const;

/** Command byte ("mode"), read with 0x20, written with 0x60. */
export const CMD = {
  KBD_INT: 0x01,
  AUX_INT: 0x02,
  SYS: 0x04,
  NO_KEYLOCK: 0x08,
  KBD_DISABLE: 0x10,
  AUX_DISABLE: 0x20,
  TRANSLATE: 0x40,
} as const;

/** Output port P2 (0xD0/0xD1). */
export const OUTPORT = { RESET: 0x01, A20: 0x02, OBF: 0x10, AUX_OBF: 0x20 } as const;

/** Controller commands (written to 0x64). */
export const CCMD = {
  READ_MODE: 0x20,
  WRITE_MODE: 0x60,
  AUX_DISABLE: 0xa7,
  AUX_ENABLE: 0xa8,
  AUX_TEST: 0xa9,
  SELF_TEST: 0xaa,
  KBD_TEST: 0xab,
  KBD_DISABLE: 0xad,
  KBD_ENABLE: 0xae,
  READ_INPUT_PORT: 0xc0,
  READ_OUTPUT_PORT: 0xd0,
  WRITE_OUTPUT_PORT: 0xd1,
  WRITE_KBD_OBUF: 0xd2,
  WRITE_AUX_OBUF: 0xd3,
  WRITE_AUX: 0xd4,
  A20_OFF: 0xdd,
  A20_ON: 0xdf,
  PULSE: 0xf0,
} as const;

/** Controller replies. */
export const SELF_TEST_OK = 0x55;
export const INTERFACE_OK = 0x00;
/** Input port P1 as QEMU reports it: bit 7 = keyboard not inhibited by the keylock. */
export const INPUT_PORT = 0x80;
/** What the host reads after 0xD4 with nothing on the aux port (a transmit timeout). */
export const NO_AUX_DEVICE = 0xfe;

const hex = (v: number): string => `0x${v.toString(16).padStart(2, '0')}`;

export class I8042 implements DeviceCore {
  private s: I8042State = controllerPowerOn();
  private readonly kbd: Ps2Keyboard;

  constructor(private readonly ctx: DeviceContext) {
    this.kbd = new Ps2Keyboard(ctx);
  }

  // ---- ports --------------------------------------------------------------------------------

  read(region: number, offset: number, _size: AccessSize): number {
    if (offset !== 0) return this.outside('read', region, offset);
    if (region === REGION_COMMAND) return this.status();
    if (region === REGION_DATA) return this.readData();
    return this.outside('read', region, offset);
  }

  write(region: number, offset: number, _size: AccessSize, value: number): void {
    const v = value & 0xff;
    if (offset !== 0 || (region !== REGION_DATA && region !== REGION_COMMAND)) {
      this.outside('write', region, offset);
      return;
    }
    if (region === REGION_COMMAND) this.command(v);
    else this.data(v);
    this.refill();
  }

  private outside(dir: string, region: number, offset: number): number {
    this.ctx.guestError(`i8042: ${dir} outside the controller`, { region, offset });
    return 0xff;
  }

  /**
   * Status: OBF and AUX OBF follow the output buffer, SYS is set by the self-test (QEMU; the
   * datasheet also lets command-byte bit 2 write it), CMD tells which port was written last (the
   * datasheet; QEMU leaves it at 1), UNLOCKED is always 1 (no keylock). v86: 0x10 plus OBF and a
   * sticky AUX OBF, never SYS or CMD.
   */
  private status(): number {
    const out = this.s.output;
    return (
      STATUS.UNLOCKED |
      (this.s.selfTested ? STATUS.SYS : 0) |
      (this.s.lastWriteCommand ? STATUS.CMD : 0) |
      (out ? STATUS.OBF : 0) |
      (out?.source === 'aux' ? STATUS.AUX_OBF : 0)
    );
  }

  /**
   * Port 0x60 read: takes the byte, drops its IRQ, then moves the next waiting byte in and raises
   * the IRQ again, so the PIC sees a fresh edge per byte. With nothing in the output buffer the
   * previous byte is read again (QEMU and v86; "needed for EMM386").
   */
  private readData(): number {
    const out = this.s.output;
    if (!out) return this.s.lastRead;
    this.s.output = null;
    this.s.lastRead = out.value;
    this.ctx.trace('ps2.data', { dir: 'to-host', value: out.value, source: out.source });
    this.updateIrq();
    this.refill();
    return out.value;
  }

  // ---- controller commands ------------------------------------------------------------------

  private command(v: number): void {
    this.s.lastWriteCommand = true;
    // A new command abandons one still waiting for its data byte (QEMU keeps the old one armed).
    this.s.awaiting = 0;
    this.ctx.trace('ps2.cmd', { target: 'controller', cmd: v });
    if ((v & CCMD.PULSE) === CCMD.PULSE) {
      // F0..FF pulse the output-port bits whose command bit is 0; only bit 0 (reset) matters.
      // v86: only 0xFE resets.
      if (!(v & OUTPORT.RESET)) this.ctx.requestReset(`8042 reset pulse (${hex(v)})`);
      return;
    }
    const s = this.s;
    switch (v) {
      case CCMD.READ_MODE: this.controllerReply(s.commandByte); return; // v86 also empties both queues
      case CCMD.WRITE_MODE:
      case CCMD.WRITE_OUTPUT_PORT:
      case CCMD.WRITE_KBD_OBUF:
      case CCMD.WRITE_AUX_OBUF:
      case CCMD.WRITE_AUX:
        s.awaiting = v;
        return;
      case CCMD.AUX_DISABLE: s.commandByte |= CMD.AUX_DISABLE; return;
      case CCMD.AUX_ENABLE: s.commandByte &= ~CMD.AUX_DISABLE; return;
      case CCMD.AUX_TEST: this.controllerReply(INTERFACE_OK); return;
      case CCMD.SELF_TEST:
        // QEMU: 0x55 and status SYS; the command byte and the interfaces are left alone.
        s.selfTested = true;
        this.controllerReply(SELF_TEST_OK);
        return;
      case CCMD.KBD_TEST: this.controllerReply(INTERFACE_OK); return;
      case CCMD.KBD_DISABLE: s.commandByte |= CMD.KBD_DISABLE; return; // v86: stored only
      case CCMD.KBD_ENABLE: s.commandByte &= ~CMD.KBD_DISABLE; return;
      case CCMD.READ_INPUT_PORT: this.controllerReply(INPUT_PORT); return; // v86: unsupported
      case CCMD.READ_OUTPUT_PORT: this.controllerReply(this.outputPort()); return;
      case CCMD.A20_OFF: s.outputPort &= ~OUTPORT.A20; return; // v86: unsupported
      case CCMD.A20_ON: s.outputPort |= OUTPORT.A20; return;
      default:
        this.ctx.guestError('i8042: unsupported controller command', { cmd: hex(v) });
    }
  }

  /** A byte written to 0x60: the data of a pending controller command, else one for the keyboard. */
  private data(v: number): void {
    const s = this.s;
    s.lastWriteCommand = false;
    const cmd = s.awaiting;
    s.awaiting = 0;
    if (cmd === 0) {
      this.ctx.trace('ps2.data', { dir: 'to-device', value: v, source: 'keyboard' });
      this.kbd.write(v);
      // QEMU: sending data to the keyboard re-enables the interface (clears command-byte bit 4).
      s.commandByte &= ~CMD.KBD_DISABLE;
      return;
    }
    this.ctx.trace('ps2.cmd', { target: 'controller', cmd, arg: v });
    switch (cmd) {
      case CCMD.WRITE_MODE: s.commandByte = v; return; // bit 6 switches translation at once
      case CCMD.WRITE_OUTPUT_PORT: this.writeOutputPort(v); return;
      case CCMD.WRITE_KBD_OBUF: s.reply = { value: v, source: 'keyboard' }; return; // v86: unsupported
      case CCMD.WRITE_AUX_OBUF: s.reply = { value: v, source: 'aux' }; return;
      case CCMD.WRITE_AUX:
        // QEMU always has a PS/2 mouse; this machine has none. A real 8042 times out sending to
        // an empty aux port and the host reads 0xFE from it (Linux's i8042 probe expects that).
        this.ctx.trace('ps2.data', { dir: 'to-device', value: v, source: 'aux' });
        this.ctx.unimplemented('i8042: no aux device (PS/2 mouse) is attached; replying 0xFE', { value: hex(v) });
        s.commandByte &= ~CMD.AUX_DISABLE; // QEMU: writing to the aux device re-enables its port
        s.reply = { value: NO_AUX_DEVICE, source: 'aux' };
        return;
    }
  }

  /** D1: bit 0 low resets the machine; A20 (bit 1) is kept in the port (no A20 gate is modelled). */
  private writeOutputPort(v: number): void {
    this.s.outputPort = v & ~(OUTPORT.OBF | OUTPORT.AUX_OBF);
    if (!(v & OUTPORT.RESET)) this.ctx.requestReset('8042 output port reset');
  }

  /** D0: the output port, with bits 4/5 showing the output buffer as it is now. */
  private outputPort(): number {
    const out = this.s.output;
    return this.s.outputPort | (out && out.source !== 'aux' ? OUTPORT.OBF : 0) | (out?.source === 'aux' ? OUTPORT.AUX_OBF : 0);
  }

  /** A controller reply waits in its own slot (the newest wins) and goes ahead of device data. */
  private controllerReply(value: number): void {
    this.s.reply = { value, source: 'controller' };
  }

  // ---- output buffer and IRQs ---------------------------------------------------------------

  /** Fill an empty output buffer: controller slot first, then the keyboard (if its port is enabled). */
  private refill(): void {
    const s = this.s;
    if (!s.output) {
      if (s.reply) {
        s.output = s.reply;
        s.reply = null;
      } else if (!(s.commandByte & CMD.KBD_DISABLE)) {
        // While the keyboard port is disabled its bytes stay in the keyboard (QEMU extended state).
        const b = this.fromKeyboard();
        if (b !== null) s.output = { value: b, source: 'keyboard' };
      }
    }
    this.updateIrq();
  }

  /**
   * The next byte from the keyboard as the host sees it. With command-byte bit 6 the controller
   * translates set 2 to set 1: a 0xF0 break prefix is swallowed and sets bit 7 of the next byte.
   * v86 ignores bit 6 (its host adapter produces set-1 codes).
   */
  private fromKeyboard(): number | null {
    while (this.kbd.hasData()) {
      const b = this.kbd.take()!;
      if (!(this.s.commandByte & CMD.TRANSLATE)) return b;
      if (b === BREAK_PREFIX) {
        this.s.breakPending = true;
        continue;
      }
      const high = this.s.breakPending ? 0x80 : 0;
      this.s.breakPending = false;
      return TRANSLATION[b] | high;
    }
    return null;
  }

  /**
   * IRQ1 = a keyboard-side byte (keyboard, controller reply, 0xD2) in the output buffer, IRQ1
   * enabled, keyboard port enabled; IRQ12 = an aux byte with IRQ12 enabled. Levels, as in QEMU
   * (v86 pulses).
   */
  private updateIrq(): void {
    const s = this.s;
    const out = s.output;
    const aux = out?.source === 'aux';
    const irq1: Level = out && !aux && s.commandByte & CMD.KBD_INT && !(s.commandByte & CMD.KBD_DISABLE) ? 1 : 0;
    const irq12: Level = out && aux && s.commandByte & CMD.AUX_INT ? 1 : 0;
    if (irq1 !== s.irq1) {
      s.irq1 = irq1;
      this.ctx.setOutput(PIN_IRQ1, irq1);
    }
    if (irq12 !== s.irq12) {
      s.irq12 = irq12;
      this.ctx.setOutput(PIN_IRQ12, irq12);
    }
  }

  // ---- host input ---------------------------------------------------------------------------

  input(event: InputEvent): void {
    const e: HostEvent = { at: Number(event?.at), key: String(event?.key), down: Boolean(event?.down) };
    if (!(e.at > this.ctx.now())) {
      this.deliver(e);
      return;
    }
    const q = this.s.pendingInput;
    let i = q.length;
    while (i > 0 && q[i - 1].at > e.at) i--;
    q.splice(i, 0, e);
  }

  nextDeadline(): number {
    return this.s.pendingInput.length > 0 ? this.s.pendingInput[0].at : Infinity;
  }

  advance(): void {
    const q = this.s.pendingInput;
    const now = this.ctx.now();
    while (q.length > 0 && q[0].at <= now) this.deliver(q.shift()!);
  }

  private deliver(e: HostEvent): void {
    this.kbd.key(e.key, e.down, (this.s.commandByte & CMD.TRANSLATE) !== 0);
    this.refill();
  }

  // ---- snapshot -----------------------------------------------------------------------------

  snapshot(): DeviceState {
    const s = this.s;
    return {
      version: 1,
      ...s,
      output: s.output && { ...s.output },
      reply: s.reply && { ...s.reply },
      keyboard: this.kbd.snapshot(),
      pendingInput: s.pendingInput.map((e) => ({ ...e })),
    };
  }

  restore(state: DeviceState): void {
    const parsed = i8042StateSchema.safeParse(state);
    if (!parsed.success) throw new Error(`i8042 ${this.ctx.name}: cannot restore state: ${parsed.error.message}`);
    const { version: _version, keyboard, ...s } = parsed.data;
    this.s = { ...s, output: s.output as OutputByte | null, pendingInput: s.pendingInput.map((e) => ({ ...e })) };
    this.kbd.restore(keyboard);
    this.ctx.setOutput(PIN_IRQ1, this.s.irq1);
    this.ctx.setOutput(PIN_IRQ12, this.s.irq12);
  }
}
