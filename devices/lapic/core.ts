// One local APIC (xAPIC, Intel SDM vol. 3A ch. 11) as a pure state machine: the register page at
// 0xFEE00000, interrupt acceptance into IRR, priority (TPR/PPR) and INTA, EOI, the timer, the
// LINT0/LINT1 pins and the error status register. Its `intr` output drives the CPU's INTR.
//
// Virtual wire mode (§11.4 / MP spec 3.6.2.2): with LINT0 programmed as ExtINT the 8259's INT
// passes through to INTR, and INTA answers CASCADE + 0 so the bus asks the device driving LINT0
// (the master 8259) for the vector. Fixed interrupts the APIC holds come first (QEMU's order).
// Interrupt messages (an I/O APIC's redirections, EOI broadcasts) travel on the APIC bus.
import { CASCADE, type AccessSize, type DeviceContext, type DeviceCore, type DeviceState, type Level } from '../../bus/device.js';
import { decodeMessage, DeliveryMode, eoiMessage, interruptMessage } from '../../bus/apic-bus.js';
import {
  DFR_WRITABLE, DIVIDE_WRITABLE, ESR, ICR_LOW_WRITABLE, ICR_SHORTHAND_SHIFT, LDR_WRITABLE, LVT, LVT_COUNT, LVT_LEVEL, LVT_MASKED,
  LVT_MODE_SHIFT, LVT_POLARITY_LOW, LVT_REMOTE_IRR, LVT_VECTOR, LVT_WRITABLE, REG, SHORTHAND, SVR_ENABLE, SVR_WRITABLE,
  TIMER_MODE, TIMER_MODE_SHIFT, VERSION_VALUE,
} from './registers.js';
import { clearBit, highestBit, lapicStateSchema, powerOnState, setBit, testBit, type LapicState } from './state.js';
import { changeDivide, currentCount, expire, loadTimer, timerMode } from './timer.js';

export interface LapicConfig {
  readonly id: number;
  readonly virtualWire: boolean;
  /** ns per bus clock (the timer's input before the divider). */
  readonly busNs: number;
}

const hex = (v: number): string => `0x${v.toString(16)}`;
const READ_ONLY = new Set<number>([REG.VERSION, REG.APR, REG.PPR, REG.RRD, REG.CURRENT_COUNT]);

export class Lapic implements DeviceCore {
  private s: LapicState;

  constructor(private readonly ctx: DeviceContext, private readonly cfg: LapicConfig) {
    this.s = powerOnState(cfg.id, cfg.virtualWire);
  }

  private get enabled(): boolean { return (this.s.svr & SVR_ENABLE) !== 0; }

  // ---- the register page -------------------------------------------------------------------

  read(_region: number, offset: number, _size: AccessSize): number {
    const s = this.s;
    if ((offset & 0xf) !== 0) return this.reserved(offset, false);
    if (offset >= REG.ISR && offset < REG.ESR) {
      const word = (offset & 0x70) >> 4;
      return offset < REG.TMR ? s.isr[word] : offset < REG.IRR ? s.tmr[word] : s.irr[word];
    }
    if (offset >= REG.LVT_TIMER && offset <= REG.LVT_ERROR) return s.lvt[(offset - REG.LVT_TIMER) >> 4];
    switch (offset) {
      case REG.ID: return (s.id << 24) >>> 0;
      case REG.VERSION: return VERSION_VALUE;
      case REG.TPR: return s.tpr;
      case REG.APR: return this.apr();
      case REG.PPR: return this.ppr();
      case REG.EOI: return 0; // write-only
      case REG.LDR: return s.ldr;
      case REG.DFR: return s.dfr;
      case REG.SVR: return s.svr;
      case REG.ESR: return s.esr;
      case REG.ICR_LOW: return s.icrLow; // delivery status 0: a send completes at once
      case REG.ICR_HIGH: return s.icrHigh;
      case REG.INITIAL_COUNT: return s.initialCount;
      case REG.CURRENT_COUNT: return currentCount(s, this.ctx.now(), this.cfg.busNs);
      case REG.DIVIDE: return s.divide;
      default: return this.reserved(offset, false);
    }
  }

