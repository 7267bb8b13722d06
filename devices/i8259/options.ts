// The YAML `options:` of the i8259 device, validated once on the main thread (config); the module
// itself (what a worker loads) takes the parsed value and never imports zod.
import { z } from 'zod';

export const i8259Options = z.object({
  /** The SP pin: decides how ICW3 is read (slave bitmask / slave ID) and the ELCR write mask. */
  role: z.enum(['master', 'slave']).default('master'),
});

export type I8259Options = z.infer<typeof i8259Options>;
