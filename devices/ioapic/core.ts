// One Intel 82093AA I/O APIC as a pure state machine. Each of its 24 inputs has a redirection
// entry; an input that asserts (after its polarity) sends the entry's interrupt message on the
// APIC bus: edge-triggered on the rising edge, level-triggered while asserted and remote IRR is
// clear — remote IRR is set by the delivery and cleared by a local APIC's EOI broadcast for the
// entry's vector, after which a still-asserted input is delivered again (datasheet §3.2.4).
// Masked inputs are ignored, edges included (datasheet; QEMU instead latches a masked edge and
// delivers it when unmasked).
import type { AccessSize, DeviceContext, DeviceCore, DeviceState, Level } from '../../bus/device.js';
import { decodeMessage, DeliveryMode, interruptMessage } from '../../bus/apic-bus.js';
import {
  ID_MASK, IND, IOREGSEL, IOWIN, PINS, RTE_HIGH_WRITABLE, RTE_LEVEL, RTE_LOGICAL, RTE_LOW_WRITABLE, RTE_MASKED, RTE_MODE_SHIFT,
  RTE_POLARITY_LOW, RTE_REMOTE_IRR, RTE_VECTOR, VERSION_VALUE,
} from './registers.js';

export interface IoapicState {
  /** IOAPICID bits 24-27, and the arbitration ID loaded from it. */
  id: number;
  arbitration: number;
  /** IOREGSEL: the indirect register IOWIN reaches. */
  regsel: number;
  /** Redirection entries, low and high dwords. */
  low: number[];
  high: number[];
  /** Input levels, bit n = INTINn. */
  lines: number;
}

const hex = (v: number): string => `0x${v.toString(16)}`;

export function powerOnState(id: number): IoapicState {
  // Reset: every entry masked (datasheet §3.2.4: the other bits are undefined; 0 here, as QEMU).
  return { id, arbitration: id, regsel: 0, low: new Array<number>(PINS).fill(RTE_MASKED), high: new Array<number>(PINS).fill(0), lines: 0 };
}

export class Ioapic implements DeviceCore {
  private s: IoapicState;

  constructor(private readonly ctx: DeviceContext, id: number) {
    this.s = powerOnState(id & 0xf);
  }

  read(_region: number, offset: number, _size: AccessSize): number {
    if (offset === IOREGSEL) return this.s.regsel;
    if (offset === IOWIN) return this.readIndirect(this.s.regsel);
    this.ctx.guestError('ioapic: read of a reserved offset (only IOREGSEL at 0x00 and IOWIN at 0x10 exist)', { offset: hex(offset) });
    return 0;
  }

  write(_region: number, offset: number, _size: AccessSize, value: number): void {
    const v = value >>> 0;
    if (offset === IOREGSEL) this.s.regsel = v & 0xff;
    else if (offset === IOWIN) this.writeIndirect(this.s.regsel, v);
    else this.ctx.guestError('ioapic: write to a reserved offset (only IOREGSEL at 0x00 and IOWIN at 0x10 exist)', { offset: hex(offset), value: hex(v) });
  }

  private readIndirect(index: number): number {
    const s = this.s;
    if (index === IND.ID) return (s.id << 24) >>> 0;
    if (index === IND.VERSION) return VERSION_VALUE;
    if (index === IND.ARBITRATION) return (s.arbitration << 24) >>> 0;
    const pin = this.entryPin(index);
    if (pin >= 0) return (index & 1) === 0 ? s.low[pin] : s.high[pin];
    this.ctx.guestError('ioapic: IOWIN read of an undefined register', { index: hex(index) });
    return 0;
  }