  write(_region: number, offset: number, _size: AccessSize, value: number): void {
    const s = this.s;
    const v = value >>> 0;
    if ((offset & 0xf) !== 0) {
      this.reserved(offset, true);
      return;
    }
    if (offset >= REG.LVT_TIMER && offset <= REG.LVT_ERROR) this.writeLvt((offset - REG.LVT_TIMER) >> 4, v);
    else if (READ_ONLY.has(offset) || (offset >= REG.ISR && offset < REG.ESR)) this.ctx.guestError('lapic: write to a read-only register (ignored)', { offset: hex(offset), value: hex(v) });
    else {
      switch (offset) {
        case REG.ID: s.id = v >>> 24; break;
        case REG.TPR: s.tpr = v & 0xff; break;
        case REG.EOI: this.eoi(); break;
        case REG.LDR: s.ldr = (v & LDR_WRITABLE) >>> 0; break;
        case REG.DFR: s.dfr = ((v & DFR_WRITABLE) | 0x0fffffff) >>> 0; break;
        case REG.SVR: this.writeSvr(v); break;
        case REG.ESR: s.esr = s.esrPending; s.esrPending = 0; break; // a write latches the errors seen since the last one
        case REG.ICR_LOW: s.icrLow = v & ICR_LOW_WRITABLE; this.sendIpi(); break;
        case REG.ICR_HIGH: s.icrHigh = (v & 0xff000000) >>> 0; break;
        case REG.INITIAL_COUNT: s.initialCount = v; loadTimer(s, this.ctx.now(), this.cfg.busNs); break;
        case REG.DIVIDE: changeDivide(s, v & DIVIDE_WRITABLE, this.ctx.now(), this.cfg.busNs); break;
        default: this.reserved(offset, true);
      }
    }
    this.update();
  }

  /** A reserved offset: the illegal-register-address error (ESR bit 7); reads give 0. */
  private reserved(offset: number, write: boolean): number {
    this.ctx.guestError(`lapic: ${write ? 'write to' : 'read of'} a reserved register offset`, { offset: hex(offset) });
    this.error(ESR.ILLEGAL_REGISTER);
    return 0;
  }

  private writeLvt(i: number, v: number): void {
    const s = this.s;
    const keep = i === LVT.LINT0 || i === LVT.LINT1 ? s.lvt[i] & LVT_REMOTE_IRR : 0;
    // Software-disabled, the mask bits stay set (SDM §11.4.7.2).
    s.lvt[i] = ((v & LVT_WRITABLE[i]) | keep | (this.enabled ? 0 : LVT_MASKED)) >>> 0;
    if (i === LVT.TIMER) {
      const mode = timerMode(s);
      if (mode === TIMER_MODE.TSC_DEADLINE) {
        this.ctx.unimplemented('lapic: TSC-deadline timer mode (IA32_TSC_DEADLINE is not modelled); the timer is stopped', { value: hex(v) });
        s.timerNext = -1;
      } else if (mode === 3) {
        this.ctx.guestError('lapic: reserved timer mode 11b; counting as one-shot', { value: hex(v) });
      }
    } else if (i === LVT.LINT0 || i === LVT.LINT1) {
      this.lintChanged(i - LVT.LINT0, false);
    }
  }

  private writeSvr(v: number): void {
    const s = this.s;
    s.svr = v & SVR_WRITABLE;
    if (!this.enabled) for (let i = 0; i < LVT_COUNT; i++) s.lvt[i] = (s.lvt[i] | LVT_MASKED) >>> 0; // §11.4.7.2
  }

  // ---- priority ------------------------------------------------------------------------------

  /** PPR (§11.8.3.1): the TPR, or the in-service vector's class if that is higher. */
  private ppr(): number {
    const isrv = Math.max(0, highestBit(this.s.isr));
    return (this.s.tpr >> 4) >= (isrv >> 4) ? this.s.tpr : isrv & 0xf0;
  }

  /** APR (§11.8.3 / figure 11-15), kept for completeness: one CPU needs no arbitration. */
  private apr(): number {
    const tpr = this.s.tpr;
    const isrv = Math.max(0, highestBit(this.s.isr));
    const irrv = Math.max(0, highestBit(this.s.irr));
    if ((tpr >> 4) >= (irrv >> 4) && (tpr >> 4) > (isrv >> 4)) return tpr;
    return Math.max(tpr & 0xf0, isrv & 0xf0, irrv & 0xf0);
  }

