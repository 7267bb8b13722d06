// The module of the example user device: what the machine needs to know before the core exists
// (ports, pins, options). A machine file loads it by path, compiled to JavaScript:
//
//   rtc:
//     impl: ../dist/examples/devices/rtc/module.js
//
// The loader takes the default export (or an export named `device`).
import { z } from 'zod';
import { defineDevice } from 'actorpc/device';
import { Mc146818, parseStart, rateSelectFor, startProblem } from './rtc.js';

/** Periodic rates the 32.768 kHz time base can make (register A RS = 3..15), and 0 = off. */
export const RATES_HZ = [0, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192] as const;

export const rtcOptions = z.strictObject({
  /**
   * What the clock reads at machine time 0 ("2026-01-01T00:00:00Z"; "Z" or no offset, the
   * registers show those very digits). It then runs with machine time, never with the host's clock:
   * the same machine file and inputs give the same readings. Fractions of a second are dropped.
   * (A custom issue with params.hint is how the machine loader shows an error and its fix.)
   */
  start: z
    .string()
    .superRefine((iso, ctx) => {
      const problem = startProblem(iso);
      if (problem) {
        ctx.addIssue({ code: 'custom', message: problem, params: { hint: 'Write a date-time such as "2026-01-01T00:00:00Z".' } });
      }
    })
    .default('2026-01-01T00:00:00Z'),
  /** Periodic-interrupt rate register A holds at power-on (a PC BIOS leaves 0x26: 1024 Hz). */
  rate_hz: z.literal(RATES_HZ).default(1024),
});

export type RtcOptions = z.infer<typeof rtcOptions>;

export default defineDevice<RtcOptions>({
  kind: 'mc146818',
  title: 'Motorola MC146818 real-time clock and 128-byte CMOS RAM (example user device)',
  regions: [
    {
      name: 'index',
      size: 1,
      base: 0x70,
      widths: [1],
      names: { read: ['index (write-only, reads 0xFF)'], write: ['CMOS index / NMI disable (bit 7)'] },
    },
    { name: 'data', size: 1, base: 0x71, widths: [1], names: { read: ['CMOS data'], write: ['CMOS data'] } },
  ],
  outputs: ['irq'],
  options: rtcOptions,
  // The monitor's `info devices` (a user device may describe its state too; s: its snapshot).
  describe: (s) => {
    const t = s.time as Record<string, number>;
    const d2 = (n: number) => String(n).padStart(2, '0');
    return `clock ${t.century * 100 + t.year}-${d2(t.month)}-${d2(t.dom)} ${d2(t.hour)}:${d2(t.min)}:${d2(t.sec)} A=0x${Number(s.a).toString(16)} B=0x${Number(s.b).toString(16)} index ${String(s.index)}${s.nmiDisabled ? ' NMI off' : ''}`;
  },
  // The machine passes options already parsed by `rtcOptions`; a test rig may pass them raw, and
  // parsing again is harmless (defaults fill in, valid values stay as they are).
  create: (ctx, options) => {
    const o = rtcOptions.parse(options ?? {});
    return new Mc146818(ctx, { startSeconds: parseStart(o.start), rateSelect: rateSelectFor(o.rate_hz) });
  },
});
