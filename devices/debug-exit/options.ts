// The YAML `options:` of the debug-exit device, validated once on the main thread (config); the module
// itself (what a worker loads) takes the parsed value and never imports zod.
import { z } from 'zod';

export const debugExitOptions = z.strictObject({
  /** Ports decoded from the base (QEMU's `iosize`; QEMU defaults to 2, blog_os passes 4). */
  iosize: z.union([z.literal(1), z.literal(2), z.literal(4)]).default(4),
});

export type DebugExitOptions = z.infer<typeof debugExitOptions>;
