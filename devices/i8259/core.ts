// One Intel 8259A programmable interrupt controller as a pure state machine.
//
// Behaviour follows the 8259A datasheet and, where the datasheet leaves room, QEMU's i8259.c.
// Where v86 differs we follow the datasheet/QEMU (choices marked "v86:" below).
// A cascade is two cores: the slave's `int` output is wired to a master input; the master's
// acknowledge() answers CASCADE + n for an input n that ICW3 names, and the host then asks the
// slave for the vector (the CAS0..2 lines).
import {
  CASCADE,
  type AccessSize,
  type DeviceContext,
  type DeviceCore,
  type DeviceState,
  type Level,
} from '../../bus/device.js';
import { NO_RANK, highestRank, irAtRank, lowestPriorityIs } from './priority.js';
import {
  ICW1, ICW4, OCW2, OCW3, POLL_INTERRUPT, PORT_COMMAND, PORT_DATA, REGION_ELCR, REGION_IO,
  SPURIOUS_IR, elcrWriteMask, type PicRole,
} from './registers.js';
import { picStateSchema, powerOnState, type PicState } from './state.js';

const hex = (v: number): string => `0x${v.toString(16).padStart(2, '0')}`;

export class I8259 implements DeviceCore {
  private s: PicState = powerOnState();
  private readonly elcrMask: number;

  constructor(private readonly ctx: DeviceContext, private readonly role: PicRole) {
    this.elcrMask = elcrWriteMask(role);
  }

  // ---- ports -------------------------------------------------------------------------------

  read(region: number, offset: number, _size: AccessSize): number {
    if (region === REGION_ELCR && offset === 0) return this.s.elcr;
    if (region !== REGION_IO || (offset !== PORT_COMMAND && offset !== PORT_DATA)) {
      this.ctx.guestError('i8259: read outside the chip', { region, offset });
      return 0xff;
    }
    if (this.s.poll) {
      // OCW3 poll: this read (of either port) is the INTA; the poll lasts for one read only.
      this.s.poll = false;
      const ir = this.deliverable();
      if (ir < 0) return 0;
      this.inService(ir);
      this.update();
      return POLL_INTERRUPT | ir;
    }
    if (offset === PORT_DATA) return this.s.imr;
    return this.s.readIsr ? this.s.isr : this.s.irr;
  }

  write(region: number, offset: number, _size: AccessSize, value: number): void {
    const v = value & 0xff;
    if (region === REGION_ELCR && offset === 0) this.writeElcr(v);
    else if (region === REGION_IO && offset === PORT_COMMAND) this.writeCommand(v);
    else if (region === REGION_IO && offset === PORT_DATA) this.writeData(v);
    else this.ctx.guestError('i8259: write outside the chip', { region, offset, value: v });
    this.update();
  }

  // ---- pins and INTA -----------------------------------------------------------------------

  setInput(pin: number, level: Level): void {
    if (!Number.isInteger(pin) || pin < 0 || pin > 7) return; // not one of ir0..ir7
    const bit = 1 << pin;
    const wasHigh = (this.s.lines & bit) !== 0;
    if (level) {
      this.s.lines |= bit;
      // Level mode: IRR follows the line. Edge mode: latch on the rising edge only.
      if ((this.levelTriggered() & bit) !== 0 || !wasHigh) this.s.irr |= bit;
    } else {
      this.s.lines &= ~bit;
      // Edge mode: lowering the line does not clear a latched request (QEMU's last_irr model;
      // the request can still vanish through IMR, or through the line in level mode).
      if (this.levelTriggered() & bit) this.s.irr &= ~bit;
    }
    this.update();
  }

  /**
   * The INTA cycle: the highest-priority deliverable request goes in service. With nothing
   * deliverable (the request went away between INT and INTA) the chip answers IR7 without
   * setting ISR: the spurious vector. v86 never produces it; the datasheet and QEMU do.
   */
  acknowledge(): number {
    const ir = this.deliverable();
    if (ir < 0) {
      const vector = this.s.vectorBase + SPURIOUS_IR;
      this.ctx.trace('pic.spurious', { chip: this.ctx.name, vector });
      this.update();
      return vector;
    }
    this.inService(ir);
    this.update();
    if (this.isCascadeMaster() && (this.s.icw3 & (1 << ir)) !== 0) return CASCADE + ir;
    return this.s.vectorBase + ir;
  }

  // ---- snapshot ----------------------------------------------------------------------------

  snapshot(): DeviceState {
    return { version: 1, ...this.s };
  }