  /** The IRR vector INTA would deliver now, or -1: its class must be above PPR's (§11.8.3). */
  private deliverable(): number {
    if (!this.enabled) return -1;
    const v = highestBit(this.s.irr);
    return v >= 0 && (v >> 4) > (this.ppr() >> 4) ? v : -1;
  }

  /** LINT pin i in ExtINT mode, unmasked and high: the 8259's INT passes through. */
  private extInt(i: number): boolean {
    const e = this.s.lvt[LVT.LINT0 + i];
    return (e & LVT_MASKED) === 0 && ((e >> LVT_MODE_SHIFT) & 7) === DeliveryMode.ExtInt && this.s.lint[i] === 1;
  }

  private update(): void {
    const level: Level = this.deliverable() >= 0 || this.extInt(0) || this.extInt(1) ? 1 : 0;
    this.s.intr = level;
    this.ctx.setOutput(0, level);
  }

  // ---- acceptance, INTA, EOI -----------------------------------------------------------------

  /** An interrupt arrives (a message, a LINT pin, the timer, an error): into IRR, TMR per its trigger mode. */
  private accept(vector: number, level: boolean): void {
    if (vector < 16) {
      this.error(ESR.RECEIVE_ILLEGAL_VECTOR); // vectors 0-15 are reserved (§11.5.2)
      return;
    }
    setBit(this.s.irr, vector);
    if (level) setBit(this.s.tmr, vector);
    else clearBit(this.s.tmr, vector);
  }

  /** An error (§11.5.3): recorded for the next ESR write; the LVT error entry raises its interrupt. */
  private error(bit: number): void {
    const s = this.s;
    const fresh = (s.esrPending & bit) === 0;
    s.esrPending |= bit;
    const e = s.lvt[LVT.ERROR];
    if (fresh && (e & LVT_MASKED) === 0 && (e & LVT_VECTOR) >= 16) this.accept(e & LVT_VECTOR, false);
  }

  acknowledge(): number {
    const v = this.deliverable();
    let answer: number;
    if (v >= 0) {
      clearBit(this.s.irr, v);
      setBit(this.s.isr, v);
      answer = v;
    } else if (this.extInt(0) || this.extInt(1)) {
      answer = CASCADE + (this.extInt(0) ? 0 : 1); // the 8259 on that pin supplies the vector
    } else {
      answer = this.s.svr & 0xff; // spurious (§11.9): nothing goes in service
      this.ctx.trace('lapic.spurious', { vector: answer });
    }
    this.update();
    return answer;
  }

  /** EOI (§11.8.5): the highest in-service vector ends; a level-triggered one is broadcast to the I/O APICs. */
  private eoi(): void {
    const s = this.s;
    const v = highestBit(s.isr);
    if (v < 0) return; // nothing in service: no effect
    clearBit(s.isr, v);
    const level = testBit(s.tmr, v);
    this.ctx.trace('lapic.eoi', { vector: v, trigger: level ? 'level' : 'edge' });
    if (!level) return;
    this.ctx.apicSend?.(eoiMessage(v));
    for (let i = 0; i < 2; i++) {
      const e = s.lvt[LVT.LINT0 + i];
      if ((e & LVT_REMOTE_IRR) !== 0 && (e & LVT_VECTOR) === v) {
        s.lvt[LVT.LINT0 + i] = (e & ~LVT_REMOTE_IRR) >>> 0;
        this.lintChanged(i, false); // still asserted: delivered again
      }
    }
  }

  // ---- sources: pins, timer, messages, IPIs --------------------------------------------------

  setInput(pin: number, level: Level): void {
    if (pin !== 0 && pin !== 1) return;
    const rising = level === 1 && this.s.lint[pin] === 0;
    this.s.lint[pin] = level;
    this.lintChanged(pin, rising);
    this.update();
  }

