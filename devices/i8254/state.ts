// The complete state of the 8254 and port 0x61 as plain JSON, with its snapshot schema (version 1),
// and the reset state.
import { z } from 'zod';
import type { Segment } from './counting.js';

const level = z.union([z.literal(0), z.literal(1)]);
const tick = z.number().int();
const ceValue = z.number().int().min(0).max(0x1_0000);
const word = z.number().int().min(0).max(0xffff);

const segmentSchema: z.ZodType<Segment> = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('idle'), value: ceValue, out: level }),
  z.object({ kind: z.literal('hold'), value: ceValue, out: level, fired: z.boolean() }),
  z.object({ kind: z.literal('count'), start: tick, value: ceValue, fired: z.boolean() }),
  z.object({ kind: z.literal('cycle'), start: tick, n: z.number().int().min(1).max(0x1_0000), phase: tick }),
]);

export const channelStateSchema = z.object({
  /** M2..M0 as written (6 and 7 are kept for the status byte; they count as 2 and 3). */
  modeBits: z.number().int().min(0).max(7),
  /** RW1..RW0: 1 = LSB only, 2 = MSB only, 3 = LSB then MSB. */
  access: z.union([z.literal(1), z.literal(2), z.literal(3)]),
  bcd: z.boolean(),
  gate: level,
  /** Count register: the last complete count written (raw 16 bits). */
  cr: word,
  /** A complete count has been written since the last control word (a trigger has something to load). */
  crValid: z.boolean(),
  /** First byte of an LSB-then-MSB count write, waiting for its MSB. */
  crLsb: z.number().int().min(0).max(0xff),
  /** Write flip-flop: the next count byte is the MSB. */
  writeMsbNext: z.boolean(),
  /** Read flip-flop for unlatched LSB-then-MSB reads. */
  readMsbNext: z.boolean(),
  /** Output latch: the latched count and the bytes of it still to be read, in order. */
  latch: z.object({ value: word, bytes: z.array(z.enum(['lsb', 'msb'])) }).nullable(),
  /** Latched status byte (read-back), read before a latched count. */
  status: z.number().int().min(0).max(0xff).nullable(),
  /** Null count: the count register holds a count not yet loaded into the CE. */
  nullCount: z.boolean(),
  seg: segmentSchema,
  /** A load of the count register into the CE scheduled at edge `at` (the segment that then starts). */
  next: z.object({ at: tick, seg: segmentSchema }).nullable(),
});

export const pitStateSchema = z.object({
  version: z.literal(1),
  channels: z.tuple([channelStateSchema, channelStateSchema, channelStateSchema]),
  /** Port 0x61 bit 1: speaker data enable (ANDed with OUT2 on a real board). */
  speakerData: level,
  /** OUT0 level last driven on output pin 0 (null before the first drive). */
  out0: level.nullable(),
  /**
   * Clock edge at which pin 0 was last driven: a late advance() replays the OUT0 changes since
   * then. Absent from snapshots made before it was saved (the restore then counts from now).
   */
  publishedTick: tick.optional(),
});

export type ChannelState = z.infer<typeof channelStateSchema>;
export type PitSnapshot = z.infer<typeof pitStateSchema>;

/**
 * Reset state of one channel (QEMU `pit_reset_common`): mode 3 with count 0x10000 loaded at
 * edge `tick`, GATE high on channels 0 and 1, low on channel 2. With GATE low, mode 3 does not
 * count (datasheet; QEMU counts anyway), so channel 2 waits with OUT high for its first trigger.
 * QEMU leaves the access mode 0 (not a valid RW value); here it is LSB-then-MSB.
 */
export function resetChannel(index: number, tick: number): ChannelState {
  const gate = index === 2 ? 0 : 1;
  return {
    modeBits: 3, access: 3, bcd: false, gate,
    cr: 0, crValid: true, crLsb: 0, writeMsbNext: false, readMsbNext: false,
    latch: null, status: null, nullCount: false,
    seg: gate ? { kind: 'cycle', start: tick, n: 0x1_0000, phase: 0 } : { kind: 'idle', value: 0, out: 1 },
    next: null,
  };
}