  restore(state: DeviceState): void {
    const parsed = picStateSchema.safeParse(state);
    if (!parsed.success) {
      throw new Error(`i8259 ${this.ctx.name}: cannot restore state: ${parsed.error.message}`);
    }
    const { version: _version, ...s } = parsed.data;
    this.s = { ...s, elcr: s.elcr & this.elcrMask };
    this.ctx.setOutput(0, this.s.int);
    this.update();
  }

  // ---- command words -----------------------------------------------------------------------

  private writeCommand(v: number): void {
    if (v & ICW1.INIT) {
      this.icw1(v);
      return;
    }
    if (this.s.init !== 'ready') {
      // QEMU obeys an OCW in the middle of the ICW sequence; the datasheet does not define it.
      this.ctx.guestError('i8259: OCW written before the ICW sequence finished', {
        chip: this.ctx.name, value: hex(v), expecting: this.s.init,
      });
    }
    if (v & OCW3.MARKER) this.ocw3(v);
    else this.ocw2(v);
  }

  private writeData(v: number): void {
    switch (this.s.init) {
      case 'ready': this.s.imr = v; return; // OCW1
      case 'icw2': this.icw2(v); return;
      case 'icw3': this.icw3(v); return;
      case 'icw4': this.icw4(v); return;
    }
  }

  /** ICW1 starts initialisation and resets the chip (QEMU's pic_init_reset list). */
  private icw1(v: number): void {
    const s = this.s;
    s.imr = 0; // v86 before #1025 left IMR as it was
    s.isr = 0;
    s.priorityAdd = 0;
    s.vectorBase = 0;
    s.readIsr = false; // v86: read-ISR and special-mask flags survive ICW1
    s.poll = false;
    s.specialMask = false;
    s.autoEoi = false; // v86: sets AEOI until ICW4 arrives
    s.rotateOnAutoEoi = false;
    s.sfnm = false;
    s.icw4Needed = (v & ICW1.IC4) !== 0;
    s.single = (v & ICW1.SNGL) !== 0; // v86 asserts on SNGL and LTIM
    s.ltim = (v & ICW1.LTIM) !== 0;
    s.x86Mode = false; // "if ICW4 is not needed, all its functions are set to zero"
    // The edge-sense circuit is reset: latched edge requests are dropped (an input already high
    // must go low and high again); level requests follow their line under the new LTIM/ELCR.
    // ELCR is not reset.
    s.irr = s.lines & this.levelTriggered();
    s.init = 'icw2';
  }

  /** ICW2: vector base; T2..T0 are replaced by the IR number in 8086 mode (v86 keeps them). */
  private icw2(v: number): void {
    this.s.vectorBase = v & 0xf8;
    if (!this.s.single) this.s.init = 'icw3';
    else this.afterIcw3();
  }

  /** ICW3: a master's bitmask of inputs with a slave, or a slave's cascade ID. */
  private icw3(v: number): void {
    if (this.role === 'slave') {
      if (v & 0xf8) {
        this.ctx.guestError('i8259: slave ICW3 has bits 3-7 set (ID is 3 bits)', { chip: this.ctx.name, value: hex(v) });
      }
      this.s.icw3 = v & 7;
    } else {
      this.s.icw3 = v;
    }
    this.afterIcw3();
  }

  private afterIcw3(): void {
    if (this.s.icw4Needed) this.s.init = 'icw4';
    else this.finishInit();
  }

  /** ICW4: µPM, AEOI, SFNM. BUF and M/S only drive the SP/EN pin and are ignored. */
  private icw4(v: number): void {
    if (v & ICW4.RESERVED) {
      this.ctx.guestError('i8259: ICW4 reserved bits 5-7 set', { chip: this.ctx.name, value: hex(v) });
    }
    this.s.x86Mode = (v & ICW4.UPM) !== 0;
    this.s.autoEoi = (v & ICW4.AEOI) !== 0;
    this.s.sfnm = (v & ICW4.SFNM) !== 0;
    this.finishInit();
  }

  private finishInit(): void {
    this.s.init = 'ready';
    if (!this.s.x86Mode) {
      this.ctx.unimplemented('i8259: 8080/8085 mode (µPM = 0); INTA keeps answering 8086-style vectors', {
        chip: this.ctx.name,
      });
    }
  }

