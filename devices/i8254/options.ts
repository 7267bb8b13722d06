// The YAML `options:` of the i8254 device, validated once on the main thread (config); the module
// itself (what a worker loads) takes the parsed value and never imports zod.
import { z } from 'zod';

/** No options: the input clock is fixed at 1 193 182 Hz. Unknown keys are an error. */
export const i8254Options = z.strictObject({});

export type I8254Options = z.infer<typeof i8254Options>;
