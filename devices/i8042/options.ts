// The YAML `options:` of the i8042 device, validated once on the main thread (config); the module
// itself (what a worker loads) takes the parsed value and never imports zod.
import { z } from 'zod';

/** No options: queue sizes are fixed at QEMU's (16 scancode bytes + 8 for replies). Unknown keys are an error. */
export const i8042Options = z.strictObject({});

export type I8042Options = z.infer<typeof i8042Options>;