  /** OCW2: EOI, rotation and priority commands. */
  private ocw2(v: number): void {
    const s = this.s;
    const level = v & OCW2.LEVEL;
    const command = v & OCW2.COMMAND;
    const usesLevel = command === OCW2.SPECIFIC_EOI || command === OCW2.SET_PRIORITY || command === OCW2.ROTATE_SPECIFIC_EOI;
    if (level !== 0 && !usesLevel && command !== OCW2.NOP) {
      this.ctx.guestError('i8259: OCW2 level bits set on a command that ignores them', { chip: this.ctx.name, value: hex(v) });
    }
    switch (command) {
      case OCW2.ROTATE_AEOI_CLEAR: s.rotateOnAutoEoi = false; return;
      case OCW2.ROTATE_AEOI_SET: s.rotateOnAutoEoi = true; return;
      case OCW2.NOP: return;
      case OCW2.NON_SPECIFIC_EOI: this.nonSpecificEoi(false); return;
      case OCW2.ROTATE_NON_SPECIFIC_EOI: this.nonSpecificEoi(true); return;
      case OCW2.SPECIFIC_EOI: this.specificEoi(level, false); return;
      case OCW2.ROTATE_SPECIFIC_EOI: this.specificEoi(level, true); return;
      case OCW2.SET_PRIORITY: s.priorityAdd = lowestPriorityIs(level); return; // v86: only logs it
    }
  }

  /**
   * Clears the highest-priority ISR bit under the current rotation (v86 clears the lowest set
   * bit, which is the same only with fixed priority). With nothing in service it does nothing.
   */
  private nonSpecificEoi(rotate: boolean): void {
    const rank = highestRank(this.s.isr, this.s.priorityAdd);
    if (rank === NO_RANK) return;
    const ir = irAtRank(rank, this.s.priorityAdd);
    this.s.isr &= ~(1 << ir);
    if (rotate) this.s.priorityAdd = lowestPriorityIs(ir);
    this.ctx.trace('pic.eoi', { chip: this.ctx.name, irq: ir, mode: 'non-specific' });
  }

  private specificEoi(ir: number, rotate: boolean): void {
    this.s.isr &= ~(1 << ir);
    if (rotate) this.s.priorityAdd = lowestPriorityIs(ir);
    this.ctx.trace('pic.eoi', { chip: this.ctx.name, irq: ir, mode: 'specific' });
  }

  /** OCW3: read-register select, poll, special mask mode. */
  private ocw3(v: number): void {
    if (v & OCW3.RESERVED) {
      this.ctx.guestError('i8259: OCW3 bit 7 must be 0', { chip: this.ctx.name, value: hex(v) });
    }
    if (v & OCW3.P) this.s.poll = true; // v86: "unimplemented: polling"
    if (v & OCW3.RR) this.s.readIsr = (v & OCW3.RIS) !== 0;
    if (v & OCW3.ESMM) this.s.specialMask = (v & OCW3.SMM) !== 0;
  }

  /** ELCR: bits the role forbids are silently dropped (v86 stores the byte unmasked). */
  private writeElcr(v: number): void {
    this.s.elcr = v & this.elcrMask;
    // Inputs that are level-triggered now report their line in IRR.
    const level = this.levelTriggered();
    this.s.irr = (this.s.irr & ~level) | (this.s.lines & level);
  }

  // ---- priority and INT --------------------------------------------------------------------

  private levelTriggered(): number {
    return this.s.ltim ? 0xff : this.s.elcr;
  }

  private isCascadeMaster(): boolean {
    return this.role === 'master' && !this.s.single;
  }

  /**
   * The IR the next INTA would acknowledge, or -1: the highest unmasked request, if it ranks
   * strictly above the highest in-service level. In special mask mode, in-service levels that
   * are masked do not block; in special fully nested mode a master's cascade inputs do not
   * block (so a higher-priority slave request can nest).
   */
  private deliverable(): number {
    const s = this.s;
    const requested = highestRank(s.irr & ~s.imr & 0xff, s.priorityAdd);
    if (requested === NO_RANK) return -1;
    let blocking = s.isr;
    if (s.specialMask) blocking &= ~s.imr;
    if (s.sfnm && this.isCascadeMaster()) blocking &= ~s.icw3;
    return requested < highestRank(blocking, s.priorityAdd) ? irAtRank(requested, s.priorityAdd) : -1;
  }

  /** What INTA (or a poll read) does to the registers for the acknowledged IR. */
  private inService(ir: number): void {
    const bit = 1 << ir;
    if (!this.s.autoEoi) this.s.isr |= bit;
    else if (this.s.rotateOnAutoEoi) this.s.priorityAdd = lowestPriorityIs(ir);
    // A level-triggered request stays in IRR while its line is high.
    if (!(this.levelTriggered() & bit)) this.s.irr &= ~bit;
  }

  /** Recompute the INT output. */
  private update(): void {
    const level: Level = this.deliverable() >= 0 ? 1 : 0;
    if (level !== this.s.int) {
      this.s.int = level;
      this.ctx.trace('pic.intr', { chip: this.ctx.name, state: level });
    }
    this.ctx.setOutput(0, level);
  }
}