  /** LINT pin i changed (or its LVT entry did): deliver what its entry asks for. */
  private lintChanged(i: number, rising: boolean): void {
    const s = this.s;
    const e = s.lvt[LVT.LINT0 + i];
    if ((e & LVT_MASKED) !== 0) return;
    const mode = (e >> LVT_MODE_SHIFT) & 7;
    const asserted = (s.lint[i] === 1) !== ((e & LVT_POLARITY_LOW) !== 0);
    if (mode === DeliveryMode.ExtInt) return; // passed through by update()
    if (mode !== DeliveryMode.Fixed) {
      if (rising) this.ctx.unimplemented(`lapic: LINT${i} delivery mode ${mode} (NMI, SMI, INIT): the CPU has no such input here`, { lvt: hex(e) });
      return;
    }
    if ((e & LVT_LEVEL) === 0) {
      if (rising && asserted) this.accept(e & LVT_VECTOR, false);
    } else if (asserted && (e & LVT_REMOTE_IRR) === 0) {
      s.lvt[LVT.LINT0 + i] = (e | LVT_REMOTE_IRR) >>> 0; // until the EOI of its vector (§11.5.1)
      this.accept(e & LVT_VECTOR, true);
    }
  }

  advance(): void {
    const fired = expire(this.s, this.ctx.now(), this.cfg.busNs);
    if (fired > 0) {
      const e = this.s.lvt[LVT.TIMER];
      const masked = (e & LVT_MASKED) !== 0;
      this.ctx.trace('lapic.timer', { vector: e & LVT_VECTOR, mode: timerMode(this.s) === TIMER_MODE.PERIODIC ? 'periodic' : 'one-shot', masked: masked ? 1 : 0, count: fired });
      if (!masked) this.accept(e & LVT_VECTOR, false);
    }
    this.update();
  }

  nextDeadline(): number {
    return this.s.timerNext < 0 ? Infinity : this.s.timerNext;
  }

  apicReceive(word: number): void {
    const m = decodeMessage(word);
    if (m.eoi || !this.addressed(m.dest, m.logical)) return;
    if (m.mode === DeliveryMode.Fixed || m.mode === DeliveryMode.LowestPriority) this.accept(m.vector, m.level);
    else this.ctx.unimplemented(`lapic: interrupt message with delivery mode ${m.mode} (only fixed and lowest priority are modelled)`, { vector: m.vector });
    this.update();
  }

  /** Does a destination name this APIC (§11.6.2)? Physical: its ID or 0xFF. Logical: flat or cluster model. */
  private addressed(dest: number, logical: boolean): boolean {
    if (!logical) return dest === 0xff || dest === this.s.id;
    const ldr = this.s.ldr >>> 24;
    if ((this.s.dfr >>> 28) === 0xf) return (dest & ldr) !== 0;
    return (dest >> 4) === (ldr >> 4) && (dest & ldr & 0xf) !== 0;
  }

  /** A write to ICR low sends an IPI (§11.6.1); here only fixed ones, to this APIC or over the APIC bus. */
  private sendIpi(): void {
    const s = this.s;
    const vector = s.icrLow & 0xff;
    const mode = (s.icrLow >> 8) & 7;
    const logical = (s.icrLow & (1 << 11)) !== 0;
    const shorthand = (s.icrLow >> ICR_SHORTHAND_SHIFT) & 3;
    if (mode !== DeliveryMode.Fixed) {
      this.ctx.unimplemented(`lapic: IPI delivery mode ${mode} (INIT, SIPI, NMI…): a single CPU has no one to send it to`, { icr: hex(s.icrLow) });
      return;
    }
    if (vector < 16) {
      this.error(ESR.SEND_ILLEGAL_VECTOR);
      return;
    }
    const dest = s.icrHigh >>> 24;
    const self = shorthand === SHORTHAND.SELF || shorthand === SHORTHAND.ALL || (shorthand === SHORTHAND.NONE && this.addressed(dest, logical));
    if (self) this.accept(vector, false);
    if (shorthand !== SHORTHAND.SELF) this.ctx.apicSend?.(interruptMessage(vector, mode, logical, false, shorthand === SHORTHAND.NONE ? dest : 0xff));
  }

  // ---- snapshot ------------------------------------------------------------------------------

  snapshot(): DeviceState {
    return structuredClone({ version: 1, ...this.s });
  }

  restore(state: DeviceState): void {
    const parsed = lapicStateSchema.safeParse(state);
    if (!parsed.success) throw new Error(`lapic ${this.ctx.name}: cannot restore state: ${parsed.error.message}`);
    const { version: _version, ...s } = parsed.data;
    this.s = structuredClone(s);
    this.update();
  }
}
