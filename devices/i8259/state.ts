// The complete state of one 8259A as plain JSON, with its snapshot schema (version 1).
import { z } from 'zod';

const byte = z.number().int().min(0).max(0xff);
const flag = z.boolean();

/** Where the chip is in the ICW sequence: `ready` = initialised, data port writes are OCW1. */
export const INIT_STEPS = ['ready', 'icw2', 'icw3', 'icw4'] as const;
export type InitStep = (typeof INIT_STEPS)[number];

export const picStateSchema = z.object({
  version: z.literal(1),
  /** Interrupt request register: requests waiting for INTA. */
  irr: byte,
  /** In-service register: acknowledged and not yet EOI'd. */
  isr: byte,
  /** Interrupt mask register (OCW1), 1 = masked. */
  imr: byte,
  /** Current level of the IR0..IR7 input lines (edge detection needs the previous level). */
  lines: byte,
  /** Edge/level control register (1 = level-triggered), already masked by the role. */
  elcr: byte,
  /** IR with the highest priority (QEMU's priority_add); see priority.ts. */
  priorityAdd: z.number().int().min(0).max(7),
  /** ICW2 with T2..T0 cleared: vector = vectorBase + IR. */
  vectorBase: byte.refine((v) => (v & 7) === 0, 'vectorBase must be a multiple of 8'),
  /** OCW3 RR/RIS: the command port reads ISR (true) or IRR (false). */
  readIsr: flag,
  /** OCW3 P: the next read of either port is a poll (acts as INTA). */
  poll: flag,
  /** OCW3 special mask mode. */
  specialMask: flag,
  init: z.enum(INIT_STEPS),
  /** ICW1 IC4: ICW4 is part of the current sequence. */
  icw4Needed: flag,
  /** ICW1 SNGL: single chip (no ICW3, no cascade). */
  single: flag,
  /** ICW1 LTIM: every input level-triggered, whatever the ELCR says. */
  ltim: flag,
  /** ICW3: on a master the inputs that have a slave, on a slave its cascade ID (0..7). */
  icw3: byte,
  /** ICW4 µPM: 8086 mode (8080 mode is not modelled). */
  x86Mode: flag,
  /** ICW4 AEOI. */
  autoEoi: flag,
  /** OCW2 rotate in automatic EOI mode. */
  rotateOnAutoEoi: flag,
  /** ICW4 SFNM. */
  sfnm: flag,
  /** Level driven on the INT output. */
  int: z.union([z.literal(0), z.literal(1)]),
});

export type PicSnapshot = z.infer<typeof picStateSchema>;
export type PicState = Omit<PicSnapshot, 'version'>;

/**
 * Power-on state. The datasheet leaves it undefined; this is QEMU's reset state (everything
 * zero, 8086 mode, nothing cascaded until ICW3 says so). Firmware always initialises the chip.
 */
export function powerOnState(): PicState {
  return {
    irr: 0, isr: 0, imr: 0, lines: 0, elcr: 0, priorityAdd: 0, vectorBase: 0,
    readIsr: false, poll: false, specialMask: false,
    init: 'ready', icw4Needed: false, single: false, ltim: false, icw3: 0,
    x86Mode: true, autoEoi: false, rotateOnAutoEoi: false, sfnm: false, int: 0,
  };
}