  private writeIndirect(index: number, v: number): void {
    const s = this.s;
    if (index === IND.ID) {
      s.id = (v & ID_MASK) >>> 24;
      s.arbitration = s.id; // IOAPICARB is loaded when the ID is written (§3.2.3)
      return;
    }
    const pin = this.entryPin(index);
    if (pin < 0) {
      this.ctx.guestError(`ioapic: IOWIN write to ${index === IND.VERSION || index === IND.ARBITRATION ? 'a read-only' : 'an undefined'} register (ignored)`, { index: hex(index), value: hex(v) });
      return;
    }
    if ((index & 1) === 1) {
      s.high[pin] = (v & RTE_HIGH_WRITABLE) >>> 0;
      return;
    }
    // Delivery status and remote IRR are read-only; a level entry keeps its remote IRR.
    s.low[pin] = ((v & RTE_LOW_WRITABLE) | (s.low[pin] & RTE_REMOTE_IRR)) >>> 0;
    if ((s.low[pin] & RTE_LEVEL) === 0) s.low[pin] &= ~RTE_REMOTE_IRR;
    const mode = (s.low[pin] >> RTE_MODE_SHIFT) & 7;
    if (mode !== DeliveryMode.Fixed && mode !== DeliveryMode.LowestPriority) {
      this.ctx.unimplemented(`ioapic: delivery mode ${mode} on INTIN${pin} (only fixed and lowest priority are modelled); the input is not delivered`, { low: hex(s.low[pin]) });
    }
    this.service(pin, false); // unmasking an asserted level input delivers it
  }

  /** Redirection entry pin of an indirect index, or -1. */
  private entryPin(index: number): number {
    const pin = (index - IND.REDIR) >> 1;
    return index >= IND.REDIR && pin < PINS ? pin : -1;
  }

  setInput(pin: number, level: Level): void {
    if (!Number.isInteger(pin) || pin < 0 || pin >= PINS) return;
    const bit = 1 << pin;
    const was = (this.s.lines & bit) !== 0;
    this.s.lines = level ? this.s.lines | bit : this.s.lines & ~bit;
    const low = this.s.low[pin];
    const polarityLow = (low & RTE_POLARITY_LOW) !== 0;
    // A rising edge of the asserted level: the line rises (active high) or falls (active low).
    const edge = level === 1 ? !was && !polarityLow : was && polarityLow;
    this.service(pin, edge);
  }

  /** Deliver INTINn if its entry says so now: an edge just arrived, or a level is asserted with remote IRR clear. */
  private service(pin: number, edge: boolean): void {
    const s = this.s;
    const low = s.low[pin];
    if ((low & RTE_MASKED) !== 0) return;
    const mode = (low >> RTE_MODE_SHIFT) & 7;
    if (mode !== DeliveryMode.Fixed && mode !== DeliveryMode.LowestPriority) return;
    const asserted = (((s.lines >> pin) & 1) === 1) !== ((low & RTE_POLARITY_LOW) !== 0);
    const level = (low & RTE_LEVEL) !== 0;
    if (level) {
      if (!asserted || (low & RTE_REMOTE_IRR) !== 0) return;
      s.low[pin] = (low | RTE_REMOTE_IRR) >>> 0;
    } else if (!edge) {
      return;
    }
    this.ctx.apicSend?.(interruptMessage(low & RTE_VECTOR, mode, (low & RTE_LOGICAL) !== 0, level, s.high[pin] >>> 24));
  }

  /** An EOI broadcast clears remote IRR of the level entries with that vector; still asserted, they are delivered again. */
  apicReceive(word: number): void {
    const m = decodeMessage(word);
    if (!m.eoi) return; // interrupt messages are for local APICs
    for (let pin = 0; pin < PINS; pin++) {
      const low = this.s.low[pin];
      if ((low & RTE_REMOTE_IRR) === 0 || (low & RTE_VECTOR) !== m.vector) continue;
      this.s.low[pin] = (low & ~RTE_REMOTE_IRR) >>> 0;
      this.ctx.trace('ioapic.eoi', { pin, vector: m.vector });
      this.service(pin, false);
    }
  }

  snapshot(): DeviceState {
    return structuredClone({ version: 1, ...this.s });
  }

  restore(state: DeviceState): void {
    const st = state as Partial<IoapicState> & { version?: number };
    const words = (a: unknown): a is number[] => Array.isArray(a) && a.length === PINS && a.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff);
    const nibble = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 0 && (n as number) <= 15;
    if (st.version !== 1 || !nibble(st.id) || !nibble(st.arbitration) || !Number.isInteger(st.regsel) || !words(st.low) || !words(st.high) || !Number.isInteger(st.lines)) {
      throw new Error(`ioapic ${this.ctx.name}: cannot restore state: not a version 1 ioapic snapshot`);
    }
    this.s = { id: st.id, arbitration: st.arbitration, regsel: st.regsel! & 0xff, low: [...st.low], high: [...st.high], lines: st.lines! & 0xffffff };
  }
}
