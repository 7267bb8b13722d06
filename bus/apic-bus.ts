// The APIC bus: how an I/O APIC's interrupt messages reach local APICs and how a local APIC's EOI
// for a level-triggered vector reaches the I/O APICs (the 82093AA's 3-wire APIC bus, a system bus
// message on later chipsets). A device on it (module `apicBus: true`) sends a message in a call's
// response (ctx.apicSend); the router hands it to every other device on the bus (core.apicReceive),
// each of which decides whether it is addressed — as APICs do on a shared bus.
//
// One message is one 32-bit word, laid out like the redirection entry / ICR low word it comes from:
//   bits 0-7 vector, 8-10 delivery mode, 11 destination mode (1 = logical), 15 trigger (1 = level),
//   16-23 destination (APIC ID, or a logical mask), 24 EOI (an EOI broadcast for `vector`).

export const enum DeliveryMode {
  Fixed = 0,
  LowestPriority = 1,
  Smi = 2,
  Nmi = 4,
  Init = 5,
  ExtInt = 7,
}

export interface ApicMessage {
  readonly vector: number;
  readonly mode: number;
  readonly logical: boolean;
  readonly level: boolean;
  readonly dest: number;
  /** An EOI broadcast (vector = the vector that was ended); the other fields are 0. */
  readonly eoi: boolean;
}

const EOI_BIT = 1 << 24;

/** An interrupt message. */
export function interruptMessage(vector: number, mode: number, logical: boolean, level: boolean, dest: number): number {
  return (vector & 0xff) | ((mode & 7) << 8) | (logical ? 1 << 11 : 0) | (level ? 1 << 15 : 0) | ((dest & 0xff) << 16);
}

/** The EOI broadcast a local APIC sends when it ends a level-triggered vector. */
export function eoiMessage(vector: number): number {
  return EOI_BIT | (vector & 0xff);
}

export function decodeMessage(word: number): ApicMessage {
  return {
    vector: word & 0xff,
    mode: (word >>> 8) & 7,
    logical: (word & (1 << 11)) !== 0,
    level: (word & (1 << 15)) !== 0,
    dest: (word >>> 16) & 0xff,
    eoi: (word & EOI_BIT) !== 0,
  };
}

const MODE_NAMES = ['fixed', 'lowest-priority', 'smi', 'reserved', 'nmi', 'init', 'reserved', 'extint'];

/** Fields of an `apic.message` trace record. */
export function messageFields(word: number): Record<string, string | number> {
  const m = decodeMessage(word);
  if (m.eoi) return { type: 'eoi', vector: m.vector };
  return { type: MODE_NAMES[m.mode], vector: m.vector, trigger: m.level ? 'level' : 'edge', dest: m.dest, dest_mode: m.logical ? 'logical' : 'physical' };
}
