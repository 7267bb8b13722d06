// The complete state of one local APIC as plain JSON, with its snapshot schema (version 1).
import { z } from 'zod';
import { DFR_RESET, LINT0_VIRTUAL_WIRE, LVT, LVT_COUNT, LVT_RESET, SVR_RESET } from './registers.js';

const u32 = z.number().int().min(0).max(0xffffffff);
const byte = z.number().int().min(0).max(0xff);
const bits256 = z.array(u32).length(8);

export const lapicStateSchema = z.object({
  version: z.literal(1),
  id: byte,
  tpr: byte,
  ldr: u32,
  dfr: u32,
  svr: u32,
  /** In-service, trigger-mode and request registers: 256 bits each, 32 per word, vector 0 in word 0 bit 0. */
  isr: bits256,
  tmr: bits256,
  irr: bits256,
  /** The ESR software reads (latched by its last write) and the errors seen since then. */
  esr: u32,
  esrPending: u32,
  icrLow: u32,
  icrHigh: u32,
  lvt: z.array(u32).length(LVT_COUNT),
  initialCount: u32,
  divide: u32,
  /** Machine time (ns) at which the count was last (re)loaded from initialCount; the timer counts from there. */
  timerStart: z.number(),
  /** Machine time (ns) of the next expiry; -1 when the timer is stopped. */
  timerNext: z.number(),
  /** Levels of the LINT0 and LINT1 pins. */
  lint: z.array(z.union([z.literal(0), z.literal(1)])).length(2),
  intr: z.union([z.literal(0), z.literal(1)]),
});

export type LapicSnapshot = z.infer<typeof lapicStateSchema>;
export type LapicState = Omit<LapicSnapshot, 'version'>;

/**
 * Power-on state (SDM vol. 3A §11.4.7.1 and table 11-1 reset values): software-disabled (SVR
 * 0xFF), every LVT entry masked, DFR all ones. `virtualWire`: LINT0 is ExtINT and unmasked
 * instead, as firmware leaves the bootstrap processor's APIC (QEMU resets CPU 0 so), so the
 * 8259's INT reaches the CPU through this APIC without any set-up.
 */
export function powerOnState(id: number, virtualWire: boolean): LapicState {
  const lvt = new Array<number>(LVT_COUNT).fill(LVT_RESET);
  if (virtualWire) lvt[LVT.LINT0] = LINT0_VIRTUAL_WIRE;
  return {
    id, tpr: 0, ldr: 0, dfr: DFR_RESET, svr: SVR_RESET,
    isr: new Array<number>(8).fill(0), tmr: new Array<number>(8).fill(0), irr: new Array<number>(8).fill(0),
    esr: 0, esrPending: 0, icrLow: 0, icrHigh: 0, lvt, initialCount: 0, divide: 0,
    timerStart: 0, timerNext: -1, lint: [0, 0], intr: 0,
  };
}

/** Bit helpers over a 256-bit register held as 8 words. */
export function testBit(reg: readonly number[], v: number): boolean {
  return ((reg[v >>> 5] >>> (v & 31)) & 1) !== 0;
}
export function setBit(reg: number[], v: number): void {
  reg[v >>> 5] = (reg[v >>> 5] | (1 << (v & 31))) >>> 0;
}
export function clearBit(reg: number[], v: number): void {
  reg[v >>> 5] = (reg[v >>> 5] & ~(1 << (v & 31))) >>> 0;
}
/** Highest vector set, or -1. */
export function highestBit(reg: readonly number[]): number {
  for (let w = 7; w >= 0; w--) if (reg[w] !== 0) return w * 32 + 31 - Math.clz32(reg[w]);
  return -1;
}
