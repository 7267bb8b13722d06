// The YAML `options:` of the uart16550 device, validated once on the main thread (config); the module
// itself (what a worker loads) takes the parsed value and never imports zod.
import { z } from 'zod';

/**
 * FIFO size (16) and clock (1.8432 MHz) are the 16550A's: nothing to set there. `file` is for the
 * host side only (the core ignores it): where `adapter: file` appends the transmitted
 * bytes, relative to the folder actorpc runs in; default `<machine name>.<device>.serial.log`.
 * Unknown keys are an error.
 */
export const uart16550Options = z.strictObject({
  file: z.string().min(1).optional(),
});

export type Uart16550Options = z.infer<typeof uart16550Options>;
