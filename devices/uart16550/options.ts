// The YAML `options:` of the uart16550 device, validated once on the main thread (config); the module
// itself (what a worker loads) takes the parsed value and never imports zod.
import { z } from 'zod';

/** No options: FIFO size (16) and clock (1.8432 MHz) are the 16550A's. Unknown keys are an error. */
export const uart16550Options = z.strictObject({});

export type Uart16550Options = z.infer<typeof uart16550Options>;
